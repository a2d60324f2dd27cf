"""Competing contents on one audience: the brand's post, a competitor's, a false claim
and the brand's rebuttal (the multi-campaign independent cascade).

Contents ``c = 0 .. K-1`` spread at once, each as an independent cascade of its own
(a sharer's follower sees the share with the content's ``visibility`` and engages with
its ``stickiness``; an engagement becomes a share at the next step with its
``contagion``), and they meet in the users: a user holds one stance towards the brand
at a time (neutral, the brand's, the competitor's, or a believer of the claim), taken
from the first content they engage with, as in the multi-campaign independent cascade
of Budak, Agrawal and El Abbadi (2011), and shares only content of that stance (the
rebuttal excepted). Content 0 is the brand's post, recorded through the ledger as the
default model records its one content; the rebuttal, when the scenario has one, is the
last content, and what every content, the claim and the response did is written to the
ledger's ``tallies`` (:mod:`smmsim._kernels.compete_layout`).

The rules, one step ``t`` (``docs/competition.md`` says them for users):

1. **Launches.** Each content whose launch step is ``t`` places its seeds, in content
   order, then the rebuttal when it starts at ``t``. A neutral seed of the brand's or
   the competitor's post takes its stance; the claim's accounts post it without
   believing it (a claim nobody engages with changes nothing); a rebuttal seed who
   believed the claim is corrected, a neutral one protected.
2. **Turns.** The rebuttal goes first; the other contents take turns in an order drawn
   at random for the step (a fair tie rule: when two contents reach a user in the same
   step, each is as likely to be first); within a content, sharers in activation order.
3. **An impression of ``c`` on ``v``.** A sharer of ``c`` ignores it. The brand's post
   is ignored by the competitor's converts, and by a believer with probability
   ``ignore``; otherwise ``v`` engages with probability ``stickiness(t)``, and the first
   brand engagement converts with probability ``conversion`` (``conversion_referred``
   after a peer's share), times ``1 - damage`` for a believer and the service uplift for
   a user answered in time. A competitor's post engages neutral users and its own; the
   claim engages neutral users not protected, and its believers. The rebuttal protects
   a neutral user with probability ``inoculation`` and turns a believer back to neutral
   (and protected) with probability ``correction``, then spreads like any content.
4. **The response** starts ``delay`` steps after the claim's launch, or ``delay`` steps
   after the first step at whose end the claim has reached ``detect`` users, from the
   brand's seeds, a fixed list, random users, users who saw the claim, or the claim's
   sharers who made the most believers so far.

Random numbers are counter-based: the draws for content ``c`` over the tie at CSR
position ``j`` are ``U(j, 8 c + slot)``, a user's own draws (conversion, customer
service) are ``U(v, 512 + slot)`` (``U(a, b)`` is position ``a`` of the SplitMix64
stream ``b`` of the replicate's key), and which followers see a sharer's share of ``c``
comes from geometric gaps drawn from a stream of that sharer and content, all from the
replicate's key. The same event draws the same number whatever else happens, so two
variants of a scenario (with and without the claim, a response sooner or later) are
coupled event by event, and their paired differences are as tight as common random
numbers can make them. As in the default kernel, a step's impressions of a content are
listed a batch at a time and then shown in order, the users' state words prefetched
ahead of the one being shown, so the cache misses of a large audience overlap.

References
----------
C. Budak, D. Agrawal and A. El Abbadi, "Limiting the spread of misinformation in social
networks", WWW 2011 (the multi-campaign independent cascade and the limiting campaign).
D. Kempe, J. Kleinberg and E. Tardos, "Maximizing the spread of influence through a
social network", KDD 2003.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels import ledger as L
from smmsim._kernels import prefetch as P
from smmsim._kernels.compete_layout import (
    DELAY_BINS,
    F_BELIEVERS,
    F_BELIEVERS_EVER,
    F_CORRECTED,
    F_DELAY_SUM,
    F_IN_TIME,
    F_INOCULATED,
    F_LAST_BELIEVER,
    F_REBUTTAL_STEP,
    F_REPLIES,
    G_BELIEVERS,
    G_BRAND_CONVERSIONS,
    L_FIXED,
    L_HIST,
    L_SEGMENTS,
    L_SEGS,
    L_STEPS,
    MAX_CONTENTS,
    N_CONTENT_COLUMNS,
    N_OWNERS,
    N_SEGMENT_TALLIES,
    OWNER_BRAND,
    OWNER_COMPETITOR,
    Q_CONVERSIONS,
    Q_ENGAGED,
    Q_IMPRESSIONS,
    Q_REACH,
    Q_SHARERS,
    ROLE_REBUTTAL,
)
from smmsim._kernels.driver import workspace
from smmsim._kernels.layout import (
    CONVERTED,
    ENGAGED,
    MODEL_FLAG_A,
    MODEL_FLAG_B,
    P_CONTAGION,
    P_HALF_LIFE,
    P_STICKINESS,
    P_VISIBILITY,
    REACHED,
    REFERRED,
    SEED,
    SHARER,
)
from smmsim._kernels.rng import (
    GAP_BITS,
    GOLDEN,
    PURPOSE_COMPETE,
    chance_at,
    draw_at,
    fast_gap,
    gap_table,
    next_tie,
    randbelow,
    stream_key,
    substream,
)

#: Columns of the per-content parameters (``params[c, P_*]``) after the spread parameters
#: of :mod:`smmsim._kernels.layout`.
P_CONVERSION = 4
P_DAMAGE = 5
P_IGNORE = 6
P_INOCULATION = 7
P_CORRECTION = 8
N_PARAMS = 9
#: Columns of the per-content integers (``ints[c, I_*]``): owner, role, launch step,
#: the content's seeds as ``seed_nodes[start:end]``, or that many random seeds.
I_OWNER = 0
I_ROLE = 1
I_LAUNCH = 2
I_SEED_START = 3
I_SEED_END = 4
I_RANDOM_K = 5
N_INTS = 6
#: The response (``response[R_*]``): mode, delay, detection level in users, accounts,
#: how many, and which contents are the claim and the rebuttal (-1: none).
R_MODE = 0
R_DELAY = 1
R_DETECT = 2
R_ACCOUNTS = 3
R_K = 4
R_CLAIM = 5
R_REBUTTAL = 6
N_RESPONSE = 7
MODE_NONE = 0
MODE_DELAY = 1
MODE_DETECT = 2
ACCOUNTS_BRAND = 0
ACCOUNTS_LIST = 1
ACCOUNTS_SAW_CLAIM = 2
ACCOUNTS_TOP_SPREADERS = 3
ACCOUNTS_RANDOM = 4
#: Customer service (``service[S_*]``): reply rate, mean delay, patience (-1: any
#: reply helps), conversion and sharing uplifts, and 1 for geometric delays (0: fixed).
S_RATE = 0
S_MEAN = 1
S_PATIENCE = 2
S_CONVERSION_UPLIFT = 3
S_SHARE_UPLIFT = 4
S_GEOMETRIC = 5
N_SERVICE = 6
#: The funnel of the brand's post (``funnel[...]``).
FUNNEL_CONVERSION = 0
FUNNEL_CONVERSION_REFERRED = 1

#: Slots of the draws: per tie ``8 c + slot``, per user ``512 + slot``.
D_ENGAGE = 1
D_SHARE = 2
D_IGNORE = 3
D_PROTECT = 4
U_BRAND_CONVERSION = 512
U_COMPETITOR_CONVERSION = 513
U_ANSWER = 514
U_DELAY = 515
SEEDS_STREAM = 1024
ACCOUNTS_STREAM = 1025
TURN_STREAM = 2048
#: A sharer's impressions of a content: geometric gaps over its followers, from the
#: stream ``(user * 8 + content) * GOLDEN + GAP_STREAM``.
GAP_STREAM = 4096

# a user's state word (int32): per-content bits (four contents at most), the stance,
# flags; the replicate stamp above. Whether a user has met an owner (reached, engaged)
# is read from the bits of that owner's contents.
REACHED_AT = 0
ENGAGED_AT = 4
SHARED_AT = 8
STANCE_SHIFT = 12
STANCE_MASK = np.int64(3) << STANCE_SHIFT
NEUTRAL = 0
BRAND = 1
COMPETITOR = 2
BELIEVER = 3
PROTECTED = np.int64(1) << 14
BRAND_ENGAGED = np.int64(1) << 15
BRAND_REFERRED = np.int64(1) << 16
BRAND_CONVERTED = np.int64(1) << 17
EFFECTIVE = np.int64(1) << 18
BRAND_SEED = np.int64(1) << 19
STAMP_SHIFT = 20
#: Largest replicate stamp that fits above the flags; the state is cleared after it.
MAX_STAMP = (1 << (31 - STAMP_SHIFT)) - 1
# a record's content is its low bits; seeds have this bit too
SEED_RECORD = 8


@jit(inline="always")
def _reply_delay(k_delay, v, geometric, mean):
    """Customer service's delay for user ``v``, in steps."""
    if not geometric or mean <= 0.0:
        return np.int64(mean)
    q = 1.0 / (1.0 + mean)
    return np.int64(np.floor(np.log(draw_at(k_delay, v)) / np.log1p(-q)))


