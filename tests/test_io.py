"""Edge-list reading and writing, and the packaged Facebook audience."""

from __future__ import annotations

import hashlib
from importlib.resources import files

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmsim._kernels.edgelist import relabel
from smmsim.graph import CSRGraph
from smmsim.io import (
    EdgeListError,
    _parse_fast,
    _parse_python,
    _resolve_options,
    facebook,
    read_edgelist,
    write_edgelist,
)

FACEBOOK_SHA256 = "6d0f316cd58afd0683fe25dd30526bd7247b587cd50a151c06b3e8fc92e926c3"


def write(tmp_path, data: bytes | str, name: str = "edges.txt"):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def assert_same_graph(a: CSRGraph, b: CSRGraph) -> None:
    assert a.directed == b.directed
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert (a.weights is None) == (b.weights is None)
    if a.weights is not None:
        np.testing.assert_array_equal(a.weights, b.weights)
    assert a.labels.dtype == b.labels.dtype
    assert a.labels.tolist() == b.labels.tolist()


def parse_both(data: bytes, **options):
    """Outcome of the kernel and of the Python parser: a parse, an error message or None.

    With ``labels="string"`` only the Python parser reads the file (the kernel's outcome
    is None)."""
    labels = options.get("labels", "int")
    delim, com, wmode = _resolve_options(
        options.get("delimiter"), options.get("comment", "#"), options.get("weighted"), labels
    )
    outcomes = []
    for parse in (_parse_fast, _parse_python):
        if labels == "string" and parse is _parse_fast:
            outcomes.append(None)
            continue
        buf = np.frombuffer(bytearray(data), dtype=np.uint8)
        try:
            args = (labels,) if parse is _parse_python else ()
            outcomes.append(parse(buf, "f.txt", delim, com, wmode, *args))
        except EdgeListError as err:
            outcomes.append(str(err))
    return outcomes


def assert_same_parse(fast, slow) -> None:
    if fast is None:  # a file of string labels: the kernel does not read it
        assert isinstance(slow, str) or slow.labels.dtype == object
        return
    if isinstance(fast, str) or isinstance(slow, str):
        assert fast == slow
        return
    np.testing.assert_array_equal(fast.src, slow.src)
    np.testing.assert_array_equal(fast.dst, slow.dst)
    assert fast.labels.dtype == slow.labels.dtype == np.int64
    np.testing.assert_array_equal(fast.labels, slow.labels)
    assert (fast.weights is None) == (slow.weights is None)
    if fast.weights is not None:
        # bit for bit, signed zeros included
        assert fast.weights.tobytes() == slow.weights.tobytes()


# ---------------------------------------------------------------------------- formats
def test_whitespace_comma_and_tab_give_the_same_graph(tmp_path):
    spaced = read_edgelist(write(tmp_path, "1 2\n2   3\n3 1\n", "a.txt"))
    commas = read_edgelist(write(tmp_path, "1,2\n2 , 3\n3,1\n", "b.csv"))
    tabs = read_edgelist(write(tmp_path, "1\t2\n2\t3\n3\t\t1\n", "c.tsv"))
    semis = read_edgelist(write(tmp_path, "1;2\n2;3\n3;1\n", "d.txt"), delimiter=";")
    for g in (commas, tabs, semis):
        assert_same_graph(spaced, g)
    assert spaced.n == 3 and spaced.n_edges == 3
    assert spaced.labels.tolist() == [1, 2, 3]


def test_comments_blank_lines_and_snap_header(tmp_path):
    text = (
        "# Directed graph (each unordered pair of nodes is saved once): x.txt\n"
        "# Nodes: 3 Edges: 2\n"
        "# FromNodeId\tToNodeId\n"
        "\n"
        "   \n"
        "10\t20   # a trailing comment\n"
        "  # an indented comment\n"
        "20\t30#no space before it\n"
    )
    g = read_edgelist(write(tmp_path, text))
    assert g.labels.tolist() == [10, 20, 30]
    assert g.n_edges == 2
    percent = read_edgelist(write(tmp_path, "% header\n10 20\n20 30 % c\n"), comment="%")
    assert_same_graph(g, percent)


def test_without_comments_hash_is_part_of_a_label(tmp_path):
    path = write(tmp_path, "#a b\nb c\n")
    with pytest.raises(EdgeListError, match="node id '#a' is not an integer"):
        read_edgelist(path, comment=None)
    g = read_edgelist(path, comment=None, labels="string")
    assert g.labels.tolist() == ["#a", "b", "c"]


