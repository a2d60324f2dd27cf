"""Competing word of mouth: the brand's post beside a competitor's, a false viral claim,
the brand's rebuttal and its customer service, on one audience.

Four optional scenario sections turn it on: ``competitor:`` (a rival's post),
``claim:`` (a false claim that the product causes harm), ``response:`` (the brand's
rebuttal of the claim, after a delay or once the claim is detected) and ``service:``
(customer service answering engaged users). A scenario with none of them runs the
default model unchanged. The brand's post is the scenario's ``content``, ``seeding``
and ``funnel``, as in the default model; its funnel, the report and ROI are the
brand's, and what every content did is in the batch's tallies
(:mod:`smmsim._kernels.compete_layout`). The rules are in
:mod:`smmsim._kernels.compete` and ``docs/competition.md``.

References
----------
C. Budak, D. Agrawal and A. El Abbadi, "Limiting the spread of misinformation in social
networks", WWW 2011.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np

from smmsim._kernels.compete_layout import (
    OWNER_BRAND,
    OWNER_CLAIM,
    OWNER_COMPETITOR,
    ROLE_POST,
    ROLE_REBUTTAL,
    tally_layout,
)
from smmsim._kernels.layout import MODEL_FLAG_A, MODEL_FLAG_B
from smmsim.graph import CSRGraph
from smmsim.models.base import Model, RawBatch, segment_count
from smmsim.models.ewom import EWOM
from smmsim.params import Param, ParamError, half_life_param, optional_int_param
from smmsim.theory.bond_percolation import Seeding

__all__ = ["COMPETITION_SECTIONS", "Competition", "competes"]

#: How a competing content's seeds are chosen.
CONTENT_STRATEGIES = ("random", "top_degree", "nodes")
#: Who posts the brand's rebuttal.
ACCOUNTS = ("brand", "influencers", "saw_claim", "top_spreaders")
#: Customer service's delays: always ``delay`` steps, or geometric with mean ``delay``.
DELAYS = ("geometric", "fixed")


def _p(default: float, description: str) -> Param:
    return Param("float", default, low=0, high=1, description=description)


def _spread(stickiness: float, contagion: float, what: str) -> dict[str, Param]:
    return {
        "stickiness": _p(stickiness, f"chance a user who sees {what} engages"),
        "contagion": _p(contagion, f"chance a user who engaged reshares {what}"),
        "visibility": _p(0.5, f"chance a share of {what} shows in a follower's feed"),
        "half_life": half_life_param(f"steps for the appeal of {what} to halve (null: no decay)"),
    }


def _seeds(k: int, who: str, texts: tuple[str, str, str] | None = None) -> dict[str, Param]:
    """``k``, ``strategy`` and ``nodes`` of the accounts that post a content (``texts``:
    their descriptions, when the generated ones do not fit)."""
    k_text, strategy_text, nodes_text = texts or (
        f"number of {who}",
        f"how the {who} are chosen: random (afresh each run), most-followed, or listed in nodes",
        f"user ids of the {who} (with strategy nodes)",
    )
    return {
        "k": Param("int", k, low=1, description=k_text),
        "strategy": Param("str", "random", choices=CONTENT_STRATEGIES, description=strategy_text),
        "nodes": Param(
            "list", None, low=1, items=("int", "str"), nullable=True, description=nodes_text
        ),
    }


#: The competing-content sections, each validated and filled with defaults when the
#: scenario has it (a scenario without them is the default model's).
COMPETITION_SECTIONS: dict[str, dict[str, Param]] = {
    "competitor": {
        **_seeds(10, "accounts that post the competitor's content"),
        "launch": Param("int", 0, low=0, description="step at which the competitor posts"),
        **_spread(0.15, 0.5, "the competitor's post"),
        "conversion": _p(0.02, "chance a user won by the competitor buys from it"),
    },
    "claim": {
        **_seeds(5, "accounts that post the false claim"),
        "launch": Param("int", 0, low=0, description="step at which the claim appears"),
        **_spread(0.3, 0.5, "the claim"),
        "damage": _p(0.5, "a believer's chance to buy from the brand falls by this share"),
        "ignore": _p(0.3, "chance a believer ignores each later brand post they see"),
    },
    "response": {
        "delay": Param(
            "int",
            4,
            low=0,
            description="steps from the claim's launch (with detect: from its detection) "
            "to the brand's rebuttal",
        ),
        "detect": Param(
            "float",
            None,
            low=0,
            high=1,
            closed="neither",
            nullable=True,
            description="answer once the claim has reached this share of the audience "
            "(null: answer delay steps after its launch)",
        ),
        "accounts": Param(
            "str",
            "brand",
            choices=ACCOUNTS,
            description="who posts the rebuttal: the brand's seeds, paid influencers, "
            "users who saw the claim, or the claim's top spreaders so far",
        ),
        **_seeds(
            10,
            "influencers",
            (
                "accounts that post the rebuttal with accounts influencers, saw_claim or "
                "top_spreaders (top_spreaders: at most those who made a believer)",
                "with accounts influencers: random (afresh each run), most-followed, or "
                "listed in nodes",
                "user ids of the influencers (accounts influencers, strategy nodes)",
            ),
        ),
        **_spread(0.3, 0.5, "the rebuttal"),
        "inoculation": _p(
            0.5, "chance the rebuttal protects a user who does not believe the claim (yet)"
        ),
        "correction": _p(0.2, "chance the rebuttal changes a believer's mind"),
        "cost": Param("float", 0.0, low=0, description="cost of the response, when it is made"),
    },
    "service": {
        "rate": _p(0.3, "share of engaged users customer service answers"),
        "delay": Param("float", 2.0, low=0, description="mean steps until an answer"),
        "distribution": Param(
            "str",
            "geometric",
            choices=DELAYS,
            description="answer delays: geometric with mean delay, or always delay (fixed)",
        ),
        "patience": optional_int_param(
            "an answer later than this many steps changes nothing (null: any)", low=0
        ),
        "conversion_uplift": Param(
            "float", 1.5, low=0, description="multiplies an answered user's chance to buy"
        ),
        "share_uplift": Param(
            "float", 1.2, low=0, description="multiplies an answered user's chance to share"
        ),
        "cost_per_reply": Param("float", 2.0, low=0, description="cost of one answer"),
    },
}


def competes(data: dict[str, Any]) -> bool:
    """Does a resolved scenario (its data) have competing content or customer service?"""
    return any(data.get(section) for section in COMPETITION_SECTIONS)


def check_competition(data: dict[str, Any]) -> None:
    """Cross-key checks of the competing-content sections (raise ParamError)."""
    if not competes(data):
        return
    if data["model"] != "ewom":
        section = next(s for s in COMPETITION_SECTIONS if data.get(s))
        raise ParamError(
            section,
            f"competing content and customer service run on the default model (model: "
            f"ewom), got model: {data['model']}",
        )
    if data.get("response") and not data.get("claim"):
        raise ParamError(
            "response",
            "answers a claim, but the scenario has none; add a claim: section (the false "
            "claim the brand answers) or remove response",
        )
    steps = int(data["simulation"]["steps"])
    for section in ("competitor", "claim"):
        sec = data.get(section)
        if sec and sec["launch"] >= steps:
            raise ParamError(
                f"{section}.launch",
                f"must be below simulation.steps = {steps}, got {sec['launch']}",
            )
    for section in ("competitor", "claim", "response"):
        sec = data.get(section)
        if not sec:
            continue
        if sec["strategy"] == "nodes" and not sec["nodes"]:
            raise ParamError(f"{section}.nodes", "must list user ids with strategy nodes")
        if sec["nodes"] and sec["strategy"] != "nodes":
            raise ParamError(
                f"{section}.nodes", f"is only allowed with strategy nodes, got {sec['strategy']}"
            )
    service = data.get("service")
    if service and service["distribution"] == "fixed" and not float(service["delay"]).is_integer():
        raise ParamError(
            "service.delay",
            f"must be a whole number of steps with distribution fixed, got {service['delay']}",
        )


@dataclass(frozen=True)
class Competition(Model):
    """The brand's post (the default model's parameters) with competing content.

    Parameters
    ----------
    brand : EWOM
        The brand's post and funnel.
    competitor, claim, response, service : dict or None
        The scenario's sections of those names (``None``: absent).
    """

    brand: EWOM
    competitor: dict | None
    claim: dict | None
    response: dict | None
    service: dict | None

    name = "ewom"
    uses = EWOM.uses
    title = "competing contents on one audience (multi-campaign independent cascade)"
    kernel = "smmsim._kernels.compete"
    trace_flags: ClassVar[dict[str, int]] = {
        "believer": MODEL_FLAG_A,
        "lost_to_competitor": MODEL_FLAG_B,
    }

    @classmethod
    def from_scenario(cls, scenario: Any, claim: bool = True) -> Competition:
        """Build from a scenario (``claim=False``: the same scenario without the claim and
        the response, the baseline that damage is measured against)."""
        data = scenario.data
        return cls(
            brand=EWOM.from_scenario(scenario),
            competitor=data.get("competitor"),
            claim=data.get("claim") if claim else None,
            response=data.get("response") if claim else None,
            service=data.get("service"),
        )

    def without_claim(self) -> Competition:
        """The same contents without the claim and the response."""
        return replace(self, claim=None, response=None)

    @property
    def contents(self) -> list[tuple[str, dict | None]]:
        """``(owner or "rebuttal", section)`` of each content, in kernel order."""
        out: list[tuple[str, dict | None]] = [("brand", None)]
        if self.competitor:
            out.append(("competitor", self.competitor))
        if self.claim:
            out.append(("claim", self.claim))
        if self.response:
            out.append(("rebuttal", self.response))
        return out

    def index_of(self, owner: str) -> int:
        """The kernel index of the content of ``owner`` (-1: none)."""
        for i, (who, _) in enumerate(self.contents):
            if who == owner:
                return i
        return -1

    def tally_width(self, graph: CSRGraph, steps: int) -> int:
        """Tallies a replicate (see :mod:`smmsim._kernels.compete_layout`)."""
        return self.layout(graph, steps)[-1]

    def layout(self, graph: CSRGraph, steps: int) -> list[int]:
        """Where each block of a replicate's tallies starts (``L_*`` entries)."""
        return tally_layout(len(self.contents), steps, segment_count(graph))

    def kernel_args(self, graph: CSRGraph, steps: int) -> tuple:
        """``(indptr, indices, params, ints, seed_nodes, response, service, funnel,
        layout)`` for :func:`smmsim._kernels.compete.run_reps`."""
        from smmsim._kernels import compete as K

        contents = self.contents
        params = np.zeros((len(contents), K.N_PARAMS), dtype=np.float64)
        ints = np.zeros((len(contents), K.N_INTS), dtype=np.int64)
        lists: list[np.ndarray] = []
        at = 0
        b = self.brand
        owners = {"brand": OWNER_BRAND, "competitor": OWNER_COMPETITOR, "claim": OWNER_CLAIM}
        for c, (who, sec) in enumerate(contents):
            spread = (
                (b.visibility, b.stickiness, b.contagion, b.half_life)
                if sec is None
                else (sec["visibility"], sec["stickiness"], sec["contagion"], sec["half_life"])
            )
            params[c, K.P_VISIBILITY] = spread[0]
            params[c, K.P_STICKINESS] = spread[1]
            params[c, K.P_CONTAGION] = spread[2]
            params[c, K.P_HALF_LIFE] = 0.0 if spread[3] is None else float(spread[3])
            ints[c, K.I_OWNER] = owners.get(who, OWNER_BRAND)
            ints[c, K.I_ROLE] = ROLE_REBUTTAL if who == "rebuttal" else ROLE_POST
            if sec is None:
                continue
            if who == "competitor":
                params[c, K.P_CONVERSION] = sec["conversion"]
            elif who == "claim":
                params[c, K.P_DAMAGE] = sec["damage"]
                params[c, K.P_IGNORE] = sec["ignore"]
            else:
                params[c, K.P_INOCULATION] = sec["inoculation"]
                params[c, K.P_CORRECTION] = sec["correction"]
            if who != "rebuttal":
                ints[c, K.I_LAUNCH] = sec["launch"]
            drawn = sec["strategy"] == "random"
            if who == "rebuttal" and sec["accounts"] != "influencers":
                drawn = False
            if drawn:
                ints[c, K.I_RANDOM_K] = min(int(sec["k"]), graph.n)
            elif who != "rebuttal" or sec["accounts"] == "influencers":
                nodes = _fixed_seeds(graph, sec)
                lists.append(nodes)
                ints[c, K.I_SEED_START] = at
                ints[c, K.I_SEED_END] = at + nodes.size
                at += nodes.size
        response = np.full(K.N_RESPONSE, -1, dtype=np.int64)
        response[K.R_MODE] = K.MODE_NONE
        response[K.R_CLAIM] = self.index_of("claim")
        response[K.R_REBUTTAL] = self.index_of("rebuttal")
        if self.response:
            r = self.response
            detect = r["detect"]
            response[K.R_MODE] = K.MODE_DELAY if detect is None else K.MODE_DETECT
            response[K.R_DELAY] = int(r["delay"])
            response[K.R_DETECT] = 0 if detect is None else max(1, math.ceil(detect * graph.n))
            response[K.R_ACCOUNTS] = {
                "brand": K.ACCOUNTS_BRAND,
                "influencers": K.ACCOUNTS_RANDOM if r["strategy"] == "random" else K.ACCOUNTS_LIST,
                "saw_claim": K.ACCOUNTS_SAW_CLAIM,
                "top_spreaders": K.ACCOUNTS_TOP_SPREADERS,
            }[r["accounts"]]
            response[K.R_K] = min(int(r["k"]), graph.n)
        service = np.zeros(K.N_SERVICE, dtype=np.float64)
        service[K.S_CONVERSION_UPLIFT] = 1.0
        service[K.S_SHARE_UPLIFT] = 1.0
        service[K.S_PATIENCE] = -1.0
        if self.service:
            s = self.service
            service[K.S_RATE] = s["rate"]
            service[K.S_MEAN] = s["delay"]
            service[K.S_PATIENCE] = -1.0 if s["patience"] is None else float(s["patience"])
            service[K.S_CONVERSION_UPLIFT] = s["conversion_uplift"]
            service[K.S_SHARE_UPLIFT] = s["share_uplift"]
            service[K.S_GEOMETRIC] = 1.0 if s["distribution"] == "geometric" else 0.0
        funnel = np.array(
            [b.conversion, min(1.0, b.conversion * b.referral_multiplier)], dtype=np.float64
        )
        seed_nodes = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int64)
        layout = np.asarray(self.layout(graph, steps), dtype=np.int64)
        return (
            graph.indptr,
            graph.indices,
            params,
            ints,
            seed_nodes.astype(np.int64),
            response,
            service,
            funnel,
            layout,
        )

    def finish(self, batch: RawBatch, graph: CSRGraph) -> RawBatch:
        """Customer service's replies and the response are paid media: their cost goes
        into each run's ``media_cost`` (and from there into cost and ROI)."""
        from smmsim._kernels.compete_layout import F_REBUTTAL_STEP, F_REPLIES

        tallies = batch.tallies
        fixed = self.layout(graph, 1)[0]
        cost = np.zeros(len(batch), dtype=np.float64)
        if self.service:
            cost += tallies[:, fixed + F_REPLIES] * float(self.service["cost_per_reply"])
        if self.response and self.response["cost"]:
            cost += (tallies[:, fixed + F_REBUTTAL_STEP] >= 0) * float(self.response["cost"])
        if self.service or self.response:
            batch.media_cost = cost
        return batch

    def theory(self, graph: CSRGraph, seeds: Seeding | int) -> dict:
        """The brand's post alone (Newman 2002), with the caveat of what competes with it."""
        out = dict(self.brand.theory(graph, seeds))
        rivals = [w for w, on in (("a competitor", self.competitor), ("a claim", self.claim)) if on]
        words = []
        if rivals:
            words.append(
                f"The audience also hears {' and '.join(rivals)}, which "
                f"{'take' if len(rivals) > 1 else 'takes'} users from "
                "the brand's cascade: theory here is the brand's post alone on an audience "
                "that hears nothing else, so it overstates the brand's large cascades and reach."
            )
        if self.service and self.service["share_uplift"] != 1.0:
            words.append(
                "Customer service changes the sharing chance of the users it answers, "
                "which theory's single transmissibility leaves out."
            )
        if words:
            own = out.get("caveats")
            out["caveats"] = " ".join([own, *words] if own else words)
        return out


def _fixed_seeds(graph: CSRGraph, section: dict) -> np.ndarray:
    """The listed or most-followed accounts of a competing content's section."""
    from smmsim.seeding import top_degree

    if section["strategy"] == "nodes":
        return np.unique(graph.node_ids(list(section["nodes"]))).astype(np.int64)
    return top_degree(graph, int(section["k"])).astype(np.int64)
