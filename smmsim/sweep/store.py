"""The on-disk store of a sweep: ``manifest.json``, part files, the finished table.

Finished variants are written as they complete: each finished task (or, locally, each
second's worth of variants) becomes one small Parquet file under ``out_dir/parts``,
written to a temporary name and moved into place, so no half-written file is ever
read back. ``manifest.json`` records the resolved base scenario, the design, every
variant and the package version; a folder holding a different sweep (another
identity: :func:`sweep_identity`) is refused. When every variant is done the table is
written to ``results.parquet`` (and ``results.csv`` on request) and the parts are
removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smmsim.sweep._common import SweepError, value_text

__all__ = [
    "CSV",
    "ID_COLUMNS",
    "MANIFEST",
    "PARTS",
    "RUN_COLUMNS",
    "TABLE",
    "Store",
    "parameter_columns",
    "read_manifest",
    "read_sweep",
    "sweep_difference",
    "sweep_identity",
    "sweep_table",
]

#: Columns that come before and after the parameters, ahead of the metrics.
ID_COLUMNS = ("variant", "variant_id")
RUN_COLUMNS = ("rng_seed", "runs")

MANIFEST = "manifest.json"
TABLE = "results.parquet"
CSV = "results.csv"
PARTS = "parts"


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _plain_values(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows read back from Parquet: numpy arrays (list values) back to lists."""
    for row in rows:
        for k, v in row.items():
            if isinstance(v, np.ndarray):
                row[k] = v.tolist()
            elif isinstance(v, np.generic):
                row[k] = v.item()
    return rows


class Store:
    """A sweep folder: manifest, part files, the assembled table."""

    def __init__(self, out_dir: str | os.PathLike[str]):
        self.out = Path(out_dir)
        self.parts = self.out / PARTS
        self._lock: Any = None
        self._columns: list[str] | None = None

    def lock(self) -> None:
        """Hold the folder's lock until :meth:`unlock`, or fail if another sweep does.

        An advisory ``flock`` on the folder itself (no lock file is left behind): the
        system releases it when its process ends, however it ends, so a killed sweep
        never leaves a stale lock.
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no locking
            return
        if self.out.exists() and not self.out.is_dir():
            raise SweepError(f"{self.out}: exists and is not a folder")
        self.out.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.out, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise SweepError(
                f"{self.out}: another sweep is running in this folder; wait for it to "
                "finish or choose another folder"
            ) from None
        self._lock = fd

    def unlock(self) -> None:
        """Release the lock taken by :meth:`lock`."""
        if self._lock is not None:
            os.close(self._lock)  # closing releases the flock
            self._lock = None

    def manifest(self) -> dict[str, Any] | None:
        """The folder's manifest, or ``None`` when it holds none."""
        path = self.out / MANIFEST
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise SweepError(f"{path}: cannot read the sweep manifest: {exc}") from None

    def open(self, manifest: dict[str, Any], resume: bool) -> list[dict[str, Any]]:
        """Prepare the folder; return the rows of variants already done."""
        if self.out.exists() and not self.out.is_dir():
            raise SweepError(f"{self.out}: exists and is not a folder")
        old = self.manifest()
        if old is None:
            if self.out.exists() and any(self.out.iterdir()):
                raise SweepError(
                    f"{self.out}: is not empty and holds no sweep ({MANIFEST}); "
                    "choose a new or empty folder"
                )
            self.parts.mkdir(parents=True, exist_ok=True)
            text = json.dumps(manifest, indent=1, default=str)
            _atomic_write(self.out / MANIFEST, lambda p: p.write_text(text))
            return []
        if sweep_identity(old) != sweep_identity(manifest):
            raise SweepError(
                f"{self.out}: holds a different sweep ({sweep_difference(old, manifest)}); "
                "choose another folder"
            )
        self.parts.mkdir(parents=True, exist_ok=True)
        for stale in self.parts.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
        ids = {v["variant_id"] for v in manifest["variants"]}
        rows = [r for r in self.rows() if r["variant_id"] in ids]
        if rows and not resume:
            raise SweepError(
                f"{self.out}: already holds this sweep ({len(rows)} of {len(ids)} variants "
                "done); resume it (--resume) or choose another folder"
            )
        return rows

    def rows(self) -> list[dict[str, Any]]:
        """Every stored row (finished table and parts), each variant once.

        Raises
        ------
        SweepError
            A file that cannot be read, or that lacks columns the sweep's rows have,
            named with what to do about it.
        """
        manifest = self.manifest() or {}
        expected = manifest.get("columns")
        if expected is None:  # no part written yet (or an older sweep): the fixed columns
            expected = [*ID_COLUMNS, *manifest.get("keys", []), *RUN_COLUMNS]
        files = []
        table = self.out / TABLE
        if table.is_file():
            files.append(table)
        if self.parts.is_dir():
            files += sorted(self.parts.glob("part-*.parquet"))
        frames = [self._read(path, expected) for path in files]
        seen, out = set(), []
        for frame in frames:
            for row in _plain_values(frame.to_dict("records")):
                if row["variant_id"] not in seen:
                    seen.add(row["variant_id"])
                    out.append(row)
        return out

    def _read(self, path: Path, expected: Sequence[str]) -> pd.DataFrame:
        again = "remove it and run the sweep again with --resume (its variants run again)"
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a damaged file
            reason = type(exc).__name__  # pyarrow's text repeats the long path
            raise SweepError(f"{path}: is damaged and cannot be read ({reason}); {again}") from None
        missing = [c for c in expected if c not in frame.columns]
        if missing:
            shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
            raise SweepError(
                f"{path}: lacks {len(missing)} of this sweep's columns ({shown}); {again}"
            )
        return frame

    def _record_columns(self, columns: list[str]) -> None:
        """Keep the columns of the first rows in the manifest: later parts must have them."""
        if self._columns is not None:
            return
        manifest = self.manifest()
        if manifest is None:
            return
        if "columns" not in manifest:
            manifest["columns"] = columns
            text = json.dumps(manifest, indent=1, default=str)
            _atomic_write(self.out / MANIFEST, lambda p: p.write_text(text))
        self._columns = list(manifest["columns"])

    def write_part(self, rows: list[dict[str, Any]]) -> Path:
        """Write finished rows as one part file, named by their variants; return it."""
        ids = sorted(r["variant_id"] for r in rows)
        first = min(r["variant"] for r in rows)
        name = f"part-{first:07d}-{hashlib.sha256(''.join(ids).encode()).hexdigest()[:12]}"
        path = self.parts / f"{name}.parquet"
        frame = pd.DataFrame.from_records(rows)
        self._record_columns(list(frame.columns))
        _atomic_write(path, lambda p: frame.to_parquet(p, index=False))
        return path

    def finish(self, table: pd.DataFrame, csv: bool) -> list[Path]:
        """Write the finished table (and CSV), remove the parts; return the files."""
        paths = [self.out / TABLE]
        _atomic_write(paths[0], lambda p: table.to_parquet(p, index=False))
        if csv:
            paths.append(self.out / CSV)
            _atomic_write(paths[1], lambda p: table.to_csv(p, index=False))
        if self.parts.is_dir():
            for part in self.parts.glob("part-*.parquet"):
                part.unlink(missing_ok=True)
            try:
                self.parts.rmdir()
            except OSError:
                pass
        return [*paths, self.out / MANIFEST]


