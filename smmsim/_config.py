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


def jit(*args, parallel: bool = False, **kwargs):
    """``numba.njit`` with the project's flags: cached, fastmath off, lazy signatures.

    Compilation happens on first call, never at import time; numba itself is imported
    by the first kernel module, so modules that only need the dtypes stay light.
    """
    import numba

    options = {"cache": True, "fastmath": FASTMATH, "nogil": True, "parallel": parallel}
    options.update(kwargs)
    if args and callable(args[0]):
        return numba.njit(**options)(args[0])
    return numba.njit(*args, **options)
