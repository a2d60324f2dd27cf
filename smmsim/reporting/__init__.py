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

from smmsim._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {  # module -> its public names
        "report": "format_report metric_text money_lines",
        "theory_lines": "audience_caveats comparison_lines large_cascade_cut viral_cut",
        "verdicts": "sir_verdict threshold_result_verdict threshold_verdict",
        "threshold_report": "threshold_report",
        "numbers": "amount_text count_text value_text",
    },
)
