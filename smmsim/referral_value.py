"""Customer referral value: the purchases each customer caused by referring others.

Kumar, Petersen and Leone (2010) separate what a customer is worth by buying (customer
lifetime value) from what they are worth by bringing in others (customer referral value,
CRV). Here a customer's referral value is the number of purchases made by users whose
first exposure was that customer's share (the buyers they referred), and its money value
at the scenario's revenue per conversion. The distribution across customers says whether
referral value is broad or concentrated in a few: the share of customers who referred at
least one buyer, the mean, and the share of all referred purchases that the top 1% of
customers made. Seeds (paid influencers, brand accounts) are reported apart from
customers: their referred buyers are the campaign's direct conversions.

Per-customer records come from tracing runs again (:func:`smmsim.trace.trace_replicate`,
the same random streams as the simulation), for the first ``sample`` runs; a run's
per-user record is :func:`customer_referrals` of its trace.

References
----------
V. Kumar, J. A. Petersen and R. P. Leone, "Driving profitability by encouraging customer
referrals: who, when, and how", Journal of Marketing 74(5), 1-17 (2010).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph
    from smmsim.scenario import Scenario

__all__ = ["SAMPLE", "customer_referrals", "referral_value"]

#: Runs traced again for the distribution (the first ones of the simulation).
SAMPLE = 200


def customer_referrals(trace: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per customer (a user who bought) and per seed of one traced run:
    ``node``, ``seed``, ``earned`` (a customer first reached by a peer, not by a seed's
    post) and ``referred_buyers`` (buyers whose first exposure was this user's share)."""
    node = np.asarray(trace["node"], dtype=np.int64)
    referrer = np.asarray(trace["referrer"], dtype=np.int64)
    converted = np.asarray(trace["converted"], dtype=bool)
    seed = np.asarray(trace["seed"], dtype=bool)
    referred = np.asarray(trace["referred"], dtype=bool)
    buyers_by = pd.Series(referrer[converted & (referrer >= 0)]).value_counts()
    keep = converted | seed
    return pd.DataFrame(
        {
            "node": node[keep],
            "seed": seed[keep],
            "earned": (referred & converted)[keep],
            "referred_buyers": buyers_by.reindex(node[keep], fill_value=0).to_numpy(),
        }
    )


def referral_value(
    scenario: Scenario,
    *,
    runs: int | None = None,
    rng: Any = None,
    graph: CSRGraph | None = None,
    sample: int = SAMPLE,
) -> dict[str, Any]:
    """The distribution of customer referral value over the first ``sample`` runs.

    Returns
    -------
    dict
        ``runs_traced``, ``customers`` (customers in those runs), ``share_referring``
        (share of customers who referred at least one buyer), ``mean_referred`` (referred
        buyers per customer), ``mean_value`` (the same in money), ``top1_share`` (share of
        customers' referred purchases made by the top 1% of customers), the same
        ``mean_referred`` for ``earned`` and ``direct`` customers, and for ``seeds``
        their number and mean referred buyers.
    """
    from smmsim.audience import build_audience
    from smmsim.trace import trace_replicate

    n_runs = int(scenario.simulation["runs"] if runs is None else runs)
    k = max(0, min(int(sample), n_runs))
    g = build_audience(scenario) if graph is None else graph
    frames = [
        customer_referrals(trace_replicate(scenario, r, rng=rng, graph=g).trace) for r in range(k)
    ]
    table = pd.concat(frames, ignore_index=True) if frames else customer_referrals(_empty())
    customers = table[~table["seed"]]
    seeds = table[table["seed"]]
    refs = np.sort(customers["referred_buyers"].to_numpy())[::-1]
    total = refs.sum()
    top = max(1, int(np.ceil(0.01 * refs.size))) if refs.size else 0
    price = float(scenario.economics["revenue_per_conversion"])

    def mean(x: pd.Series) -> float:
        return float(x.mean()) if len(x) else float("nan")

    return {
        "runs_traced": k,
        "customers": len(customers),
        "share_referring": mean(customers["referred_buyers"] > 0),
        "mean_referred": mean(customers["referred_buyers"]),
        "mean_value": mean(customers["referred_buyers"]) * price,
        "top1_share": float(refs[:top].sum() / total) if total > 0 else float("nan"),
        "earned": {
            "customers": int(customers["earned"].sum()),
            "mean_referred": mean(customers.loc[customers["earned"], "referred_buyers"]),
        },
        "direct": {
            "customers": int((~customers["earned"]).sum()),
            "mean_referred": mean(customers.loc[~customers["earned"], "referred_buyers"]),
        },
        "seeds": {"count": len(seeds), "mean_referred": mean(seeds["referred_buyers"])},
    }


def _empty() -> dict[str, np.ndarray]:
    z = np.zeros(0, dtype=np.int64)
    return {"node": z, "referrer": z, "converted": z, "seed": z, "referred": z}
