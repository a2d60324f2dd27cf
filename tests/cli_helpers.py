"""Shared helpers of the CLI tests: invoke a command in-process, and check that a
user mistake gave the one-line error the project promises."""

from __future__ import annotations

from click.testing import CliRunner

from smmsim._text import MAX_LINE
from smmsim.cli import cli


def invoke(*args):
    """Run ``smmsim ARGS...`` in-process; every argument is passed as a string."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_clean_error(result, *needles):
    """Exit 2, no traceback, one line of at most ``MAX_LINE`` characters (after
    ``"Error: "``) containing every needle."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = result.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    assert len(text) <= MAX_LINE + len("Error: "), text
    for needle in needles:
        assert needle in text, text
