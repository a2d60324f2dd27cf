"""A content calendar: the campaign's posts, each with its launch, content, seeds and cost,
on the default model, with audience fatigue.

``posts:`` (a top-level list) names the posts; each takes its content (``stickiness``,
``contagion``, ``visibility``, ``half_life``) from ``content`` and its seeding
(``strategy``, ``k``, ``nodes``, ``segments``) from ``seeding`` unless it gives its own.
``content.fatigue`` lowers a user's stickiness with each impression of the brand they
received before. The rules are in :mod:`smmsim._kernels.posts` and ``docs/campaigns.md``.

A scenario without ``posts:`` and without fatigue, or with one post at step 0 that keeps
the scenario's seeding and costs nothing extra, runs the default model unchanged
(:func:`calendar_of` returns ``None``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from smmsim._kernels.posts_layout import MAX_POSTS, N_POST_COLUMNS, POST_COLUMNS, tally_width
from smmsim.errors import AudienceError
from smmsim.graph import CSRGraph
from smmsim.models.base import Model, RawBatch, trace_users
from smmsim.models.ewom import EWOM
from smmsim.params import (
    Param,
    ParamError,
    half_life_param,
    optional_int_param,
    optional_list_param,
    validate_mapping,
)
from smmsim.segments import in_segments, multiplier_table

__all__ = [
    "POST_PARAMS",
    "Calendar",
    "calendar_of",
    "check_calendar",
    "effective_posts",
    "resolve_posts",
]

#: Content keys a post may set (default: ``content``'s).
CONTENT_KEYS = ("stickiness", "contagion", "visibility", "half_life")
#: Seeding keys a post may set (default: ``seeding``'s).
SEEDING_KEYS = ("strategy", "k", "nodes", "segments")
#: How a post's seeds are chosen.
POST_STRATEGIES = ("random", "top_degree", "nodes")


def _p(description: str) -> Param:
    return Param("float", None, low=0, high=1, nullable=True, description=description)


#: The keys of one post (``posts[i]``), validated like every scenario key.
POST_PARAMS: dict[str, Param] = {
    "name": Param("str", None, nullable=True, description="the post's name (default: post 1, ...)"),
    "at": Param(
        "any",
        0,
        type_text="a step (an integer >= 0) or a date",
        description="when the post goes out: a step, or a date with simulation.start",
    ),
    "stickiness": _p("chance a user who sees the post engages (default: content's)"),
    "contagion": _p("chance a user who engaged reshares the post (default: content's)"),
    "visibility": _p("chance a share of the post shows in a follower's feed (default: content's)"),
    "half_life": half_life_param(
        "steps from the post's launch for its appeal to halve (default: content's; null: none)"
    ),
    "strategy": Param(
        "str",
        None,
        nullable=True,
        choices=(*POST_STRATEGIES, "optimize"),
        description="who posts it: random (afresh each run), most-followed, or listed in nodes "
        "(default: seeding's)",
    ),
    "k": optional_int_param("number of seed accounts", low=1),
    "nodes": optional_list_param(
        ("int", "str"),
        "user ids of the seed accounts (with strategy nodes)",
        low=1,
    ),
    "segments": optional_list_param(
        ("str", "int"),
        "seed accounts are drawn from these audience segments (names or ids)",
        low=1,
    ),
    "cost": Param("float", 0.0, low=0, description="cost of the post beyond its seeds' fees"),
}


def _check_shape(value: Any, key: str) -> list:
    if value is None:
        return value
    if not isinstance(value, list | tuple) or not value:
        raise ParamError(
            key, "must be a non-empty list of posts, each a mapping such as {at: 7, k: 5}"
        )
    if len(value) > MAX_POSTS:
        raise ParamError(key, f"may list at most {MAX_POSTS} posts, got {len(value)}")
    return list(value)


#: The top-level ``posts`` key.
POSTS_PARAM = Param(
    "any",
    None,
    nullable=True,
    check=_check_shape,
    type_text="a list of posts",
    description="the content calendar: [{name, at, stickiness, contagion, visibility, "
    "half_life, strategy, k, nodes, segments, cost}] (see docs/campaigns.md)",
)
#: ``content.fatigue``.
FATIGUE_PARAM = Param(
    "float",
    0.0,
    low=0,
    high=1,
    closed="left",
    description="each earlier impression of the brand multiplies a user's stickiness by "
    "(1 - fatigue)",
)


def resolve_posts(raw: Any, data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The scenario's posts, validated: each with its ``name`` (default ``post i``), ``at``
    as a step, ``cost``, and the content and seeding keys it gives (the others follow
    ``content`` and ``seeding``, overrides of those included: :func:`effective_posts`);
    raise :class:`~smmsim.params.ParamError` naming the post and key."""
    from smmsim.timeline import Timeline

    if raw is None:
        return None
    timeline = Timeline.of(data["simulation"])
    steps = int(data["simulation"]["steps"])
    out = []
    for i, given in enumerate(raw):
        where = f"posts[{i}]"
        if not isinstance(given, Mapping):
            raise ParamError(where, "must be a mapping such as {name: launch, at: 0, k: 5}")
        post = validate_mapping(given, POST_PARAMS, where, where=f"a post ({where})")
        post["name"] = post["name"] or f"post {i + 1}"
        post["at"] = timeline.step_of(post["at"], f"{where}.at")
        if post["at"] >= steps:
            raise ParamError(
                f"{where}.at",
                f"must be before the end of the simulation (step {steps - 1} at most, "
                f"simulation.steps = {steps}), got step {post['at']}",
            )
        sparse = {k: v for k, v in post.items() if k in ("name", "at", "cost") or k in given}
        _check_post_seeding(_effective(sparse, data), sparse, where)
        out.append(sparse)
    names = [p["name"] for p in out]
    for i, name in enumerate(names):
        if names.index(name) != i:
            raise ParamError(f"posts[{i}].name", f"{name!r} names an earlier post too")
    return out


