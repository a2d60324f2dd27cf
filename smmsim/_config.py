"""Numeric settings shared by every kernel: dtypes and the one ``jit`` decorator.

Kernels import this module and nothing else from smmsim, so dtypes and numba flags
are decided in exactly one place. Importing it does not import numba.
"""

from __future__ import annotations

import numpy as np

INDEX = np.int64  # offsets (indptr) and counters
NODE = np.int32  # node ids in adjacency arrays: half the memory traffic of int64
FLOAT = np.float64

FASTMATH = False


def jit(*args, parallel: bool = False, counted: bool = True, **kwargs):
    """``numba.njit`` with the project's flags: cached, fastmath off, lazy signatures.

    Compilation happens on first call, never at import time; numba itself is imported
    by the first kernel module, so modules that only need the dtypes stay light.

    ``counted=False`` compiles a hot loop without numba's runtime: it cannot allocate
    arrays (its caller hands it the scratch it needs), and it uses its arrays without
    counting references to them. numba counts one (an atomic add and subtract, each a
    call) for every array an ``inline="always"`` helper takes and for most arrays that
    cross a branch; in the default kernel's replicate loop these cost about a quarter
    of a small cascade's time.
    """
    import numba

    options = {"cache": True, "fastmath": FASTMATH, "nogil": True, "parallel": parallel}
    if not counted:
        options["_nrt"] = False
    options.update(kwargs)
    if args and callable(args[0]):
        return numba.njit(**options)(args[0])
    return numba.njit(*args, **options)
