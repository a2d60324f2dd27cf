"""Numba kernels: plain arrays and scalars in, arrays out. No Python objects, no I/O.

Numba's on-disk cache checks only the source file of the function it compiled, not the
files of the functions compiled into it, and the kernels inline the ledger's helpers
from another module. So the cache of this package is kept as one: importing it compares
the sources' sizes and times with those the cache was made from, and clears the
package's cache files when any has changed (a few file checks, no compiling).
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def _clear_stale_cache() -> None:
    here = Path(__file__).resolve().parent
    cache = here / "__pycache__"
    try:
        sources = sorted(here.glob("*.py"))
        key = hashlib.sha256(
            "\n".join(
                f"{p.name} {p.stat().st_size} {p.stat().st_mtime_ns}" for p in sources
            ).encode()
        ).hexdigest()
        stamp = cache / "kernels.stamp"
        if stamp.is_file() and stamp.read_text() == key:
            return
        for pattern in ("*.nbi", "*.nbc"):
            for f in cache.glob(pattern):
                f.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        stamp.write_text(key)
    except OSError:  # a read-only installation keeps the cache it was installed with
        pass


_clear_stale_cache()
