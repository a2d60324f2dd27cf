"""Plain words about results: the run report, theory beside simulation, verdicts.

* :mod:`~smmsim.reporting.report`: the report ``smmsim run`` prints
  (:func:`format_report`), money lines included;
* :mod:`~smmsim.reporting.theory_lines`: theory beside simulation in that report, and
  where theory's assumptions do not hold;
* :mod:`~smmsim.reporting.verdicts`: one-sentence verdicts on the virality threshold;
* :mod:`~smmsim.reporting.threshold_report`: what ``smmsim threshold`` prints;
* :mod:`~smmsim.reporting.numbers`: counts and values as text.

Every public name of these modules is importable from here; each is imported on first
use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smmsim._lazy import lazy_exports

#: module -> its public names
_MODULES: dict[str, tuple[str, ...]] = {
    "report": ("format_report", "money_lines"),
    "theory_lines": ("audience_caveats", "comparison_lines", "large_cascade_cut", "viral_cut"),
    "verdicts": ("sir_verdict", "threshold_result_verdict", "threshold_verdict"),
    "threshold_report": ("threshold_report",),
    "numbers": ("amount_text", "count_text", "value_text"),
}
_EXPORTS = {name: f"{__name__}.{module}" for module, names in _MODULES.items() for name in names}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from smmsim.reporting.numbers import amount_text as amount_text
    from smmsim.reporting.numbers import count_text as count_text
    from smmsim.reporting.numbers import value_text as value_text
    from smmsim.reporting.report import format_report as format_report
    from smmsim.reporting.report import money_lines as money_lines
    from smmsim.reporting.theory_lines import audience_caveats as audience_caveats
    from smmsim.reporting.theory_lines import comparison_lines as comparison_lines
    from smmsim.reporting.theory_lines import large_cascade_cut as large_cascade_cut
    from smmsim.reporting.theory_lines import viral_cut as viral_cut
    from smmsim.reporting.threshold_report import threshold_report as threshold_report
    from smmsim.reporting.verdicts import sir_verdict as sir_verdict
    from smmsim.reporting.verdicts import threshold_result_verdict as threshold_result_verdict
    from smmsim.reporting.verdicts import threshold_verdict as threshold_verdict