def new_work(n, record):
    """A worker's workspace: state words, the stamp, sharer records (user, parent,
    content, and the brand position or believers credited), the brand's sharer order
    and tree, scratch, the users who saw the claim, and a trace's record."""
    k = MAX_CONTENTS
    scratch = ((np.int32, k), (np.int32, k), (np.int8, k), (np.int32, k))
    scratch += (np.int32, np.int32, np.int32, np.int32)
    return workspace(n, record, np.int32, scratch, (np.int32, np.int32))


@jit
def _write_back(state, v, word, old_word):
    """Store user ``v``'s state ``word`` if the impression changed it from ``old_word``
    (an unchanged word's line is not dirtied). Compiled on its own, not inlined by numba,
    so that it adds no reference counting of ``state`` per impression."""
    if word != old_word:
        state[v] = np.int32(word)


@jit
def run_reps(args, seed_sets, root, first_replicate, reps, ev_pos, steps, work, ledger, segment_of):
    """Simulate the replicates ``reps`` of a batch (see :mod:`smmsim._kernels.driver`).

    ``args`` is ``(indptr, indices, params, ints, seed_nodes, response, service,
    funnel, layout)``: the per-content ``P_*`` parameters and ``I_*`` integers, the
    listed seeds, the ``R_*`` response, the ``S_*`` customer service, the brand's
    funnel and the tallies' layout (:func:`~smmsim._kernels.compete_layout.tally_layout`).
    Content 0 (the brand's post, launched at step 0) takes its seeds from
    ``seed_sets``.
    """
    indptr, indices, params, ints, seed_nodes, response, service, funnel, lay = args
    (
        state, stamp, rec_user, rec_parent, rec_meta, rec_aux, b_order, b_parent, size,
        claim_seen, referrer, first_step,
    ) = work  # fmt: skip
    record = referrer.shape[0] > 0
    shared_seeds = seed_sets.shape[0] == 1
    runs, virality_out, events, tallies = ledger
    books = L.new_books(ledger, segment_of, steps)
    segmented = L.segmented(books)
    n = indptr.shape[0] - 1
    n_contents = params.shape[0]
    rebut = response[R_REBUTTAL]
    claim = response[R_CLAIM]
    mode = response[R_MODE]
    n_posts = n_contents - 1 if rebut >= 0 else n_contents
    x_fixed = lay[L_FIXED]
    x_hist = lay[L_HIST]
    x_steps = lay[L_STEPS]
    x_segs = lay[L_SEGS]
    by_segment = lay[L_SEGMENTS] > 0
    conversion = funnel[FUNNEL_CONVERSION]
    conversion_referred = funnel[FUNNEL_CONVERSION_REFERRED]
    damage = params[claim, P_DAMAGE] if claim >= 0 else 0.0
    ignore = params[claim, P_IGNORE] if claim >= 0 else 0.0
    rate = service[S_RATE]
    geometric = service[S_GEOMETRIC] > 0.0
    mean_delay = service[S_MEAN]
    patience = service[S_PATIENCE]
    conversion_uplift = service[S_CONVERSION_UPLIFT]
    share_uplift = service[S_SHARE_UPLIFT]
    turn = np.empty(n_contents, dtype=np.int64)
    launch = np.empty(n_contents, dtype=np.int64)
    tv = np.empty(P.SHOW_BATCH, dtype=np.int32)
    tj = np.empty(P.SHOW_BATCH, dtype=np.int64)
    tp = np.empty(P.SHOW_BATCH, dtype=np.int64)
    gap_tabs = np.zeros((n_contents, 1 << GAP_BITS), dtype=np.int64)
    for c in range(n_contents):
        if 0.0 < params[c, P_VISIBILITY] < 1.0:
            gap_tabs[c] = gap_table(1.0 / np.log1p(-params[c, P_VISIBILITY]))
    cur = stamp[0]
    for r in reps:
        cur = L.next_stamp(state, cur, MAX_STAMP)
        row = 0 if shared_seeds else r
        key = stream_key(root, first_replicate + r, PURPOSE_COMPETE)
        k_brand_conversion = substream(key, np.uint64(U_BRAND_CONVERSION))
        k_competitor_conversion = substream(key, np.uint64(U_COMPETITOR_CONVERSION))
        k_answer = substream(key, np.uint64(U_ANSWER))
        k_delay = substream(key, np.uint64(U_DELAY))
        mark = np.int64(cur) << STAMP_SHIFT
        tally = tallies[r]
        tally[x_fixed + F_LAST_BELIEVER] = -1
        tally[x_fixed + F_REBUTTAL_STEP] = -1
        for c in range(n_contents):
            launch[c] = ints[c, I_LAUNCH]
        rebut_at = np.int64(-1)
        if rebut >= 0 and claim >= 0 and mode == MODE_DELAY:
            rebut_at = launch[claim] + response[R_DELAY]
        if rebut >= 0:
            launch[rebut] = rebut_at
        head = 0
        tail = 0
        b_head = 0
        b_tail = 0
        n_seen = 0
        brand_seeds = 0
        t = 0
        while t < steps:
            # --- launches: the posts in content order, then the rebuttal
            for ci in range(n_contents + 1):
                if ci == n_contents:
                    if rebut < 0 or rebut_at != t:
                        break
                    c = rebut
                elif ci == rebut or launch[ci] != t:
                    continue
                else:
                    c = ci
                owner = ints[c, I_OWNER]
                role = ints[c, I_ROLE]
                accounts = ACCOUNTS_LIST
                k_random = ints[c, I_RANDOM_K]
                if c == rebut:
                    accounts = response[R_ACCOUNTS]
                    tally[x_fixed + F_REBUTTAL_STEP] = t
                    if accounts == ACCOUNTS_RANDOM:
                        k_random = response[R_K]
                if c == 0 or accounts == ACCOUNTS_BRAND:
                    pool = seed_sets.shape[1]
                elif accounts == ACCOUNTS_SAW_CLAIM:
                    pool = min(response[R_K], n_seen)
                elif accounts == ACCOUNTS_TOP_SPREADERS:
                    pool = response[R_K]
                elif k_random > 0:
                    pool = k_random
                else:
                    pool = ints[c, I_SEED_END] - ints[c, I_SEED_START]
                s_pick = substream(key, np.uint64(c) * GOLDEN + np.uint64(SEEDS_STREAM))
                if c == rebut:
                    s_pick = substream(key, np.uint64(c) * GOLDEN + np.uint64(ACCOUNTS_STREAM))
                # drawn accounts: until ``pool`` are placed; listed ones: each in turn
                drawn = c != 0 and (
                    k_random > 0
                    or accounts == ACCOUNTS_SAW_CLAIM
                    or accounts == ACCOUNTS_TOP_SPREADERS
                )
                placed = 0
                i = 0
                while (placed < pool) if drawn else (i < pool):
                    if c == 0 or accounts == ACCOUNTS_BRAND:
                        s = seed_sets[row, i]
                    elif accounts == ACCOUNTS_SAW_CLAIM:
                        s_pick, pick = randbelow(s_pick, n_seen)
                        s = claim_seen[pick]
                    elif accounts == ACCOUNTS_TOP_SPREADERS:
                        best = -1
                        best_n = 0
                        for p in range(tail):
                            if (rec_meta[p] & 7) == claim and rec_aux[p] > best_n:
                                best = p
                                best_n = rec_aux[p]
                        if best < 0:
                            break
                        rec_aux[best] = -rec_aux[best]  # chosen
                        s = rec_user[best]
                    elif k_random > 0:
                        s_pick, s = randbelow(s_pick, n)
                    else:
                        s = seed_nodes[ints[c, I_SEED_START] + i]
                    i += 1
                    word = np.int64(state[s])
                    if (word >> STAMP_SHIFT) != cur:
                        word = mark
                    if word & (np.int64(1) << (SHARED_AT + c)):
                        continue  # listed (or drawn) twice
                    word |= (np.int64(1) << (SHARED_AT + c)) | (np.int64(1) << (REACHED_AT + c))
                    stance = (word >> STANCE_SHIFT) & 3
                    if role == ROLE_REBUTTAL:
                        if stance == BELIEVER:
                            word = (word & ~STANCE_MASK) | PROTECTED
                            tally[x_fixed + F_CORRECTED] += 1
                            tally[x_fixed + F_BELIEVERS] -= 1
                            if by_segment:
                                tally[x_segs + segment_of[s] * N_SEGMENT_TALLIES + G_BELIEVERS] -= 1
                        elif stance == NEUTRAL:
                            word |= PROTECTED
                    elif stance == NEUTRAL:
                        # the claim's own accounts post it but are no believers: a
                        # claim nobody engages with changes nothing
                        if owner == OWNER_BRAND:
                            word |= np.int64(BRAND) << STANCE_SHIFT
                        elif owner == OWNER_COMPETITOR:
                            word |= np.int64(COMPETITOR) << STANCE_SHIFT
                    if c == 0:
                        word |= BRAND_SEED
                        b_order[b_tail] = s
                        b_parent[b_tail] = -1
                        rec_aux[tail] = b_tail
                        b_tail += 1
                        if record:
                            referrer[s] = -1
                            first_step[s] = t
                    else:
                        rec_aux[tail] = 0
                    state[s] = np.int32(word)
                    rec_user[tail] = s
                    rec_parent[tail] = -1
                    rec_meta[tail] = c | SEED_RECORD
                    tail += 1
                    placed += 1
                    tally[c * N_CONTENT_COLUMNS + Q_SHARERS] += 1
                if c == 0:
                    brand_seeds = b_tail
                    L.seeded(books, b_tail)
            # --- the step's turn order: the rebuttal, then the posts shuffled
            s_turn = substream(key, np.uint64(t) * GOLDEN + np.uint64(TURN_STREAM))
            for i in range(n_posts):
                turn[i] = i if (rebut < 0 or i < rebut) else i + 1
            for i in range(n_posts - 1, 0, -1):
                s_turn, j = randbelow(s_turn, i + 1)
                x = turn[i]
                turn[i] = turn[j]
                turn[j] = x
            gen_end = tail
            brand_shares = 0
            for ti in range(n_posts + (1 if rebut >= 0 else 0)):
                if rebut >= 0:
                    c = rebut if ti == 0 else turn[ti - 1]
                else:
                    c = turn[ti]
                owner = ints[c, I_OWNER]
                role = ints[c, I_ROLE]
                visibility = params[c, P_VISIBILITY]
                stick = params[c, P_STICKINESS]
                contagion = params[c, P_CONTAGION]
                half_life = params[c, P_HALF_LIFE]
                if half_life > 0.0:
                    stick = stick * 0.5 ** ((t - launch[c]) / half_life)
                inoculation = params[c, P_INOCULATION]
                correction = params[c, P_CORRECTION]
                competitor_conversion = params[c, P_CONVERSION]
                col = c * N_CONTENT_COLUMNS
                own_step = x_steps + (t * N_OWNERS + owner) * 2
                shared_bit = np.int64(1) << (SHARED_AT + c)
                reached_bit = np.int64(1) << (REACHED_AT + c)
                engaged_bit = np.int64(1) << (ENGAGED_AT + c)
                # the bits of every content of this one's owner (the rebuttal is the brand's)
                owner_reached = np.int64(0)
                owner_engaged = np.int64(0)
                for c2 in range(n_contents):
                    if ints[c2, I_OWNER] == owner:
                        owner_reached |= np.int64(1) << (REACHED_AT + c2)
                        owner_engaged |= np.int64(1) << (ENGAGED_AT + c2)
                b0 = 8 * c
                k_engage = substream(key, np.uint64(b0 + D_ENGAGE))
                k_share = substream(key, np.uint64(b0 + D_SHARE))
                k_ignore = substream(key, np.uint64(b0 + D_IGNORE))
                k_protect = substream(key, np.uint64(b0 + D_PROTECT))
                # impressions are listed a batch at a time (geometric gaps over each
                # sharer's followers, from a stream of the sharer and the content), then
                # shown in order with the state words of those ahead prefetched
                draw_gaps = 0.0 < visibility < 1.0
                inv_log_q = 1.0 / np.log1p(-visibility) if draw_gaps else 0.0
                tab = gap_tabs[c]
                # impressions are counted here and recorded once the content's turn ends
                n_impressions = 0
                n_reach = 0
                n_earned = 0
                n_engaged = 0
                n_owner_engaged = 0
                n_engagements = 0
                n_first = 0
                n_paid = 0
                prefetch = gen_end - head > P.PREFETCH_MIN
                p_next = head
                p_cur = -1
                jj = 0
                j_end = 0
                s_g = np.uint64(0)
                while True:
                    nb = 0
                    while nb < P.SHOW_BATCH:
                        if jj >= j_end:
                            while p_next < gen_end and (rec_meta[p_next] & 7) != c:
                                p_next += 1
                            if p_next >= gen_end:
                                break
                            p_cur = p_next
                            p_next += 1
                            # the rows of the sharers ahead are on their way from memory
                            # while this one's followers are listed (as in the default
                            # kernel); some belong to another content's turn
                            if prefetch:
                                if p_cur + P.PREFETCH_BOUNDS < gen_end:
                                    P.prefetch(indptr, rec_user[p_cur + P.PREFETCH_BOUNDS])
                                if p_cur + P.PREFETCH_ROW < gen_end:
                                    P.prefetch(indices, indptr[rec_user[p_cur + P.PREFETCH_ROW]])
                            u = rec_user[p_cur]
                            if c == 0:
                                brand_shares += 1
                            jj = indptr[u]
                            j_end = indptr[u + 1]
                            if draw_gaps:
                                s_g = substream(key, (np.uint64(u) * np.uint64(8) + np.uint64(c))
                                              * GOLDEN + np.uint64(GAP_STREAM))  # fmt: skip
                                s_g, g = fast_gap(s_g, inv_log_q, tab)
                                jj += g
                            elif visibility <= 0.0:
                                jj = j_end
                            continue
                        tv[nb] = indices[jj]
                        tj[nb] = jj
                        tp[nb] = p_cur
                        nb += 1
                        s_g, jj = next_tie(s_g, jj, draw_gaps, inv_log_q, tab)
                    if nb == 0:
                        break
                    for i in range(nb):
                        if i + P.PREFETCH_STATE < nb:
                            P.prefetch(state, tv[i + P.PREFETCH_STATE])
                        p = tp[i]
                        j = tj[i]
                        u = rec_user[p]
                        from_seed = (rec_meta[p] & SEED_RECORD) != 0
                        v = tv[i]
                        old_word = np.int64(state[v])
                        word = old_word
                        if (word >> STAMP_SHIFT) != cur:
                            word = mark
                        n_impressions += 1
                        if from_seed:
                            n_paid += 1
                        if c == 0 and segmented:
                            L.user_impressed(books, segment_of, v, 1)
                        first_owner_reach = (word & owner_reached) == 0
                        if word & shared_bit:
                            _write_back(state, v, word, old_word)
                            continue
                        if (word & reached_bit) == 0:
                            word |= reached_bit
                            n_reach += 1
                            if c == claim:
                                claim_seen[n_seen] = v
                                n_seen += 1
                            if c == 0:
                                if not from_seed:
                                    n_earned += 1
                                if segmented:
                                    L.user_reached(books, segment_of, v, not from_seed)
                                if not from_seed:
                                    word |= BRAND_REFERRED
                                if record:
                                    referrer[v] = u
                                    first_step[v] = t
                        if first_owner_reach:
                            if by_segment:
                                tally[x_segs + segment_of[v] * N_SEGMENT_TALLIES + owner * 2] += 1
                        stance = (word >> STANCE_SHIFT) & 3
                        deaf = False
                        if role == ROLE_REBUTTAL:
                            if stance == BELIEVER:
                                if chance_at(k_protect, j, correction):
                                    word = (word & ~STANCE_MASK) | PROTECTED
                                    stance = NEUTRAL
                                    tally[x_fixed + F_CORRECTED] += 1
                                    tally[x_fixed + F_BELIEVERS] -= 1
                                    if by_segment:
                                        g = segment_of[v] * N_SEGMENT_TALLIES
                                        tally[x_segs + g + G_BELIEVERS] -= 1
                            elif stance == NEUTRAL and (word & PROTECTED) == 0:
                                if chance_at(k_protect, j, inoculation):
                                    word |= PROTECTED
                                    tally[x_fixed + F_INOCULATED] += 1
                        elif owner == OWNER_BRAND:
                            deaf = stance == COMPETITOR or (
                                stance == BELIEVER and chance_at(k_ignore, j, ignore)
                            )
                        elif owner == OWNER_COMPETITOR:
                            deaf = stance != NEUTRAL and stance != COMPETITOR
                        else:
                            deaf = stance != BELIEVER and (
                                stance != NEUTRAL or (word & PROTECTED) != 0
                            )
                        if deaf or not chance_at(k_engage, j, stick):
                            _write_back(state, v, word, old_word)
                            continue
                        # --- an engagement
                        first_of_owner = (word & owner_engaged) == 0
                        if (word & engaged_bit) == 0:
                            word |= engaged_bit
                            n_engaged += 1
                        if first_of_owner:
                            n_owner_engaged += 1
                            if by_segment:
                                g = x_segs + segment_of[v] * N_SEGMENT_TALLIES + owner * 2 + 1
                                tally[g] += 1
                        share_p = contagion
                        if role == ROLE_REBUTTAL:
                            pass
                        elif owner == OWNER_BRAND:
                            first = (word & BRAND_ENGAGED) == 0
                            n_engagements += 1
                            if first:
                                n_first += 1
                            if first:
                                word |= BRAND_ENGAGED
                                if segmented:
                                    L.user_engaged(books, segment_of, v)
                                if chance_at(k_answer, v, rate):
                                    d = _reply_delay(k_delay, v, geometric, mean_delay)
                                    tally[x_fixed + F_REPLIES] += 1
                                    tally[x_fixed + F_DELAY_SUM] += d
                                    tally[x_hist + min(d, DELAY_BINS - 1)] += 1
                                    if patience < 0.0 or d <= patience:
                                        word |= EFFECTIVE
                                        tally[x_fixed + F_IN_TIME] += 1
                                referred = (word & BRAND_REFERRED) != 0
                                pc = conversion_referred if referred else conversion
                                if stance == BELIEVER:
                                    pc *= 1.0 - damage
                                if word & EFFECTIVE:
                                    pc *= conversion_uplift
                                if chance_at(k_brand_conversion, v, pc):
                                    word |= BRAND_CONVERTED
                                    L.conversion(books, segment_of, t, v, referred)
                                    tally[col + Q_CONVERSIONS] += 1
                                    if by_segment:
                                        g = segment_of[v] * N_SEGMENT_TALLIES
                                        tally[x_segs + g + G_BRAND_CONVERSIONS] += 1
                            if stance == NEUTRAL:
                                stance = BRAND
                                word |= np.int64(BRAND) << STANCE_SHIFT
                            if stance != BRAND:
                                _write_back(state, v, word, old_word)
                                continue
                            if word & EFFECTIVE:
                                share_p = contagion * share_uplift
                        elif owner == OWNER_COMPETITOR:
                            if stance == NEUTRAL:
                                word |= np.int64(COMPETITOR) << STANCE_SHIFT
                            if first_of_owner:
                                if chance_at(k_competitor_conversion, v, competitor_conversion):
                                    tally[col + Q_CONVERSIONS] += 1
                        elif stance == NEUTRAL:
                            word |= np.int64(BELIEVER) << STANCE_SHIFT
                            tally[x_fixed + F_BELIEVERS] += 1
                            tally[x_fixed + F_BELIEVERS_EVER] += 1
                            tally[x_fixed + F_LAST_BELIEVER] = t
                            rec_aux[p] += 1
                            if by_segment:
                                g = segment_of[v] * N_SEGMENT_TALLIES
                                tally[x_segs + g + G_BELIEVERS] += 1
                        if chance_at(k_share, j, share_p):
                            word |= shared_bit
                            rec_user[tail] = v
                            rec_parent[tail] = p
                            rec_meta[tail] = c
                            tally[col + Q_SHARERS] += 1
                            if c == 0:
                                b_order[b_tail] = v
                                b_parent[b_tail] = rec_aux[p]
                                rec_aux[tail] = b_tail
                                b_tail += 1
                            else:
                                rec_aux[tail] = 0
                            tail += 1
                        _write_back(state, v, word, old_word)
                tally[col + Q_IMPRESSIONS] += n_impressions
                tally[own_step] += n_impressions
                if c == 0:
                    L.impressions(books, t, n_impressions, n_paid)
                    L.reaches(books, t, n_reach, n_earned)
                    L.engagements(books, t, n_engagements, n_first)
                tally[col + Q_REACH] += n_reach
                tally[col + Q_ENGAGED] += n_engaged
                tally[own_step + 1] += n_owner_engaged
            if brand_shares:
                L.shares(books, t, brand_shares)
                L.sharers(books, segment_of, b_order, b_head, b_head + brand_shares)
                b_head += brand_shares
            head = gen_end
            if (
                mode == MODE_DETECT
                and rebut >= 0
                and rebut_at < 0
                and tally[claim * N_CONTENT_COLUMNS + Q_REACH] >= response[R_DETECT]
            ):
                rebut_at = t + 1 + response[R_DELAY]
                launch[rebut] = rebut_at
            t += 1
            # the end: nobody waits to share and nothing launches later (the rebuttal
            # included, which a claim still spreading may yet trigger)
            if head == tail:
                later = rebut >= 0 and rebut_at >= t
                for c in range(n_contents):
                    if c != rebut and launch[c] >= t:
                        later = True
                if not later:
                    break
        ev_pos = L.close_generations(
            books, runs, virality_out, events, r, ev_pos, t, b_head, b_tail, b_parent,
            brand_seeds, size,
        )  # fmt: skip
    stamp[0] = cur


