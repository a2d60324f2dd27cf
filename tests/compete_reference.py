"""Slow, obvious Python version of one replicate of competing contents on one audience.

It follows ``compete_spec`` (the brand's post, a competitor's post, a false claim, the
brand's rebuttal) literally, with the same counter-based draws as the kernel
(``mix64``, ``stream_key``, ``Stream`` from ``reference``): every draw is keyed by what it
is for, so the order in which the code asks for draws changes nothing, and only the
sequential streams (random seeds, random rebuttal accounts, the turn order) have an order.

Readings chosen where the rules leave room (the simplest one each time):

* Contents are given in content order; the rebuttal, when present, is the last content and
  launches only through ``response``; its accounts come from ``response``.
* Brand totals concern brand *posts* (owner brand, role post); the rebuttal is the brand's
  but is neither a brand impression, brand reach nor a brand engagement.
* The claim's seeds post it without believing it (they take no stance), so that a claim
  nobody engages with changes nothing.
* A rebuttal seed that was a BELIEVER counts in ``corrected`` ("a correction"); a NEUTRAL
  rebuttal seed becomes PROTECTED without counting in ``inoculated`` (the rules name no
  inoculation there).
* "On engaging" covers the whole rest of a rule: stance changes, conversions, customer
  service and sharing happen only after an engagement.
* The competitor conversion draw is made at the user's first engagement with any
  competitor post, against that post's ``conversion``; later engagements never draw again.
* The users "reached by the claim so far" (``saw_claim`` accounts, ``detect`` trigger) are
  those counted in the claim's reach, in the order they were counted: seeds are not among
  them, and ``m`` equals the claim's reach.
* ``top_spreaders`` accounts are in rank order (most believers credited first, ties to the
  earlier record); ``saw_claim`` and ``random`` accounts in draw order; ``brand`` accounts are
  the brand post's seed list of this replicate (as listed, or as drawn), in that order.
* Random seed sets and random accounts ask for ``min(k, n)`` (or ``min(k, m)``) users, so the
  drawing always ends. A fixed delay ``D`` is ``int(mean)``.
* ``rebuttal_step`` is the step at which the rebuttal actually launched (-1 when it did not
  launch before ``steps``). A trigger fires at most once.
* Brand ``shares`` counts brand-post records that shared (as the default model counts its
  shares: a record still waiting at the last step has not shared); per content ``sharers``
  counts records, seeds and waiting records included.

The event log has one tuple ``(step, content, sharer, user, what)`` per impression, in the
order they happen; ``what`` is a sum of the ``EV_*`` bits below (0: an impression and nothing
more, for example on a user who has shared that content already).
"""

from __future__ import annotations

import math

from reference import GOLDEN, MASK, Stream, mix64, stream_key

PURPOSE_COMPETE = 31

NEUTRAL, BRAND, COMPETITOR, BELIEVER = 0, 1, 2, 3
STANCES = ("neutral", "brand", "competitor", "believer")

VIS, ENGAGE, SHARE, IGNORE, PROTECT = 0, 1, 2, 3, 4  # U(j, 8 c + slot); VIS unused (gaps)
BRAND_CONV, COMP_CONV, ANSWER, DELAY = 0, 1, 2, 3  # user draws: U(v, 512 + slot)

EV_REACH = 1  # the user's first counted impression of this content
EV_BRAND_REACH = 2  # the user's first brand-post reach
EV_IGNORE = 4  # a believer ignored a brand post
EV_ENGAGE = 8
EV_REPLY = 16  # customer service answered (first brand engagement)
EV_CONVERT = 32  # a brand conversion (brand post) or a competitor conversion
EV_STANCE = 64  # a NEUTRAL user took this content's side (BRAND, COMPETITOR or BELIEVER)
EV_SHARE = 128  # the user will share this content (a record appended)
EV_CORRECT = 256  # the rebuttal turned a believer NEUTRAL + PROTECTED
EV_INOCULATE = 512  # the rebuttal made a NEUTRAL user PROTECTED
EV_NAMES = (
    "reach",
    "brand_reach",
    "ignore",
    "engage",
    "reply",
    "convert",
    "stance",
    "share",
    "correct",
    "inoculate",
)