def sweep_table(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> pd.DataFrame:
    """The tidy table: one row per variant, design order, a fixed column order."""
    rows = sorted(rows, key=lambda r: r["variant"])
    table = pd.DataFrame.from_records(rows)
    if table.empty:
        return table
    first = [*ID_COLUMNS, *keys, *RUN_COLUMNS]
    rest = [c for c in table.columns if c not in first]
    table = table[first + rest]
    return table.reset_index(drop=True)


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of the sweep in ``out_dir``."""
    manifest = Store(out_dir).manifest()
    if manifest is None:
        raise SweepError(f"{out_dir}: holds no sweep ({MANIFEST} not found)")
    return manifest


def read_sweep(out_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The table of the sweep in ``out_dir``: every finished variant, design order.

    Works on an unfinished sweep too (the rows done so far).
    """
    manifest = read_manifest(out_dir)
    ids = {v["variant_id"] for v in manifest["variants"]}
    rows = [r for r in Store(out_dir).rows() if r["variant_id"] in ids]
    return sweep_table(rows, manifest["keys"])


def parameter_columns(table: pd.DataFrame) -> list[str]:
    """The swept-key columns of a sweep table (between ``variant_id`` and ``rng_seed``)."""
    cols = list(table.columns)
    try:
        lo, hi = cols.index("variant_id") + 1, cols.index("rng_seed")
    except ValueError:
        raise ValueError("not a sweep table: no variant_id and rng_seed columns") from None
    return cols[lo:hi]


def sweep_identity(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """What must match for two manifests to describe the same sweep."""
    base = {k: v for k, v in manifest["base"].items() if k not in ("name", "description")}
    return {
        "version": manifest.get("version"),
        "base": base,
        "keys": list(manifest.get("keys", [])),
        "common_random_numbers": bool(manifest.get("common_random_numbers")),
        "variants": [v["variant_id"] for v in manifest.get("variants", [])],
    }


def sweep_difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """The first way two manifests describe different sweeps, as a phrase."""
    a, b = sweep_identity(old), sweep_identity(new)
    if a["version"] != b["version"]:
        return f"made by smmsim {a['version']}, this is {b['version']}"
    if a["base"] != b["base"]:
        for section in sorted(set(a["base"]) | set(b["base"])):
            x, y = a["base"].get(section), b["base"].get(section)
            if x == y:
                continue
            if isinstance(x, dict) and isinstance(y, dict):
                for key in [*x, *(k for k in y if k not in x)]:
                    if x.get(key) != y.get(key):
                        return (
                            f"base scenario differs at {section}.{key}: "
                            f"{value_text(x.get(key))} there, {value_text(y.get(key))} here"
                        )
            return f"base scenario differs at {section}"
    if a["keys"] != b["keys"]:
        return f"it sweeps {', '.join(a['keys'])}, this sweeps {', '.join(b['keys'])}"
    if a["common_random_numbers"] != b["common_random_numbers"]:
        return "common random numbers differ"
    return (
        f"its design has {len(a['variants'])} variants, this one {len(b['variants'])}"
        if len(a["variants"]) != len(b["variants"])
        else "the variants differ"
    )