@jit
def traced(work, n_shared):
    """The per-user record of the replicate just run: every user the brand's post
    reached or seeded, with the shared flags (``MODEL_FLAG_A``: believes the claim at
    the end, ``MODEL_FLAG_B``: lost to the competitor), and the brand's sharer tree."""
    state = work[0]
    stamp = work[1]
    b_order = work[6]
    b_parent = work[7]
    referrer = work[10]
    first_step = work[11]
    cur = stamp[0]
    words = state[(state >> STAMP_SHIFT) == cur]
    nodes = np.nonzero((state >> STAMP_SHIFT) == cur)[0].astype(np.int32)
    keep = np.zeros(nodes.shape[0], dtype=np.bool_)
    flags = np.zeros(nodes.shape[0], dtype=np.uint8)
    for i in range(nodes.shape[0]):
        w = words[i]
        f = 0
        if w & (np.int64(1) << REACHED_AT) and not (w & BRAND_SEED):
            f |= REACHED
        if w & BRAND_ENGAGED:
            f |= ENGAGED
        if w & (np.int64(1) << SHARED_AT):
            f |= SHARER
        if w & BRAND_SEED:
            f |= SEED
        if w & BRAND_REFERRED:
            f |= REFERRED
        if w & BRAND_CONVERTED:
            f |= CONVERTED
        stance = (w >> STANCE_SHIFT) & 3
        if stance == BELIEVER:
            f |= MODEL_FLAG_A
        if stance == COMPETITOR:
            f |= MODEL_FLAG_B
        flags[i] = f
        keep[i] = (f & (REACHED | SEED)) != 0
    nodes = nodes[keep]
    return L.user_record(nodes, flags[keep], referrer, first_step, b_order, b_parent, n_shared)