def _effective(post: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A validated post with every key: content and seeding from the scenario's unless
    the post gives its own (a post that names its seeding keeps the scenario's ``nodes``
    and ``segments`` only if it gives them)."""
    out = {k: post.get(k) for k in POST_PARAMS}
    out["cost"] = post.get("cost", 0.0)
    for key in CONTENT_KEYS:
        if key not in post:
            out[key] = data["content"][key]
    own = any(key in post for key in SEEDING_KEYS)
    for key in SEEDING_KEYS:
        if key not in post and not (own and key in ("nodes", "segments")):
            out[key] = data["seeding"].get(key)
    if out["strategy"] == "nodes" and out["nodes"] and "k" not in post:
        out["k"] = len(out["nodes"])
    return out


def effective_posts(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A resolved scenario's posts with every key filled in (``None``: no posts)."""
    posts = data.get("posts")
    return None if not posts else [_effective(p, data) for p in posts]


def _check_post_seeding(post: dict[str, Any], given: Mapping, where: str) -> None:
    strategy, nodes = post["strategy"], post["nodes"]
    if strategy == "nodes":
        if not nodes:
            raise ParamError(f"{where}.nodes", "must list user ids with strategy nodes")
        if "k" in given and post["k"] != len(nodes):
            raise ParamError(
                f"{where}.k",
                f"must equal the number of nodes ({len(nodes)}) or be left out, got {post['k']}",
            )
    elif nodes is not None and "nodes" in given:
        raise ParamError(
            f"{where}.nodes", f"is only allowed with strategy nodes (strategy is {strategy})"
        )


def is_plain(data: dict[str, Any]) -> bool:
    """Is a resolved scenario's calendar today's one post (no ``posts``, or one post at step
    0 with the scenario's own seeding and no extra cost) without fatigue?"""
    posts = effective_posts(data)
    if data["content"].get("fatigue", 0.0) > 0.0:
        return False
    if not posts:
        return True
    if len(posts) != 1:
        return False
    (post,) = posts
    seeding = data["seeding"]
    return (
        post["at"] == 0
        and post["cost"] == 0
        and all(post[k] == seeding.get(k) for k in SEEDING_KEYS)
    )


def check_calendar(data: dict[str, Any]) -> None:
    """Cross-key checks of a calendar (raise ParamError): the default model, no competing
    contents, and seeds a calendar can place."""
    from smmsim.models.competition import COMPETITION_SECTIONS

    posts = effective_posts(data)
    fatigue = data["content"].get("fatigue", 0.0)
    if not posts and fatigue <= 0.0:
        return
    key = "posts" if posts else "content.fatigue"
    what = "a content calendar (posts:)" if posts else "audience fatigue"
    if data["model"] != "ewom":
        raise ParamError(
            key,
            f"{what} runs on the default model (model: ewom), got model: {data['model']}; "
            "see docs/campaigns.md for why the other models take no posts",
        )
    rivals = [s for s in COMPETITION_SECTIONS if data.get(s)]
    if rivals:
        raise ParamError(
            key,
            f"{what} runs on the default model alone, not beside {', '.join(rivals)}; "
            "remove one or the other",
        )
    if is_plain(data):
        return
    for i, post in enumerate(posts or [_implicit_post(data)]):
        if post["strategy"] == "optimize":
            where = f"posts[{i}].strategy" if posts else "seeding.strategy"
            inherited = posts and "strategy" not in data["posts"][i]
            raise ParamError(
                where,
                ("optimize (from seeding.strategy) " if inherited else "optimize ")
                + "chooses one seed set for one post; a calendar's posts take random, "
                "top_degree or nodes (choose accounts with `smmsim seeds`, then list them "
                "with strategy nodes)",
            )


def _implicit_post(data: dict[str, Any]) -> dict[str, Any]:
    """The one post of a scenario without ``posts:`` (its content and seeding, at step 0)."""
    post = {"name": "post 1", "at": 0, "cost": 0.0}
    post.update({k: data["content"][k] for k in CONTENT_KEYS})
    post.update({k: data["seeding"].get(k) for k in SEEDING_KEYS})
    return post


def calendar_of(scenario: Any) -> Calendar | EWOM | None:
    """The model of a scenario's calendar: ``None`` when it has none (the default model's
    own), the default model with the one post's content when the calendar is one plain
    post (:func:`is_plain`), else a :class:`Calendar`."""
    data = scenario.data
    if not data.get("posts") and data["content"].get("fatigue", 0.0) <= 0.0:
        return None
    brand = EWOM.from_scenario(scenario)
    if is_plain(data):
        (post,) = effective_posts(data)
        return EWOM(
            **{k: post[k] for k in CONTENT_KEYS},
            conversion=brand.conversion,
            referral_multiplier=brand.referral_multiplier,
        )
    posts = effective_posts(data) or [_implicit_post(data)]
    fatigue = float(data["content"].get("fatigue", 0.0))
    return Calendar(brand=brand, posts=tuple(posts), fatigue=fatigue)


def _mix64(z: int) -> int:
    mask = (1 << 64) - 1
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def post_root(root: np.uint64, p: int) -> np.uint64:
    """The root of post ``p``'s random seeds: the scenario's for the first post, one of
    its own for each other (so posts draw their seeds independently)."""
    if p == 0:
        return np.uint64(root)
    return np.uint64(_mix64(int(root) ^ _mix64((p * 0x9E3779B97F4A7C15) & ((1 << 64) - 1))))


@dataclass(frozen=True)
class Calendar(Model):
    """Several posts of one brand on the default model.

    Parameters
    ----------
    brand : EWOM
        The scenario's content and funnel (defaults of the posts; the funnel of all).
    posts : tuple of dict
        The resolved posts (:func:`resolve_posts`).
    fatigue : float
        ``content.fatigue``.
    """

    brand: EWOM
    posts: tuple
    fatigue: float

    name = "ewom"
    uses = EWOM.uses
    title = "a content calendar on the independent cascade with a marketing funnel"
    kernel = "smmsim._kernels.posts"

    @property
    def names(self) -> list[str]:
        """The posts' names, in order."""
        return [p["name"] for p in self.posts]

    def tally_width(self, graph: CSRGraph, steps: int) -> int:
        """Tallies a replicate: :data:`~smmsim._kernels.posts_layout.POST_COLUMNS` per post."""
        return tally_width(len(self.posts))

    def _pool(self, graph: CSRGraph, i: int) -> np.ndarray | None:
        """The users post ``i``'s seeds are chosen from (``None``: everyone)."""
        wanted = self.posts[i]["segments"]
        if not wanted:
            return None
        mask = in_segments(graph, wanted, f"posts[{i}].segments", AudienceError)
        return np.flatnonzero(mask).astype(np.int64)

    def check_audience(self, graph: CSRGraph) -> None:
        """Each post's segments exist and hold its seeds; listed ids are users."""
        for i, post in enumerate(self.posts):
            pool = self._pool(graph, i)
            size = graph.n if pool is None else pool.size
            if post["strategy"] == "nodes":
                try:
                    graph.node_ids(list(post["nodes"]))
                except KeyError as exc:
                    label = exc.args[0] if exc.args else None
                    raise AudienceError(f"posts[{i}].nodes: {graph.unknown_id(label)}") from None
            elif post["k"] > size:
                where = "its segments hold" if pool is not None else "the audience has"
                raise AudienceError(
                    f"posts[{i}].k: must be at most the {size:,} users {where}, got {post['k']}"
                )

    def _fixed(self, graph: CSRGraph, i: int) -> np.ndarray | None:
        """Post ``i``'s seeds when they are the same every run (``None``: drawn)."""
        from smmsim.seeding import top_degree

        post = self.posts[i]
        if post["strategy"] == "nodes":
            return np.unique(graph.node_ids(list(post["nodes"]))).astype(np.int64)
        if post["strategy"] == "top_degree":
            pool = self._pool(graph, i)
            if pool is None:
                return top_degree(graph, int(post["k"]))
            deg = graph.out_degree()[pool]
            return pool[np.argsort(-deg, kind="stable")[: int(post["k"])]]
        return None

    def seed_sets(self, graph: CSRGraph, root: np.uint64, first: int, n_reps: int) -> np.ndarray:
        """Every post's seeds for replicates ``first .. first + n_reps - 1``, side by side
        (post ``p``'s in columns :meth:`columns` ``[p]``); one shared row when no post
        draws its seeds."""
        from smmsim._kernels.seeding import random_seed_sets

        parts = []
        drawn = False
        for i, post in enumerate(self.posts):
            fixed = self._fixed(graph, i)
            if fixed is not None:
                parts.append(fixed[None, :])
                continue
            drawn = True
            pool = self._pool(graph, i)
            size = graph.n if pool is None else pool.size
            sets = random_seed_sets(
                size, int(post["k"]), post_root(root, i), int(first), int(n_reps)
            )
            parts.append(sets if pool is None else pool[sets])
        rows = n_reps if drawn else 1
        return np.ascontiguousarray(
            np.concatenate([np.broadcast_to(p, (rows, p.shape[1])) for p in parts], axis=1),
            dtype=np.int64,
        )

    def columns(self, graph: CSRGraph) -> list[tuple[int, int]]:
        """Each post's columns of a seed row."""
        out = []
        at = 0
        for i, post in enumerate(self.posts):
            fixed = self._fixed(graph, i)
            k = int(post["k"]) if fixed is None else fixed.size
            out.append((at, at + k))
            at += k
        return out

    def kernel_args(self, graph: CSRGraph, steps: int) -> tuple:
        """``(indptr, indices, params, ints, funnel, seg_mult)`` for
        :func:`smmsim._kernels.posts.run_reps`."""
        from smmsim._kernels import posts as K

        P = len(self.posts)
        params = np.zeros((P, K.N_PARAMS), dtype=np.float64)
        ints = np.zeros((P, K.N_INTS), dtype=np.int64)
        for i, (post, (a, b)) in enumerate(zip(self.posts, self.columns(graph), strict=True)):
            params[i, K.P_VISIBILITY] = post["visibility"]
            params[i, K.P_STICKINESS] = post["stickiness"]
            params[i, K.P_CONTAGION] = post["contagion"]
            hl = post["half_life"]
            params[i, K.P_HALF_LIFE] = 0.0 if hl is None else float(hl)
            ints[i, K.I_LAUNCH] = post["at"]
            ints[i, K.I_SEED_START] = a
            ints[i, K.I_SEED_END] = b
        b = self.brand
        funnel = np.array(
            [b.conversion, min(1.0, b.conversion * b.referral_multiplier), self.fatigue],
            dtype=np.float64,
        )
        # the segments' multipliers of stickiness, contagion and conversion; (0, 3): none
        seg_mult = multiplier_table(b.segments, graph.segment_names)
        return graph.indptr, graph.indices, params, ints, funnel, seg_mult

    def finish(self, batch: RawBatch, graph: CSRGraph) -> RawBatch:
        """The posts' own costs are paid media: into each run's ``media_cost``."""
        cost = sum(float(p["cost"]) for p in self.posts)
        if cost:
            batch.media_cost = np.full(len(batch), cost)
        return batch

    def theory(self, graph: CSRGraph, seeds: Any) -> dict:
        """None: theory's one cascade from one seed set does not describe a calendar."""
        return {}

    def post_columns(self, tallies: np.ndarray) -> dict[str, np.ndarray]:
        """Per-run columns of each post's tallies: ``<column>[<post name>]``."""
        block = tallies.reshape(len(tallies), len(self.posts), N_POST_COLUMNS)
        return {
            f"{column}[{name}]": block[:, p, q]
            for p, name in enumerate(self.names)
            for q, column in enumerate(POST_COLUMNS)
        }

    def trace(
        self, graph: CSRGraph, seeds: np.ndarray, steps: int, root: np.uint64, replicate: int
    ) -> dict[str, np.ndarray]:
        """As :meth:`Model.trace` (the seeds are the posts' own for ``replicate``; ``seeds``
        is ignored), with each user's ``first_post`` and, for buyers, the
        ``conversion_post`` and ``conversion_referrer`` credited (-1: none); each sharer
        record's ``sharer_post`` and ``sharer_step``."""
        from smmsim._kernels import driver

        row = self.seed_sets(graph, root, replicate, 1)[0]
        _, record = driver.trace(
            self._kernel(), self.kernel_args(graph, int(steps)), row, np.uint64(root),
            int(replicate), int(steps), graph.n, self.tally_width(graph, int(steps)),
        )  # fmt: skip
        base, first_post, buy_post, buy_ref, opost = record
        nodes, flags, referrer, first_step, order, parent = base
        launch = np.array([p["at"] for p in self.posts], dtype=np.int64)
        step = np.empty(order.size, dtype=np.int64)
        for i in range(order.size):
            step[i] = launch[opost[i]] if parent[i] < 0 else step[parent[i]] + 1
        return {
            **trace_users(nodes, flags, referrer, first_step),
            "first_post": first_post,
            "conversion_post": buy_post,
            "conversion_referrer": buy_ref,
            "sharers": order,
            "sharer_parent": parent,
            "sharer_post": opost.astype(np.int64),
            "sharer_step": step,
        }
