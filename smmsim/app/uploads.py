"""Files a browser sends: scenarios and edge lists, read in memory with size limits.

Nothing the page sends names a file on the server. A scenario arrives as bytes and is
validated as :func:`smmsim.load_scenario` validates a file (same messages, naming the
uploaded file). An edge list arrives as bytes too; it is written, under a name the
server chooses, into a folder of the session's own (removed when the session ends),
read there as ``smmsim run`` would read it, and an edge-list scenario's
``audience.path`` is pointed at it: a path named inside an uploaded scenario is never
opened.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from smmsim.scenario import Scenario, ScenarioError, scenario_from_dict
from smmsim.scenario.files import MAX_SCENARIO_BYTES
from smmsim.scenario.load import raw_from_bytes

__all__ = ["MAX_EDGE_LIST_BYTES", "MAX_SCENARIO_BYTES", "Uploads"]

#: Largest edge list accepted from a page.
MAX_EDGE_LIST_BYTES = 16 * 2**20

_NO_FILE = (
    "an edge-list audience needs its edge list uploaded beside the scenario "
    "(the app opens no file a scenario names)"
)


def _shown_name(name: str | None, default: str) -> str:
    """The uploaded file's own name, without any folder the browser put before it."""
    text = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return text[:200] if text and text.isprintable() else default


class Uploads:
    """One session's uploaded files.

    Attributes
    ----------
    edges : pathlib.Path or None
        Where the last accepted edge list was stored.
    edges_name : str or None
        Its name in the browser.
    """

    def __init__(self) -> None:
        self._dir: Path | None = None
        self.edges: Path | None = None
        self.edges_name: str | None = None

    @property
    def folder(self) -> Path:
        """The session's folder (made on first use)."""
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="smmsim-app-"))
        return self._dir

    def close(self) -> None:
        """Remove the session's folder."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
            self.edges = None

    def plain(self, message: str) -> str:
        """A message with the session folder left out (it names the uploaded file)."""
        if self._dir is None:
            return message
        for folder in (f"{self._dir}/audience/", f"{self._dir}/", str(self._dir)):
            message = message.replace(folder, "")
        return message

    # ------------------------------------------------------------------ scenarios
    def scenario(self, name: str | None, data: bytes) -> Scenario:
        """Validate an uploaded scenario file.

        Raises
        ------
        ScenarioError
            As ``smmsim validate`` says it for a file of that name and content; also
            when it asks for an edge-list audience and no edge list has been uploaded.
        """
        source = _shown_name(name, "uploaded.yaml")
        raw = raw_from_bytes(data, source)
        if isinstance(raw, dict):
            from smmsim.scenario.load import refuse_baselines

            refuse_baselines(raw.get("goals"), source)
        raw = self._point_at_upload(raw, source)
        return scenario_from_dict(raw, source=source, base_dir=self.folder)

    def _point_at_upload(self, raw: Any, source: str) -> Any:
        if not isinstance(raw, dict) or not isinstance(raw.get("audience"), dict):
            return raw
        audience = raw["audience"]
        if audience.get("generator") != "edgelist":
            return raw
        if self.edges is None:
            raise ScenarioError(source, "audience.path", _NO_FILE)
        return {**raw, "audience": {**audience, "path": str(self.edges)}}

    # ------------------------------------------------------------------ edge lists
    def edge_list(self, name: str | None, data: bytes, scenario: Scenario) -> Scenario:
        """Store an uploaded edge list and return ``scenario`` with it as its audience.

        The file is read at once (as the scenario's ``directed``, ``weighted`` and
        ``labels`` say, when it already reads an edge list), so a broken one is refused
        here with the message ``smmsim run`` would give.

        Raises
        ------
        UserError
            The file is too large, or the edge list or the scenario is invalid.
        """
        from smmsim.io import EdgeListError, read_edgelist

        shown = _shown_name(name, "edges.txt")
        if len(data) > MAX_EDGE_LIST_BYTES:
            raise EdgeListError.at(
                shown,
                None,
                f"is too large for an edge list uploaded to the app ({len(data):,} bytes); "
                f"at most {MAX_EDGE_LIST_BYTES // 2**20} MiB is allowed (run larger "
                "audiences with smmsim run)",
            )
        folder = self.folder / "audience"
        folder.mkdir(exist_ok=True)
        # the file's own name where it is a plain one ("..", ".x" or "a b" are not)
        plain = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}", shown) is not None
        path = folder / (shown if plain else "edges.txt")
        path.write_bytes(bytes(data))
        a = scenario.audience
        reads_file = a.get("generator") == "edgelist"
        read_edgelist(
            path,
            directed=bool(a.get("directed", False)) if reads_file else False,
            weighted=a.get("weighted") if reads_file else None,
            labels=a.get("labels", "int") if reads_file else "int",
        )
        self.edges, self.edges_name = path, shown
        return scenario.with_overrides(
            {"audience.generator": "edgelist", "audience.path": str(path)}
        )

    def portable(self, data: dict) -> dict:
        """A resolved scenario whose edge list is named as the user named it (the file
        they uploaded, to be kept beside the scenario), not by the server's folder."""
        audience = data.get("audience", {})
        if self.edges is not None and audience.get("path") == str(self.edges):
            data = {**data, "audience": {**audience, "path": self.edges_name}}
        return data
