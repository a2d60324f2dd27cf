"""The one-line error of an invalid scenario: :class:`ScenarioError`."""

from __future__ import annotations

from typing import Any

from smmsim._text import one_line
from smmsim.errors import UserError
from smmsim.params import ParamError

_DICT_SOURCE = "<scenario>"
_OVERRIDE_SOURCE = "<override>"


class ScenarioError(UserError):
    """A scenario is invalid: one line, ``"<file>: <dotted.key>: <problem>"``.

    The line is printable and at most :data:`smmsim._text.MAX_LINE` characters long
    (line breaks and lone surrogates escaped, a longer line cut).

    Parameters
    ----------
    source : str or None
        The scenario file as given, or ``None`` for scenarios built in code (shown as
        ``"<scenario>"``).
    key : str or None
        Dotted key of the offending value (``"content.stickiness"``); ``None`` for
        problems with the file as a whole, such as malformed YAML.
    problem : str
        What is wrong and what is allowed.

    Attributes
    ----------
    source : str
    key : str or None
    problem : str
    """

    #: Its public home: tracebacks read ``smmsim.scenario.ScenarioError``.
    __module__ = "smmsim.scenario"

    def __init__(self, source: str | None, key: str | None, problem: str) -> None:
        self.source = _DICT_SOURCE if source is None else str(source)
        self.key = key
        self.problem = problem
        parts = [self.source, *([key] if key else []), problem]
        super().__init__(one_line(": ".join(parts)))


def _as_scenario_error(func: Any, source: str) -> Any:
    try:
        return func()
    except ParamError as exc:
        raise ScenarioError(source, exc.key, exc.message) from None