CONTENT_DEFAULTS = dict(
    owner="brand",
    role="post",
    visibility=1.0,
    stickiness=0.0,
    contagion=0.0,
    half_life=0.0,
    launch=0,
    seeds=None,
    k=0,
    conversion=0.0,
    damage=0.0,
    ignore=0.0,
    inoculation=0.0,
    correction=0.0,
)
SERVICE_DEFAULTS = dict(
    rate=0.0,
    distribution="fixed",
    mean=0.0,
    patience=-1,
    conversion_uplift=1.0,
    share_uplift=1.0,
)
RESPONSE_DEFAULTS = dict(mode=None, delay=0, detect_count=1, accounts="brand", k=0, nodes=())


def what_names(what: int) -> list[str]:
    """The names of the ``EV_*`` bits set in ``what``."""
    return [name for i, name in enumerate(EV_NAMES) if what >> i & 1]


class Draws:
    """The replicate's counter-based draws: ``U(a, b)`` and the sequential streams ``S(b)``."""

    def __init__(self, root: int, replicate: int):
        self.key = stream_key(int(root), int(replicate), PURPOSE_COMPETE)

    def u(self, a: int, b: int) -> float:
        """Draw ``a`` of slot ``b``: position ``a`` of the SplitMix64 stream ``S(b)``."""
        z = mix64((mix64(self.key ^ mix64(b & MASK)) + a * GOLDEN) & MASK)
        return ((z >> 11) + 0.5) * 2.0**-53

    def chance(self, p: float, a: int, b: int) -> bool:
        """The event of probability ``p`` keyed by ``(a, b)``: certain ones take no draw."""
        if p >= 1.0:
            return True
        if p <= 0.0:
            return False
        return self.u(a, b) < p

    def stream(self, b: int) -> Stream:
        return Stream(mix64(self.key ^ mix64(b & MASK)))


def distinct_draws(stream: Stream, m: int, k: int) -> list[int]:
    """``below(m)`` until ``min(k, m)`` distinct values, in the order first drawn."""
    chosen: list[int] = []
    while len(chosen) < min(k, m):
        x = stream.below(m)
        if x not in chosen:
            chosen.append(x)
    return chosen