def test_windows_line_endings_and_byte_order_mark(tmp_path):
    unix = read_edgelist(write(tmp_path, "# h\n1 2 0.5\n2 3 1.5\n", "u.txt"))
    windows = read_edgelist(write(tmp_path, "# h\r\n1 2 0.5\r\n2 3 1.5\r\n\r\n", "w.txt"))
    bom = read_edgelist(write(tmp_path, b"\xef\xbb\xbf1,2,0.5\r\n2,3,1.5", "b.csv"))
    assert_same_graph(unix, windows)
    assert_same_graph(unix, bom)


def test_last_line_without_newline(tmp_path):
    g = read_edgelist(write(tmp_path, "1 2\n2 3"))
    assert g.n_edges == 2


def test_directed_and_undirected(tmp_path):
    path = write(tmp_path, "1 2\n2 1\n2 3\n3 3\n1 2\n")
    undirected = read_edgelist(path)
    directed = read_edgelist(path, directed=True)
    assert not undirected.directed and undirected.n_edges == 2
    assert directed.directed and directed.n_edges == 3
    # internal ids 0, 1, 2 are labels 1, 2, 3; a line "u v" means v follows u
    assert directed.indices[directed.indptr[1] : directed.indptr[2]].tolist() == [0, 2]
    assert directed.indices[directed.indptr[2] : directed.indptr[3]].tolist() == []


def test_ids_are_relabelled_by_sorted_value(tmp_path):
    g = read_edgelist(write(tmp_path, "-5 +7\n007 1000000000000\n-9223372036854775808 -5\n"))
    assert g.labels.dtype == np.int64
    assert g.labels.tolist() == [-(2**63), -5, 7, 10**12]
    assert g.n == 4 and g.n_edges == 3  # "+7" and "007" are the same user
    assert g.node_ids([7, 10**12]).tolist() == [2, 3]


# ---------------------------------------------------------------------------- weights
def test_weights_auto_required_and_ignored(tmp_path):
    weighted = write(tmp_path, "1 2 0.5\n2 3 +1.5e1\n", "w.txt")
    g = read_edgelist(weighted)
    assert g.weights is not None
    assert sorted(g.weights.tolist()) == [0.5, 0.5, 15.0, 15.0]
    assert read_edgelist(weighted, weighted=False).weights is None
    assert read_edgelist(weighted, weighted=True).weights is not None
    plain = write(tmp_path, "1 2\n2 3\n", "p.txt")
    assert read_edgelist(plain).weights is None
    # weighted=False accepts a third column of any kind, e.g. SNAP timestamps
    g = read_edgelist(write(tmp_path, "1 2 1217567877\n2 3\n3 1 n/a\n", "t.txt"), weighted=False)
    assert g.n_edges == 3 and g.weights is None


def test_weights_convert_exactly_like_python_float(tmp_path):
    rng = np.random.default_rng(7)
    x = np.concatenate(
        # tie strengths are >= 0 (negative ones are refused)
        [rng.random(400), np.abs(rng.normal(0, 1e3, 400)), 10.0 ** rng.uniform(-30, 30, 400)]
    )
    tokens = []
    for v in x.tolist():
        tokens += [repr(v), f"{v:.3e}", f"{v:.12f}", f"{v:.17g}", f"{v:.25f}"]
    tokens += ["0", "-0", "-0.0", "+.5", "5.", "1E3", "1e-400", "0e999999", "1" + "0" * 30]
    tokens += ["0." + "0" * 30 + "1", "9007199254740993", "123456789012345678901234567890e-20"]
    lines = "".join(f"{2 * i} {2 * i + 1} {t}\n" for i, t in enumerate(tokens))
    g = read_edgelist(write(tmp_path, lines), directed=True)
    expected = np.array([float(t) for t in tokens])
    assert g.labels.tolist() == list(range(2 * len(tokens)))  # so arcs are in file order
    assert g.weights.tobytes() == expected.tobytes()
    assert_same_parse(*parse_both(lines.encode()))


# ---------------------------------------------------------------------------- labels
def test_string_labels(tmp_path):
    g = read_edgelist(write(tmp_path, "alice bob\nbob carol\n"), labels="string")
    assert g.labels.dtype == object
    assert g.labels.tolist() == ["alice", "bob", "carol"]
    assert g.node_ids(["carol"]).tolist() == [2]
    csv = read_edgelist(
        write(tmp_path, "Ann Lee, Bo Chen, 0.5\nBo Chen,Zoé,1\n", "n.csv"), labels="string"
    )
    assert csv.labels.tolist() == ["Ann Lee", "Bo Chen", "Zoé"]
    assert csv.weights is not None
    # with string labels every id is kept as written, numbers included
    mixed = read_edgelist(write(tmp_path, "007 x\n7 8\n", "m.txt"), labels="string")
    assert mixed.labels.tolist() == ["007", "7", "8", "x"]
    # an id written as a number in a scenario finds the user named by those digits
    assert mixed.node_ids([7, "x"]).tolist() == [1, 3]


