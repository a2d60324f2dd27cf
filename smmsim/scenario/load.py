"""Building scenarios: :func:`scenario_from_dict`, :func:`load_scenario`,
:func:`scenario_from_bytes`, :func:`default_scenario` and :func:`parse_override`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from smmsim.params import describe_value, first_difference
from smmsim.scenario.errors import _OVERRIDE_SOURCE, ScenarioError
from smmsim.scenario.files import MAX_SCENARIO_BYTES, read_user_file
from smmsim.scenario.model import Scenario, _build
from smmsim.scenario.yaml_io import _parse_yaml


def scenario_from_dict(
    data: Mapping[str, Any],
    source: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Scenario:
    """Validate a scenario given as a nested dict.

    Parameters
    ----------
    data : mapping
        Sections and keys as in a YAML scenario; absent keys take their defaults.
    source : str, optional
        Where it came from, for messages (``"<scenario>"`` if omitted).
    base_dir : path-like, optional
        Folder for relative paths (default: the working directory).

    Returns
    -------
    Scenario
        Resolved: every absent key holds its default.

    Raises
    ------
    ScenarioError
        For anything not allowed by :data:`SCHEMA`; no other exception.
    """
    return check_baselines(_build(data, None if source is None else str(source), base_dir))


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a YAML scenario file.

    Parameters
    ----------
    path : path-like
        The file. Relative paths inside it are read from its folder.

    Returns
    -------
    Scenario
        What :func:`scenario_from_dict` makes of the file's mapping, with the path
        as its source in messages.

    Raises
    ------
    ScenarioError
        If the file is missing, not a regular file (a directory, a device, a named
        pipe), larger than :data:`MAX_SCENARIO_BYTES` or unreadable, is not UTF-8
        YAML (or its aliases expand it too far), is not a mapping, or
        holds an unknown section or key or a value out of range; no other exception.

    Examples
    --------
    >>> load_scenario("no/such/file.yaml")
    Traceback (most recent call last):
    ...
    smmsim.scenario.ScenarioError: no/such/file.yaml: file not found
    """
    source = os.fspath(path)
    if isinstance(source, bytes):
        source = os.fsdecode(source)
    file = Path(source)
    raw_bytes = read_user_file(file, source, MAX_SCENARIO_BYTES, "a scenario file")
    return check_baselines(_build(_parse_bytes(raw_bytes, source), source, file.absolute().parent))


def scenario_from_bytes(
    data: bytes, source: str, base_dir: str | os.PathLike[str] | None = None
) -> Scenario:
    """Validate a scenario given as the bytes of a YAML file (an upload, say).

    Parameters
    ----------
    data : bytes
        The file's content, at most :data:`MAX_SCENARIO_BYTES`.
    source : str
        Its name, for messages.
    base_dir : path-like, optional
        Folder for relative paths (default: the working directory).

    Returns
    -------
    Scenario
        What :func:`load_scenario` makes of a file holding ``data``.

    Raises
    ------
    ScenarioError
        As :func:`load_scenario` does for the same content, with the same messages.
    """
    raw = raw_from_bytes(data, source)
    if isinstance(raw, Mapping):
        refuse_baselines(raw.get("goals"), source)
    return _build(raw, source, base_dir)


def refuse_baselines(goals: Any, source: str) -> None:
    """Raise when a goal names a baseline file: a scenario that comes from elsewhere (an
    upload, a form in the browser) never names a file on this machine.

    Raises
    ------
    ScenarioError
        Naming the goal's ``baseline`` key.
    """
    for i, goal in enumerate(goals if isinstance(goals, list | tuple) else ()):
        if isinstance(goal, Mapping) and goal.get("baseline") is not None:
            raise ScenarioError(
                source,
                f"goals[{i}].baseline",
                "a scenario from elsewhere (an upload, the app's form) reads no file on this "
                "machine, so a lift goal's baseline is for smmsim run; use an absolute goal "
                "(at_least / at_most) here",
            )


