"""Numba kernels: plain arrays and scalars in, arrays out. No Python objects, no I/O.

Numba's on-disk cache checks only the source file of the function it compiled, not the
files of the functions compiled into it: the kernels inline the ledger's helpers from
another module, and a few compiled functions elsewhere in smmsim call kernels. So the
package's caches are kept as one: importing this package compares the kernels' sources'
sizes and times with those the caches were made from, and when any has changed clears
every numba cache file of smmsim (a few file checks, no compiling).
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
            for f in here.parent.glob(f"**/__pycache__/{pattern}"):
                f.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        stamp.write_text(key)
    except OSError:  # a read-only installation keeps the cache it was installed with
        pass


_clear_stale_cache()