def test_ids_beyond_int64_are_errors_or_string_labels(tmp_path):
    path = write(tmp_path, "9223372036854775808 1\n1 2\n")
    with pytest.raises(EdgeListError, match=r":1: node id '9223372036854775808' is not an"):
        read_edgelist(path)
    g = read_edgelist(path, labels="string")
    assert g.labels.tolist() == ["1", "2", "9223372036854775808"]
    g = read_edgelist(write(tmp_path, "0000000000000000000000000000042 1\n"))
    assert g.labels.tolist() == [1, 42]


TYPOS = [
    ("1 2\n3 four\n", 2, "four"),
    ("1 2\n3 4O\n", 2, "4O"),
    ("1 2\nl 4\n", 2, "l"),
    ("1,2\n2,3\n3,x9\n", 3, "x9"),
    ("1 2 0.5\n2 3.0 0.5\n", 2, "3.0"),
    ("1 2\n3 - \n", 2, "-"),
    ("1\t2\n2\t1e3\n", 2, "1e3"),
]


@pytest.mark.parametrize(("text", "line", "token"), TYPOS)
def test_a_typo_in_an_integer_id_is_an_error_not_a_new_user(tmp_path, text, line, token):
    path = write(tmp_path, text, "typo.txt")
    with pytest.raises(EdgeListError) as info:
        read_edgelist(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: node id {token!r} is not an integer")
    assert "labels" in message and "\n" not in message
    assert info.value.line == line
    # the Python parser, the kernel's reference, says the same
    fast, slow = parse_both(text.encode())
    assert fast == slow == message.replace(str(path), "f.txt")


NEGATIVE = [
    ("1 2 0.5\n2 3 -0.5\n", 2, "-0.5"),
    ("1,2,-1\n", 1, "-1"),
    ("1 2 -1e-300\n", 1, "-1e-300"),
    ("1 2 1\n2 3 -12345678901234567890.5\n", 2, "-12345678901234567890.5"),  # slow path
]


@pytest.mark.parametrize(("text", "line", "token"), NEGATIVE)
@pytest.mark.parametrize("labels", ["int", "string"])
def test_negative_weights_are_refused(tmp_path, text, line, token, labels):
    path = write(tmp_path, text, "w.txt")
    with pytest.raises(EdgeListError) as info:
        read_edgelist(path, labels=labels)
    assert str(info.value) == (
        f"{path}:{line}: negative weight {token!r} (tie strengths must be >= 0)"
    )
    fast, slow = parse_both(text.encode(), labels=labels)
    assert slow == str(info.value).replace(str(path), "f.txt")
    assert fast is None or fast == slow


def test_zero_and_negative_zero_weights_are_allowed(tmp_path):
    g = read_edgelist(write(tmp_path, "1 2 0\n2 3 -0.0\n"))
    assert g.weights.tolist() == [0.0, 0.0, 0.0, 0.0]


INTEGER_FILES = [
    "1 2\n2 3\n",
    "# c\n-1\t+2  # x\n\n0002 3\r\n",
    "1,2,0.5\n2,3,1e-3\n3,1,-2.\n",
    "5 5\n5 6 1\n6 5 2\n",
    "9223372036854775807 -9223372036854775808\n0 1000000000000000\n",
    "1 2 3\n4 5\n",  # a column-count error
    "1 2\n3 4 5 6\n",
    "1,,2\n",
    "1 2 1e400\n",
    "1 2 0.5\n3 4 nan\n",
    "",
]


@pytest.mark.parametrize("text", INTEGER_FILES)
@pytest.mark.parametrize("weighted", [None, True, False])
def test_kernel_and_python_parser_agree(text, weighted):
    fast, slow = parse_both(text.encode(), weighted=weighted)
    assert fast is not None
    assert_same_parse(fast, slow)


def test_kernel_and_python_parser_agree_on_a_large_file():
    rng = np.random.default_rng(3)
    ids = rng.integers(-(10**6), 10**6, size=(5000, 2))
    w = rng.random(5000)
    rows = zip(ids[:, 0].tolist(), ids[:, 1].tolist(), w.tolist(), strict=True)
    lines = [f"{a}\t{b}\t{x!r}" for a, b, x in rows]
    fast, slow = parse_both(("\n".join(lines) + "\n").encode())
    assert fast is not None and fast.src.size == 5000
    assert_same_parse(fast, slow)


@pytest.mark.parametrize("spread", [1, 10**15])
def test_relabel_matches_numpy_unique(spread):
    rng = np.random.default_rng(5)
    src = rng.integers(-50, 50, 300) * spread
    dst = rng.integers(-50, 50, 300) * spread
    labels, new_src, new_dst = relabel(src, dst, 300)
    expected, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
    np.testing.assert_array_equal(labels, expected)
    np.testing.assert_array_equal(new_src, inverse[:300])
    np.testing.assert_array_equal(new_dst, inverse[300:])
    extremes = np.array([-(2**63), 2**63 - 1])
    labels, _, _ = relabel(extremes, extremes[::-1].copy(), 2)
    np.testing.assert_array_equal(labels, extremes)


# ---------------------------------------------------------------------------- round trips
def _random_graph(rng, directed, weighted, labels):
    src = rng.integers(0, 30, 120)
    dst = rng.integers(0, 30, 120)
    tie = src != dst  # an edge list cannot hold users without ties
    src, dst = src[tie], dst[tie]
    keep, ids = np.unique(np.concatenate([src, dst]), return_inverse=True)
    w = np.round(rng.random(src.size), 3) + rng.random(src.size) * 1e-9 if weighted else None
    return CSRGraph.from_edges(
        ids[: src.size],
        ids[src.size :],
        keep.size,
        directed=directed,
        weights=w,
        labels=labels(keep),
    )


LABELINGS = {
    "none": lambda keep: None,
    "int": lambda keep: (keep * 1000 - 7).astype(np.int64),
    "str": lambda keep: np.array([f"user{k:03d}" for k in keep], dtype=object),
}


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("labels", list(LABELINGS))
@pytest.mark.parametrize("delimiter", ["\t", " ", ","])
def test_write_then_read_gives_the_same_graph(tmp_path, directed, weighted, labels, delimiter):
    g = _random_graph(np.random.default_rng(11), directed, weighted, LABELINGS[labels])
    path = tmp_path / "g.txt"
    write_edgelist(g, path, delimiter=delimiter)
    back = read_edgelist(path, directed=directed, labels="string" if labels == "str" else "int")
    if g.labels is None:
        assert back.labels.tolist() == list(range(g.n))
        g = CSRGraph(g.indptr, g.indices, g.directed, g.weights, labels=back.labels)
    assert_same_graph(g, back)


def test_write_rejects_labels_that_cannot_be_read_back(tmp_path):
    labels = np.array(["a b", "c"], dtype=object)
    g = CSRGraph.from_edges([0], [1], 2, labels=labels)
    with pytest.raises(ValueError, match="cannot be written"):
        write_edgelist(g, tmp_path / "x.txt")
    with pytest.raises(ValueError, match="delimiter"):
        write_edgelist(g, tmp_path / "x.txt", delimiter=";")


# ---------------------------------------------------------------------------- Facebook
def test_packaged_facebook_file_is_the_snap_original():
    data = (files("smmsim") / "data" / "facebook_combined.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == FACEBOOK_SHA256


def test_facebook_audience():
    g = facebook()
    assert (g.n, g.n_edges) == (4039, 88234)
    assert not g.directed
    assert g.labels.tolist() == list(range(4039))
    assert nx.average_clustering(g.to_networkx()) == pytest.approx(0.6055, abs=1e-3)


def test_facebook_round_trip(tmp_path):
    g = facebook()
    write_edgelist(g, tmp_path / "fb.txt")
    assert_same_graph(g, read_edgelist(tmp_path / "fb.txt"))


# ---------------------------------------------------------------------------- errors
ERRORS = [
    ("1 2\n3 4 5 6\n", {}, 2, "expected 2 or 3 columns (source target [weight]), got 4"),
    ("# h\n1\n", {}, 2, "expected 2 or 3 columns (source target [weight]), got 1"),
    ("1 2\n3 4\n", {"weighted": True}, 1, "expected 3 columns (source target weight), got 2"),
    ("1 2 0.5\n\n3 4\n", {}, 3, "expected 3 columns as on line 1, got 2"),
    ("1 2\n3 4 0.5\n", {}, 2, "expected 2 columns as on line 1, got 3"),
    ("1 2 0.5\n3 4 heavy\n", {}, 2, "bad weight 'heavy'"),
    ("1 2 inf\n", {}, 1, "bad weight 'inf'"),
    ("1 2 1e999\n", {}, 1, "bad weight '1e999'"),
    ("1 2 1_000\n", {}, 1, "bad weight '1_000'"),
    ("a b 0.5\nc d x\n", {"labels": "string"}, 2, "bad weight 'x'"),
    ("1,2\n3,,4\n", {}, 2, "empty field (columns are separated by ',')"),
    ("1,2,\n", {}, 1, "empty field"),
    ("1 2\n3,4\n", {}, 2, "got 1"),
    ("1 2\n\xff 3\n", {"labels": "string"}, 2, "is not valid UTF-8 text"),
    ("1 2\n\x00\x00 3\n", {"labels": "string"}, 2, "NUL byte"),
    ("1 2\n\x00\x00 3\n", {}, 2, "NUL byte in node id"),
    ("1 2\n\xff 3\n", {}, 2, "node id '\ufffd' is not an integer"),
    ("1 2 -3\n", {}, 1, "negative weight '-3'"),
    ("1 2\n" * 5 + "1 2 3 4 5 6 7 8\n", {"weighted": False}, 6, "got 8"),
]


@pytest.mark.parametrize(("text", "options", "line", "problem"), ERRORS)
def test_errors_name_file_and_line_on_one_line(tmp_path, text, options, line, problem):
    path = write(tmp_path, text.encode("latin-1"), "data.txt")
    with pytest.raises(EdgeListError) as info:
        read_edgelist(path, **options)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: ")
    assert problem in message
    assert "\n" not in message and "\r" not in message
    assert info.value.line == line and info.value.source == str(path)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n  \r\n", "\xef\xbb\xbf"])
def test_a_file_without_edges_is_an_error(tmp_path, text):
    path = write(tmp_path, text.encode("latin-1"))
    with pytest.raises(EdgeListError, match=r"^.*edges\.txt: no edges found"):
        read_edgelist(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(EdgeListError) as info:
        read_edgelist(tmp_path / "x.txt")
    assert str(info.value) == f"{tmp_path / 'x.txt'}: no such file"
    with pytest.raises(EdgeListError, match="is a directory"):
        read_edgelist(tmp_path)


@pytest.mark.parametrize(
    "options",
    [
        {"weighted": "yes"},
        {"delimiter": "ab"},
        {"delimiter": "1"},
        {"delimiter": "\n"},
        {"comment": "//"},
        {"comment": "1"},
        {"delimiter": "#", "comment": "#"},
        {"labels": "str"},
    ],
)
def test_bad_options_are_value_errors(tmp_path, options):
    path = write(tmp_path, "1 2\n")
    with pytest.raises(ValueError, match=r"parameters? of read_edgelist") as info:
        read_edgelist(path, **options)
    assert not isinstance(info.value, EdgeListError)


# ---------------------------------------------------------------------------- properties
OPTIONS = st.fixed_dictionaries(
    {
        "directed": st.booleans(),
        "weighted": st.sampled_from([None, True, False]),
        "delimiter": st.sampled_from([None, ",", " ", ";"]),
        "comment": st.sampled_from(["#", "%", None]),
        "labels": st.sampled_from(["int", "string"]),
    }
)
TOKEN = st.one_of(
    st.integers(-(2**65), 2**65).map(str),
    st.integers(0, 20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="ab-+.eE0123456789#,;é\x00\r\t", min_size=0, max_size=6),
)
LINES = st.lists(
    st.tuples(st.lists(TOKEN, min_size=0, max_size=5), st.sampled_from([" ", "\t", ",", " , "])),
    max_size=8,
).map(lambda rows: "\n".join(sep.join(tokens) for tokens, sep in rows).encode())
CONTENT = st.one_of(st.binary(max_size=120), LINES)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("hypothesis") / "input.txt"


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=CONTENT, options=OPTIONS)
def test_any_content_gives_a_graph_or_an_edge_list_error(scratch, data, options):
    scratch.write_bytes(data)
    try:
        g = read_edgelist(scratch, **options)
    except EdgeListError as err:
        message = str(err)
        assert message.startswith(f"{scratch}")
        assert "\n" not in message
    else:
        g.validate()
        assert g.n == g.labels.shape[0] and g.n_edges >= 0
    options.pop("directed")
    assert_same_parse(*parse_both(data, **options))