def raw_from_bytes(data: bytes, source: str) -> Any:
    """The YAML document in ``data`` (a scenario file's bytes), not yet validated.

    Raises
    ------
    ScenarioError
        The bytes are more than :data:`MAX_SCENARIO_BYTES` or not UTF-8 YAML, as
        :func:`load_scenario` says it.
    """
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            source,
            None,
            f"is too large for a scenario file ({len(data):,} bytes); at most "
            f"{MAX_SCENARIO_BYTES // 1024:,} KiB is allowed",
        )
    return _parse_bytes(bytes(data), source)


def _parse_bytes(raw_bytes: bytes, source: str) -> Any:
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw_bytes[: exc.start].count(b"\n") + 1
        raise ScenarioError(source, None, f"line {line}: not UTF-8 text") from None
    return _parse_yaml(text, source)


#: Baseline files being checked (a baseline whose own lift goal names the first file is
#: read once, not forever).
_CHECKING: set[str] = set()


def check_baselines(scenario: Scenario) -> Scenario:
    """Check that each lift goal's baseline file is a valid scenario on the same audience
    (common random numbers need one); return ``scenario``.

    Raises
    ------
    ScenarioError
        Naming the scenario, the goal's ``baseline`` key and the first audience key that
        differs (or the baseline file's own mistake, named by that file).
    """
    for i, goal in enumerate(scenario.data.get("goals") or ()):
        path = goal.get("baseline")
        if path is None or path in _CHECKING:
            continue
        _CHECKING.add(path)
        try:
            base = load_scenario(path)
        finally:
            _CHECKING.discard(path)
        diff = first_difference(base.data["audience"], scenario.data["audience"], "audience")
        if diff is not None:
            raise ScenarioError(
                scenario.source,
                f"goals[{i}].baseline",
                f"{Path(path).name} has {diff[0]} = {describe_value(diff[1])} where this "
                f"scenario has {describe_value(diff[2])}; a lift goal runs its baseline on "
                "the same audience (common random numbers)",
            )
    return scenario


def default_scenario() -> Scenario:
    """The built-in scenario: a product launch seeded by ten random customers.

    A Barabási-Albert audience of 10,000 users (4 ties per newcomer), content a little
    above the audience's virality threshold (stickiness 0.25 with the schema's default
    visibility and contagion: K = 1.36), a 5% conversion rate, and 1,000 runs of 50
    steps.

    Returns
    -------
    Scenario
    """
    return scenario_from_dict(
        {
            "name": "default-launch",
            "description": "Ten randomly chosen customers post about a new product.",
            "audience": {"generator": "barabasi_albert", "n": 10_000, "m": 4},
            "content": {"stickiness": 0.25},
            "seeding": {"strategy": "random", "k": 10},
            "funnel": {"conversion": 0.05},
            "economics": {"cost_per_seed": 50.0},
        }
    )


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``"content.stickiness=0.2"`` into ``("content.stickiness", 0.2)``.

    The value is read as YAML, so ``0.2``, ``1e-3``, ``true``, ``null`` and
    ``[1, 2, 3]`` become a float, a float, a bool, ``None`` and a list.

    Raises
    ------
    ScenarioError
        If there is no ``=``, the key is not a dotted name, or the value is not YAML.
    """
    if not isinstance(text, str) or "=" not in text:
        raise ScenarioError(
            _OVERRIDE_SOURCE,
            None,
            f"expected KEY=VALUE such as content.stickiness=0.2, got {describe_value(text)}",
        )
    if len(text) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            _OVERRIDE_SOURCE,
            None,
            f"an override of {len(text):,} characters is longer than the "
            f"{MAX_SCENARIO_BYTES:,} allowed",
        )
    key, _, value_text = text.partition("=")
    key = key.strip()
    parts = key.split(".")
    if not key or not all(p and p.replace("_", "a").isalnum() and p.isascii() for p in parts):
        raise ScenarioError(
            _OVERRIDE_SOURCE,
            None,
            f"expected a dotted key such as content.stickiness before '=', "
            f"got {describe_value(key)}",
        )
    value = _parse_yaml(value_text, _OVERRIDE_SOURCE, key)
    return key, value
