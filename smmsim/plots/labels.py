"""Words for pictures: human labels of scenario keys and run metrics.

A swept or scanned scenario key is shown on an axis as ``"Stickiness"``, not
``content.stickiness``. :data:`PARAM_LABELS` names the numeric keys of the scenario
schema (with their unit where they have one); :func:`param_label` falls back to the
key's last part in words for any other key, and :func:`metric_label` does the same for
run metrics and sweep columns.

Examples
--------
>>> param_label("content.stickiness")
'Stickiness'
>>> param_label("seeding.k")
'Number of seed users'
>>> metric_label("new_sharers_per_sharer")
'New sharers per sharer (this run)'
"""

from __future__ import annotations

__all__ = ["METRIC_LABELS", "PARAM_LABELS", "metric_label", "param_label"]

#: Axis labels of the scenario keys a sweep or a threshold scan varies.
PARAM_LABELS: dict[str, str] = {
    "audience.n": "Audience size (users)",
    "audience.mean_degree": "Mean ties per user",
    "audience.m": "Ties each new user makes",
    "audience.exponent": "Degree exponent",
    "audience.min_degree": "Fewest ties per user",
    "audience.max_degree": "Most ties per user",
    "audience.rewire": "Rewiring probability",
    "audience.segments": "Audience segments",
    "audience.homophily": "Homophily (share of ties inside a segment)",
    "audience.rng_seed": "Audience random seed",
    "content.stickiness": "Stickiness",
    "content.contagion": "Contagion",
    "content.visibility": "Visibility",
    "content.half_life": "Novelty half-life (steps)",
    "content.fatigue": "Audience fatigue",
    "seeding.strategy": "Seeding strategy",
    "seeding.k": "Number of seed users",
    "seeding.budget": "Seeding budget",
    "seeding.epsilon": "IMM accuracy (epsilon)",
    "seeding.min_followers": "Fewest followers of a candidate",
    "funnel.conversion": "Conversion probability",
    "funnel.referral_multiplier": "Referral multiplier",
    "economics.cost_per_seed": "Cost per seed user",
    "economics.cost_per_follower": "Cost per follower",
    "economics.fixed_cost": "Fixed campaign cost",
    "economics.revenue_per_conversion": "Revenue per conversion",
    "economics.cpm": "Earned media value per 1,000 impressions",
    "simulation.runs": "Runs",
    "simulation.steps": "Horizon (steps)",
    "simulation.rng_seed": "Random seed",
    "simulation.viral_fraction": "Viral fraction of the audience",
    "social_proof.threshold": "Social-proof threshold (share of friends)",
    "complex_contagion.m": "Sharing friends needed to adopt",
    "bass.p": "Innovation p (ads)",
    "bass.q": "Imitation q (word of mouth)",
    "bass.ad_start": "First ad step",
    "bass.ad_stop": "Step the ads stop",
    "bass.ad_cpm": "Ad cost per 1,000 impressions",
    "sir.beta": "Transmission rate beta (per hour)",
    "sir.gamma": "Loss-of-interest rate gamma (per hour)",
    "sir.dt": "Step width (hours)",
    "competitor.k": "Competitor's accounts",
    "competitor.launch": "Competitor's launch step",
    "competitor.stickiness": "Competitor's stickiness",
    "competitor.contagion": "Competitor's contagion",
    "competitor.visibility": "Competitor's visibility",
    "competitor.half_life": "Competitor's novelty half-life (steps)",
    "competitor.conversion": "Competitor's conversion probability",
    "claim.k": "Accounts posting the claim",
    "claim.launch": "Claim's launch step",
    "claim.stickiness": "Claim's stickiness",
    "claim.contagion": "Claim's contagion",
    "claim.visibility": "Claim's visibility",
    "claim.half_life": "Claim's novelty half-life (steps)",
    "claim.damage": "Damage (fall in a believer's chance to buy)",
    "claim.ignore": "Chance a believer ignores a brand post",
    "response.delay": "Response delay (steps)",
    "response.detect": "Detection level (share of the audience)",
    "response.k": "Accounts posting the rebuttal",
    "response.stickiness": "Rebuttal's stickiness",
    "response.contagion": "Rebuttal's contagion",
    "response.visibility": "Rebuttal's visibility",
    "response.half_life": "Rebuttal's novelty half-life (steps)",
    "response.inoculation": "Inoculation (chance the rebuttal protects)",
    "response.correction": "Correction (chance the rebuttal changes a mind)",
    "response.cost": "Cost of the response",
    "service.rate": "Customer-service response rate",
    "service.delay": "Customer-service mean delay (steps)",
    "service.patience": "Customer-service patience (steps)",
    "service.conversion_uplift": "Conversion uplift of an answer",
    "service.share_uplift": "Sharing uplift of an answer",
    "service.cost_per_reply": "Cost per reply",
}

#: Axis labels (with units) of the run metrics and of the theory columns of a sweep.
METRIC_LABELS: dict[str, str] = {
    "impressions": "Impressions (views, repeats included)",
    "reach": "Reach (users)",
    "paid_reach": "Paid reach (users)",
    "earned_reach": "Earned reach (users)",
    "engaged": "Engaged users",
    "engagements": "Engagements",
    "shares": "Sharers (users)",
    "earned_shares": "Earned sharers (users)",
    "conversions": "Conversions (purchases)",
    "direct_conversions": "Direct conversions (purchases)",
    "referral_conversions": "Referral conversions (purchases)",
    "new_sharers_per_sharer": "New sharers per sharer (this run)",
    "depth": "Depth (generations of sharing)",
    "structural_virality": "Structural virality (mean hops between sharers)",
    "peak_step": "Peak step",
    "viral": "Probability of going viral",
    "cost": "Cost",
    "revenue": "Revenue",
    "roi": "ROI ((revenue - cost) / cost)",
    "earned_media_value": "Earned media value",
    "theory_k_factor": "Viral coefficient K (theory)",
    "theory_p_large": "Probability of a large cascade (theory)",
    "theory_critical": "Critical value (theory)",
    "brand_share_of_voice": "Brand's share of voice (impressions)",
    "claim_reach": "Claim's reach (users)",
    "believers": "Believers of the claim at the end (users)",
    "containment_step": "Step the claim is contained",
    "damage": "Conversions lost to the claim",
    "response_time": "Customer-service response time (steps)",
}


def _words(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def param_label(key: str) -> str:
    """Axis label of a scenario key: ``"content.stickiness"`` -> ``"Stickiness"``.

    Keys not in :data:`PARAM_LABELS` read as their last part in words
    (``"content.half_life"`` would read ``"Half life"``).
    """
    return PARAM_LABELS.get(key) or _words(key.rsplit(".", 1)[-1])


def metric_label(name: str) -> str:
    """Axis label of a run metric or sweep column, with its unit where it has one."""
    if name in METRIC_LABELS:
        return METRIC_LABELS[name]
    if "." in name:
        return param_label(name)
    return _words(name)
