"""The one-line error of an invalid scenario: :class:`ScenarioError`."""

from __future__ import annotations

from typing import Any

from smmsim.errors import UserError
from smmsim.params import ParamError

_DICT_SOURCE = "<scenario>"
_OVERRIDE_SOURCE = "<override>"


# Characters that ``str.splitlines`` treats as line breaks: none may reach a message.
_LINE_BREAKS = {
    "\n": "\\n",
    "\r": "\\r",
    "\x0b": "\\x0b",
    "\x0c": "\\x0c",
    "\x1c": "\\x1c",
    "\x1d": "\\x1d",
    "\x1e": "\\x1e",
    "\x85": "\\x85",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_ONE_LINE = str.maketrans(_LINE_BREAKS)


class ScenarioError(UserError):
    """A scenario is invalid: one line, ``"<file>: <dotted.key>: <problem>"``.

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
        super().__init__(": ".join(parts).translate(_ONE_LINE))


def _as_scenario_error(func: Any, source: str) -> Any:
    try:
        return func()
    except ParamError as exc:
        raise ScenarioError(source, exc.key, exc.message) from None
