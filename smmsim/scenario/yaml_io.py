"""YAML for scenario files: a strict safe loader, a compact dumper and
:func:`_parse_yaml`, which turns every failure into a :class:`ScenarioError`."""

from __future__ import annotations

import re
from typing import Any

import yaml

from smmsim.params import describe_value
from smmsim.scenario.errors import ScenarioError


class _Loader(yaml.SafeLoader):
    """Safe YAML with three changes for scenario files.

    Duplicate keys are errors (PyYAML silently keeps the last), ``1e-3`` is a float (as
    in YAML 1.2; PyYAML's YAML 1.1 reads it as a string) and dates stay strings.
    """

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        "found unhashable key",
                        key_node.start_mark,
                    ) from None
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"duplicate key {describe_value(key)}",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        # Python refuses to read integers of more than 4,300 digits (and converting
        # them costs time quadratic in their length): say so with the position
        text = str(node.value)
        digits = sum(ch.isdigit() for ch in text)
        if digits > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"an integer of {digits:,} digits is too large (integers must lie in "
                "[-2**63, 2**63 - 1])",
                node.start_mark,
            )
        return super().construct_yaml_int(node)

    def compose_document(self) -> yaml.Node:
        node = super().compose_document()
        _check_aliases(node)
        return node


#: Longest integer literal read (smaller ones out of range are refused by the schema,
#: which names their key).
MAX_INT_DIGITS = 4000

#: How many values YAML aliases may add to a document: aliases are a convenience for
#: repeating a block, never a way to build a large value from a small file.
MAX_ALIAS_VALUES = 10_000


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand it by more than :data:`MAX_ALIAS_VALUES`.

    The composed document is a graph in which an alias is the anchored node itself, so
    a "billion laughs" file is small here and huge only once expanded. Each node's
    expanded size is counted once (memoised), which keeps this check linear in the
    file; a node that contains itself expands without end.
    """
    size: dict[int, int] = {}
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            size[key] = min(total, 2**62)
            continue
        if key in size:
            continue
        if key in on_path:
            raise yaml.constructor.ConstructorError(
                None, None, "an alias refers to a value that contains it", node.start_mark
            )
        distinct += 1
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)
    expanded = size[id(root)]
    if expanded - distinct > MAX_ALIAS_VALUES:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"aliases would expand {distinct:,} values to {_count(expanded)}; at most "
            f"{MAX_ALIAS_VALUES:,} values may come from aliases",
            root.start_mark,
        )


def _count(n: int) -> str:
    return f"{n:,}" if n < 10**12 else f"more than {10**12:,}"


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),
)


class _Dumper(yaml.SafeDumper):
    """Block-style mappings with short lists written inline (``[3, 17, 42]``)."""


_Dumper.add_representer(
    list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)


def _first_line(text: str) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def _char_text(character: Any) -> str:
    if isinstance(character, int):
        return f"#x{character:04x}"
    return describe_value(character)


def _parse_yaml(text: str, source: str, key: str | None = None) -> Any:
    """``yaml`` parse of ``text``; every failure becomes a :class:`ScenarioError`."""
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = _first_line(exc.problem or "")
        context = _first_line(exc.context or "")
        if context and not context.startswith("while"):
            problem = f"{context} {problem}".strip()
        raise ScenarioError(source, key, f"{where}invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise ScenarioError(
            source,
            key,
            f"line {line}: invalid YAML: {_first_line(exc.reason)} "
            f"(character {_char_text(exc.character)})",
        ) from None
    except RecursionError:
        raise ScenarioError(source, key, "invalid YAML: nested too deeply") from None
    except Exception as exc:  # the YAML library has many failure modes; none may escape
        detail = _first_line(str(exc)) or type(exc).__name__
        raise ScenarioError(source, key, f"invalid YAML: {detail}") from None