def compete_reference(
    indptr,
    indices,
    contents,
    response=None,
    service=None,
    funnel=None,
    steps=10,
    root=0,
    replicate=0,
    n=None,
):
    """One replicate of competing contents; returns a dict of plain Python values.

    Parameters
    ----------
    indptr, indices : sequences of int
        The directed CSR graph: the edge at position ``j`` goes from the user whose row holds
        ``j`` to ``indices[j]`` (who sees what that user posts).
    contents : list of dict
        In content order (0 is the brand's post, the rebuttal last). Keys (defaults in
        ``CONTENT_DEFAULTS``): ``owner`` ('brand', 'competitor', 'claim'), ``role`` ('post',
        'rebuttal'), ``visibility``, ``stickiness``, ``contagion``, ``half_life``, ``launch``,
        ``seeds`` (list of users, or None for ``k`` random ones), ``conversion`` (competitor),
        ``damage`` and ``ignore`` (claim), ``inoculation`` and ``correction`` (rebuttal).
    response : dict or None
        ``mode`` ('delay', 'detect' or None), ``delay``, ``detect_count``, ``accounts``
        ('brand', 'influencers', 'saw_claim', 'top_spreaders', 'random'), ``k``, ``nodes``
        (the influencers).
    service : dict or None
        ``rate``, ``distribution`` ('fixed', 'geometric'), ``mean``, ``patience`` (-1: none),
        ``conversion_uplift``, ``share_uplift``. None: no customer service.
    funnel : dict or None
        ``conversion`` and ``conversion_referred`` of the brand (None: both 0).
    steps, root, replicate : int
        Steps ``0 .. steps-1``; the replicate's streams.
    n : int, optional
        Number of users (``len(indptr) - 1``).

    Returns
    -------
    dict
        Per content (lists indexed by content): ``impressions``, ``reach``, ``engaged``,
        ``sharers``, ``conversions``, ``seeds`` (users launched as seeds). Brand totals:
        ``brand_impressions``, ``brand_paid_impressions``, ``brand_reach``,
        ``brand_earned_reach``, ``brand_engaged``, ``brand_engagements``, ``brand_shares``,
        ``brand_conversions``, ``brand_referral_conversions``. Claim and response:
        ``believers_end``, ``believers_ever``, ``corrected``, ``inoculated``,
        ``last_believer_step``, ``rebuttal_step``, ``replies``, ``replies_in_time``,
        ``delay_sum``. Per user: ``stance`` (``NEUTRAL`` .. ``BELIEVER``), ``protected``.
        Logs: ``events`` (``(step, content, sharer, user, what)`` per impression), ``records``
        (``(user, content, parent, is_seed, step)`` per sharer record), ``credited`` (new
        believers credited to each record), ``steps_run``.
    """
    n = len(indptr) - 1 if n is None else int(n)
    indptr = [int(x) for x in indptr]
    indices = [int(x) for x in indices]
    contents = [{**CONTENT_DEFAULTS, **c} for c in contents]
    response = {**RESPONSE_DEFAULTS, **(response or {})}
    service = {**SERVICE_DEFAULTS, **(service or {})}
    funnel = {"conversion": 0.0, "conversion_referred": 0.0, **(funnel or {})}
    n_contents = len(contents)
    assert 1 <= n_contents <= 8 and contents[0]["owner"] == "brand"
    roles = [c["role"] for c in contents]
    reb = n_contents - 1 if roles[-1] == "rebuttal" else -1
    assert roles.count("rebuttal") == (reb >= 0) and all(r in ("post", "rebuttal") for r in roles)
    owners = [c["owner"] for c in contents]
    claims = [c for c in range(n_contents) if owners[c] == "claim"]
    assert len(claims) <= 1
    claim = claims[0] if claims else -1
    posts = [c for c in range(n_contents) if c != reb]  # the contents in the turn order
    brand_post = [owners[c] == "brand" and c != reb for c in range(n_contents)]
    ignore = contents[claim]["ignore"] if claim >= 0 else 0.0
    damage = contents[claim]["damage"] if claim >= 0 else 0.0
    draws = Draws(root, replicate)

    # seeds of the contents that launch at a fixed step (random ones drawn up front)
    seeds = [[] for _ in range(n_contents)]
    for c in posts:
        if contents[c]["seeds"] is None:
            seeds[c] = distinct_draws(draws.stream(c * GOLDEN + 1024), n, int(contents[c]["k"]))
        else:
            seeds[c] = [int(s) for s in contents[c]["seeds"]]
    launch = [int(c["launch"]) for c in contents]

    mode = response["mode"] if reb >= 0 else None
    reb_step = -1  # the rebuttal's launch step, once known
    if reb >= 0:
        launch[reb] = -1
        if mode == "delay":
            assert claim >= 0
            reb_step = launch[claim] + int(response["delay"])
    triggered = mode == "delay"

    # users
    stance = [NEUTRAL] * n
    reached = [[False] * n for _ in range(n_contents)]
    engaged = [[False] * n for _ in range(n_contents)]
    shared = [[False] * n for _ in range(n_contents)]
    protected = [False] * n
    brand_reached = [False] * n
    brand_engaged = [False] * n
    brand_referred = [False] * n
    brand_converted = [False] * n
    comp_engaged = [False] * n
    comp_converted = [False] * n
    effective = [False] * n
    believed_ever = [False] * n
    claim_reached: list[int] = []  # users counted in the claim's reach, in that order

    records: list[tuple[int, int, int, bool, int]] = []  # (user, content, parent, seed, step)
    credited: list[int] = []  # new believers credited to each record
    done = 0  # records before this index have shared
    events: list[tuple[int, int, int, int, int]] = []
    launched = [[] for _ in range(n_contents)]

    zeros = [0] * n_contents
    out = dict(
        impressions=list(zeros),
        reach=list(zeros),
        engaged=list(zeros),
        sharers=list(zeros),
        conversions=list(zeros),
        brand_impressions=0,
        brand_paid_impressions=0,
        brand_reach=0,
        brand_earned_reach=0,
        brand_engaged=0,
        brand_engagements=0,
        brand_shares=0,
        brand_conversions=0,
        brand_referral_conversions=0,
        believers_end=0,
        believers_ever=0,
        corrected=0,
        inoculated=0,
        last_believer_step=-1,
        rebuttal_step=-1,
        replies=0,
        replies_in_time=0,
        delay_sum=0,
    )

    def append_record(v, c, parent, is_seed, t):
        shared[c][v] = True
        records.append((v, c, parent, is_seed, t))
        credited.append(0)
        out["sharers"][c] += 1

    def launch_seed(s, c, t):
        if shared[c][s]:
            return  # listed twice
        append_record(s, c, -1, True, t)
        launched[c].append(s)
        reached[c][s] = True  # not counted
        if brand_post[c]:
            brand_reached[s] = True  # not counted either
        if c == reb:
            if stance[s] == BELIEVER:
                stance[s] = NEUTRAL
                protected[s] = True
                out["corrected"] += 1
            elif stance[s] == NEUTRAL:
                protected[s] = True
        elif stance[s] == NEUTRAL:
            if owners[c] == "brand":
                stance[s] = BRAND
            elif owners[c] == "competitor":
                stance[s] = COMPETITOR
            # the claim's accounts post it without believing it

    def visible(u, c):
        """The CSR positions of ``u``'s followers who see its share of ``c``: geometric
        gaps from the stream of the sharer and the content."""
        a, b = indptr[u], indptr[u + 1]
        p = contents[c]["visibility"]
        if p >= 1.0:
            return list(range(a, b))
        if p <= 0.0:
            return []
        stream = draws.stream(((u * 8 + c) * GOLDEN + 4096) & MASK)
        out = []
        j = a + stream.gap(p)
        while j < b:
            out.append(j)
            j += stream.gap(p) + 1
        return out

    def stick(c, t):
        p = contents[c]
        if p["half_life"] > 0:
            return p["stickiness"] * 0.5 ** ((t - launch[c]) / p["half_life"])
        return p["stickiness"]

    def service_delay(v):
        if service["distribution"] == "fixed":
            return int(service["mean"])
        if service["mean"] <= 0:
            return 0
        q = 1.0 / (1.0 + service["mean"])
        return math.floor(math.log(draws.u(v, 512 + DELAY)) / math.log(1.0 - q))

    def impression(c, r, j, t):
        from_seed = records[r][3]
        v = indices[j]
        what = 0
        out["impressions"][c] += 1
        if brand_post[c]:
            out["brand_impressions"] += 1
            out["brand_paid_impressions"] += from_seed
        if shared[c][v]:
            return what
        if not reached[c][v]:
            reached[c][v] = True
            out["reach"][c] += 1
            what |= EV_REACH
            if c == claim:
                claim_reached.append(v)
        p = contents[c]
        slot = 8 * c
        if brand_post[c]:
            if not brand_reached[v]:
                brand_reached[v] = True
                out["brand_reach"] += 1
                what |= EV_BRAND_REACH
                if not from_seed:
                    out["brand_earned_reach"] += 1
                    brand_referred[v] = True
            if stance[v] == COMPETITOR:
                return what
            if stance[v] == BELIEVER and draws.chance(ignore, j, slot + IGNORE):
                return what | EV_IGNORE
            if not draws.chance(stick(c, t), j, slot + ENGAGE):
                return what
            what |= EV_ENGAGE
            out["brand_engagements"] += 1
            if not engaged[c][v]:
                engaged[c][v] = True
                out["engaged"][c] += 1
            if not brand_engaged[v]:
                brand_engaged[v] = True
                out["brand_engaged"] += 1
                if draws.chance(service["rate"], v, 512 + ANSWER):
                    what |= EV_REPLY
                    d = service_delay(v)
                    out["replies"] += 1
                    out["delay_sum"] += d
                    if service["patience"] < 0 or d <= service["patience"]:
                        effective[v] = True
                        out["replies_in_time"] += 1
                q = funnel["conversion_referred"] if brand_referred[v] else funnel["conversion"]
                if stance[v] == BELIEVER:
                    q *= 1.0 - damage
                if effective[v]:
                    q *= service["conversion_uplift"]
                if draws.chance(min(q, 1.0), v, 512 + BRAND_CONV):
                    what |= EV_CONVERT
                    brand_converted[v] = True
                    out["conversions"][c] += 1
                    out["brand_conversions"] += 1
                    out["brand_referral_conversions"] += brand_referred[v]
            if stance[v] == NEUTRAL:
                stance[v] = BRAND
                what |= EV_STANCE
            if stance[v] == BRAND and not shared[c][v]:
                uplift = service["share_uplift"] if effective[v] else 1.0
                if draws.chance(min(1.0, p["contagion"] * uplift), j, slot + SHARE):
                    what |= EV_SHARE
                    append_record(v, c, r, False, t)
            return what
        if owners[c] == "competitor":
            if stance[v] not in (NEUTRAL, COMPETITOR):
                return what
            if not draws.chance(stick(c, t), j, slot + ENGAGE):
                return what
            what |= EV_ENGAGE
            if not engaged[c][v]:
                engaged[c][v] = True
                out["engaged"][c] += 1
            if stance[v] == NEUTRAL:
                stance[v] = COMPETITOR
                what |= EV_STANCE
            if not comp_engaged[v]:
                comp_engaged[v] = True
                if draws.chance(p["conversion"], v, 512 + COMP_CONV):
                    what |= EV_CONVERT
                    comp_converted[v] = True
                    out["conversions"][c] += 1
        elif c == claim:
            if not ((stance[v] == NEUTRAL and not protected[v]) or stance[v] == BELIEVER):
                return what
            if not draws.chance(stick(c, t), j, slot + ENGAGE):
                return what
            what |= EV_ENGAGE
            if not engaged[c][v]:
                engaged[c][v] = True
                out["engaged"][c] += 1
            if stance[v] == NEUTRAL:
                stance[v] = BELIEVER
                what |= EV_STANCE
                believed_ever[v] = True
                out["last_believer_step"] = t
                credited[r] += 1
        else:  # the rebuttal
            if stance[v] == BELIEVER:
                if draws.chance(p["correction"], j, slot + PROTECT):
                    stance[v] = NEUTRAL
                    protected[v] = True
                    out["corrected"] += 1
                    what |= EV_CORRECT
            elif stance[v] == NEUTRAL and not protected[v]:
                if draws.chance(p["inoculation"], j, slot + PROTECT):
                    protected[v] = True
                    out["inoculated"] += 1
                    what |= EV_INOCULATE
            if not draws.chance(stick(c, t), j, slot + ENGAGE):
                return what
            what |= EV_ENGAGE
            if not engaged[c][v]:
                engaged[c][v] = True
                out["engaged"][c] += 1
        if not shared[c][v] and draws.chance(p["contagion"], j, slot + SHARE):
            what |= EV_SHARE
            append_record(v, c, r, False, t)
        return what

    def rebuttal_accounts():
        kind, k = response["accounts"], int(response["k"])
        if kind == "brand":
            return list(seeds[0])
        if kind == "influencers":
            return [int(x) for x in response["nodes"]]
        stream = draws.stream(reb * GOLDEN + 1025)
        if kind == "random":
            return distinct_draws(stream, n, k)
        if kind == "saw_claim":
            return [claim_reached[i] for i in distinct_draws(stream, len(claim_reached), k)]
        assert kind == "top_spreaders"
        ranked = sorted(
            (r for r in range(len(records)) if records[r][1] == claim and credited[r] > 0),
            key=lambda r: (-credited[r], r),
        )
        return [records[r][0] for r in ranked[:k]]

    steps_run = 0
    for t in range(steps):
        steps_run = t + 1
        # 1. launches
        for c in posts:
            if launch[c] == t:
                for s in seeds[c]:
                    launch_seed(s, c, t)
        if reb >= 0 and reb_step == t:
            launch[reb] = t
            out["rebuttal_step"] = t
            seeds[reb] = rebuttal_accounts()
            for s in seeds[reb]:
                launch_seed(s, reb, t)
        # 2. turn order
        order = list(range(len(posts)))
        turn = draws.stream(t * GOLDEN + 2048)
        for i in range(len(order) - 1, 0, -1):
            j = turn.below(i + 1)
            order[i], order[j] = order[j], order[i]
        order = ([reb] if reb >= 0 else []) + [posts[i] for i in order]
        # 3. shares of the frontier
        frontier = range(done, len(records))
        done = len(records)
        for c in order:
            for r in frontier:
                u, rc = records[r][0], records[r][1]
                if rc != c:
                    continue
                if brand_post[c]:
                    out["brand_shares"] += 1
                for j in visible(u, c):
                    what = impression(c, r, j, t)
                    events.append((t, c, u, indices[j], what))
        # 5. response trigger
        if mode == "detect" and not triggered and len(claim_reached) >= response["detect_count"]:
            triggered = True
            reb_step = t + 1 + int(response["delay"])
        # 6. the end
        waiting = len(records) > done
        later = any(launch[c] > t for c in posts) or reb_step > t
        if mode == "detect" and not triggered:
            claim_waiting = any(records[r][1] == claim for r in range(done, len(records)))
            later = later or claim_waiting
        if not waiting and not later:
            break

    out.update(
        believers_end=sum(s == BELIEVER for s in stance),
        believers_ever=sum(believed_ever),
        stance=stance,
        protected=protected,
        seeds=launched,
        events=events,
        records=records,
        credited=credited,
        steps_run=steps_run,
    )
    return out
