"""Declared parameters: small constraint primitives and one ``validate`` function.

Every user-facing parameter in smmsim is declared as data: a :class:`Param` gives its
type, its allowed range or choices, its default and a one-line description. The same
declaration validates input, fills defaults and documents the parameter, so a range
that is declared is a range that is checked. Messages share one form, after
scikit-learn's ``_param_validation``: ``"must be a probability in [0, 1], got 1.5"``.

Examples
--------
>>> from smmsim.params import Param, validate
>>> p = Param("float", 0.15, low=0, high=1, description="chance a viewer engages")
>>> validate(1, p, "content.stickiness")
1.0
>>> validate(1.5, p, "content.stickiness")
Traceback (most recent call last):
...
smmsim.params.ParamError: content.stickiness: must be a probability in [0, 1], got 1.5
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from smmsim._text import is_utf8, summarize
from smmsim.errors import UserError

__all__ = [
    "REQUIRED",
    "Param",
    "ParamError",
    "describe_value",
    "format_number",
    "half_life_param",
    "key_text",
    "optional_list_param",
    "unknown_key_message",
    "validate",
    "validate_mapping",
]

Kind = Literal["int", "float", "bool", "str", "list", "any"]

_KIND_NOUNS = {
    "int": "integer",
    "float": "number",
    "bool": "boolean (true or false)",
    "str": "string",
    "list": "list",
    "any": "value",
}


class _Required:
    """Sentinel default of a parameter that must be given."""

    _instance: _Required | None = None

    def __new__(cls) -> _Required:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


class ParamError(UserError):
    """A parameter value is not allowed.

    Parameters
    ----------
    key : str
        Dotted name of the parameter (``"content.stickiness"``).
    message : str
        What is wrong and what is allowed, starting with a verb phrase
        (``"must be an integer >= 1, got -3"``).
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def format_number(x: float) -> str:
    """Short text for a bound or value: ``0``, ``0.5``, ``10000``, ``1e-06``."""
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, numbers.Integral):
        return str(int(x))
    x = float(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


_YAML_TYPE_NAMES = {
    bool: "boolean",
    str: "string",
    list: "list",
    tuple: "list",
    dict: "mapping",
    type(None): "null",
    int: "integer",
    float: "number",
}


def describe_value(value: Any, limit: int = 60) -> str:
    """A short, single-line ``repr`` of ``value`` for error messages.

    Bounded in time and length whatever the value (see :func:`smmsim._text.summarize`):
    YAML aliases are not expanded, huge integers are described by their size, long
    strings are cut, line breaks and lone surrogates are escaped.
    """
    return summarize(value, limit)


def _article(noun: str) -> str:
    return "an" if noun[:1] in ("a", "e", "i", "o", "u") else "a"


def _type_name(value: Any) -> str:
    for typ, name in _YAML_TYPE_NAMES.items():
        if type(value) is typ:
            return name
    if isinstance(value, Mapping):
        return "mapping"
    return type(value).__name__


@dataclass(frozen=True)
class Param:
    """Declaration of one parameter.

    Parameters
    ----------
    kind : {"int", "float", "bool", "str", "list", "any"}
        Value type. ``"float"`` accepts integers (YAML writes ``1`` for ``1.0``) and
        returns a float; ``"int"`` accepts integral floats such as ``10000.0``;
        booleans are never numbers.
    default : object
        Value used when the key is absent; :data:`REQUIRED` if it must be given.
    low, high : float, optional
        Bounds of the allowed interval (numbers, or the length of a list).
    closed : {"both", "left", "right", "neither"}
        Which bounds belong to the interval (scikit-learn's ``Interval`` convention).
    choices : tuple of str, optional
        Allowed values of a string parameter.
    nullable : bool
        Whether ``None`` (YAML ``null``) is allowed.
    items : tuple of str, optional
        Allowed kinds of list elements (``("int", "str")``).
    description : str
        One line for documentation tables.
    check : callable, optional
        ``check(value, key) -> value``, run after the type and range checks for rules
        that the fields above cannot state; raises :class:`ParamError`.
    type_text : str, optional
        Phrase used in messages and tables instead of the generated one
        (``"an even integer >= 2"``).
    """

    kind: Kind
    default: Any = REQUIRED
    low: float | None = None
    high: float | None = None
    closed: Literal["both", "left", "right", "neither"] = "both"
    choices: tuple[str, ...] | None = None
    nullable: bool = False
    items: tuple[str, ...] | None = None
    description: str = ""
    check: Callable[[Any, str], Any] | None = None
    type_text: str | None = None

    @property
    def required(self) -> bool:
        """Whether the parameter has no default."""
        return self.default is REQUIRED

    @property
    def is_probability(self) -> bool:
        """A number in the closed interval [0, 1]."""
        return self.kind == "float" and self.low == 0 and self.high == 1 and self.closed == "both"

    def _range_text(self) -> str:
        lo_in = self.closed in ("both", "left")
        hi_in = self.closed in ("both", "right")
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            left = "[" if lo_in else "("
            right = "]" if hi_in else ")"
            return f"in {left}{format_number(lo)}, {format_number(hi)}{right}"
        if lo is not None:
            return f"{'>=' if lo_in else '>'} {format_number(lo)}"
        if hi is not None:
            return f"{'<=' if hi_in else '<'} {format_number(hi)}"
        return ""

    def phrase(self) -> str:
        """What is allowed, as a noun phrase with its article: ``"an integer >= 1"``."""
        if self.type_text is not None:
            text = self.type_text
        elif self.choices is not None:
            text = "one of: " + ", ".join(self.choices)
        elif self.is_probability:
            text = "a probability in [0, 1]"
        elif self.kind == "list":
            inner = " or ".join(_KIND_NOUNS.get(k, k) + "s" for k in (self.items or ()))
            text = f"a list of {inner}" if inner else "a list"
            if self.low is not None and self.low >= 1 and self.high is None:
                text = "a non-empty " + text[2:]
        else:
            noun = _KIND_NOUNS[self.kind]
            rng = self._range_text()
            article = _article(noun)
            text = f"{article} {noun}" + (f" {rng}" if rng else "")
        if self.nullable:
            text += " or null"
        return text

    def type_summary(self) -> str:
        """What is allowed, without the article, for documentation tables."""
        text = self.phrase()
        for article in ("a ", "an "):
            if text.startswith(article):
                return text[len(article) :]
        return text

    def default_text(self) -> str:
        """The default as it would be written in YAML (``required`` if none)."""
        if self.required:
            return "required"
        if self.default is None:
            return "null"
        if isinstance(self.default, float):
            return repr(self.default)
        if isinstance(self.default, bool | int):
            return format_number(self.default)
        if isinstance(self.default, list):
            return "[" + ", ".join(str(x) for x in self.default) + "]"
        return str(self.default)


def _fail(spec: Param, key: str, value: Any, *, show_type: bool = False) -> ParamError:
    if spec.choices is not None and spec.type_text is None:
        allowed = ", ".join(spec.choices)
        null = ", or null" if spec.nullable else ""
        return ParamError(key, f"must be one of: {allowed}{null}; got {describe_value(value)}")
    got = describe_value(value)
    if show_type:
        name = _type_name(value)
        got += f" ({_article(name)} {name})"
    return ParamError(key, f"must be {spec.phrase()}, got {got}")


def _in_range(x: float, spec: Param) -> bool:
    lo_in = spec.closed in ("both", "left")
    hi_in = spec.closed in ("both", "right")
    if spec.low is not None and (x < spec.low or (x == spec.low and not lo_in)):
        return False
    return not (spec.high is not None and (x > spec.high or (x == spec.high and not hi_in)))


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _fits_int64(value: int) -> bool:
    return _INT64_MIN <= value <= _INT64_MAX


def _why_not(value: Any, kind: str) -> str:
    """Why a value of the right type was refused, for the message (or ``""``)."""
    if kind == "int" and isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            whole = int(value)
        except (OverflowError, ValueError):  # inf, nan
            return ""
        if whole == value and not _fits_int64(whole):
            return "; integers must lie in [-2**63, 2**63 - 1]"
    if kind == "str" and isinstance(value, str) and not is_utf8(value):
        return "; text must be valid Unicode (it holds a lone surrogate)"
    return ""


def _coerce_scalar(value: Any, kind: str) -> tuple[bool, Any]:
    """``(ok, coerced)`` for one value against a scalar kind."""
    if kind == "any":
        return True, value
    if kind == "bool":
        if isinstance(value, bool):
            return True, value
        if type(value).__name__ == "bool_":  # numpy.bool_ without importing numpy
            return True, bool(value)
        return False, value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return False, value
    if kind == "str":
        return (True, str(value)) if isinstance(value, str) and is_utf8(value) else (False, value)
    if kind == "int":
        if isinstance(value, numbers.Integral):
            value = int(value)
            return (True, value) if _fits_int64(value) else (False, value)
        if isinstance(value, numbers.Real):
            try:
                x = float(value)
            except (OverflowError, ValueError, TypeError):
                return False, value
            if math.isfinite(x) and x.is_integer() and _fits_int64(int(x)):
                return True, int(x)
        return False, value
    if kind == "float":
        if isinstance(value, numbers.Real):
            try:
                x = float(value)
            except (OverflowError, ValueError, TypeError):
                return False, value
            return (True, x) if math.isfinite(x) else (False, value)
        return False, value
    raise ValueError(f"unknown parameter kind {kind!r}")


def validate(value: Any, spec: Param, key: str) -> Any:
    """Check ``value`` against ``spec`` and return it coerced to a plain Python type.

    Parameters
    ----------
    value : object
        The value given (from YAML, a dict or an override).
    spec : Param
        Its declaration.
    key : str
        Dotted name used in the error message.

    Returns
    -------
    object
        ``int``, ``float``, ``bool``, ``str``, ``list`` or ``None``: YAML/JSON-ready.

    Raises
    ------
    ParamError
        With a message saying what is allowed, e.g. ``"must be an integer >= 1, got -3"``.
    """
    if value is None:
        if spec.nullable:
            return None
        raise _fail(spec, key, value)
    if spec.kind == "list":
        if not isinstance(value, list | tuple):
            raise _fail(spec, key, value, show_type=True)
        out = []
        for i, item in enumerate(value):
            for kind in spec.items or ("any",):
                ok, coerced = _coerce_scalar(item, kind)
                if ok:
                    out.append(coerced)
                    break
            else:
                nouns = " or ".join(_KIND_NOUNS[k] for k in spec.items or ("any",))
                why = "".join(_why_not(item, k) for k in spec.items or ("any",))
                raise ParamError(
                    f"{key}[{i}]",
                    f"must be {_article(nouns)} {nouns}, "
                    f"got {describe_value(item)} ({_article(_type_name(item))} {_type_name(item)})"
                    f"{why}",
                )
        if not _in_range(len(out), spec):
            raise _fail(spec, key, value)
        value = out
    else:
        original = value
        ok, value = _coerce_scalar(value, spec.kind)
        if not ok:
            error = _fail(spec, key, original, show_type=True)
            why = _why_not(original, spec.kind)
            raise ParamError(key, error.message + why) if why else error
        if spec.choices is not None and value not in spec.choices:
            raise _fail(spec, key, original)
        if spec.kind in ("int", "float") and not _in_range(value, spec):
            raise _fail(spec, key, original)
    if spec.check is not None:
        value = spec.check(value, key)
    return value


def unknown_key_message(key: Any, allowed: list[str], where: str, what: str = "key") -> str:
    """``"unknown key; <where> allows: a, b, c (did you mean 'b'?)"``."""
    text = f"unknown {what}; {where} allows: {', '.join(allowed)}"
    if isinstance(key, str):
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            text += f" (did you mean {close[0]!r}?)"
    return text


def first_difference(a: Any, b: Any, where: str) -> tuple[str, Any, Any] | None:
    """The first dotted key (from ``where``) at which two nested mappings differ, with
    the two values there; ``None`` when they are equal."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in sorted(set(a) | set(b), key=str):
            found = first_difference(a.get(k), b.get(k), f"{where}.{k}")
            if found is not None:
                return found
        return None
    return None if a == b else (where, a, b)


def key_text(key: Any) -> str:
    """A mapping key as it should appear in a dotted name (``repr`` unless plain text)."""
    if isinstance(key, str) and key.isprintable() and key.strip() == key and key:
        return key
    return describe_value(key, limit=40)


def validate_mapping(
    values: Mapping[Any, Any] | None,
    schema: Mapping[str, Param],
    prefix: str = "",
    *,
    where: str | None = None,
) -> dict[str, Any]:
    """Validate a whole mapping: reject unknown keys, check each value, fill defaults.

    Parameters
    ----------
    values : mapping or None
        Given values; ``None`` counts as empty.
    schema : mapping of str to Param
        The declared keys, in documentation order (the output follows it).
    prefix : str
        Dotted prefix for error keys (``"content"``).
    where : str, optional
        Name used in the unknown-key message (default: ``prefix``).

    Returns
    -------
    dict
        Every declared key, in schema order, with its validated or default value.

    Raises
    ------
    ParamError
        For an unknown key (listing the allowed ones), a missing required key or a
        value out of its declared range.
    """
    values = {} if values is None else values
    if not isinstance(values, Mapping):
        raise ParamError(
            prefix or "<top level>",
            f"must be a mapping of keys to values, got {describe_value(values)}"
            f" ({_article(_type_name(values))} {_type_name(values)})",
        )
    dot = f"{prefix}." if prefix else ""
    for key in values:
        if key not in schema or not isinstance(key, str):
            raise ParamError(
                dot + key_text(key),
                unknown_key_message(key, list(schema), where or prefix or "the top level"),
            )
    out: dict[str, Any] = {}
    for key, spec in schema.items():
        if key in values:
            out[key] = validate(values[key], spec, dot + key)
        elif spec.required:
            raise ParamError(dot + key, f"is required: {spec.phrase()}")
        else:
            default = spec.default
            out[key] = list(default) if isinstance(default, list) else default
    return out


def optional_list_param(
    items: tuple[str, ...],
    description: str,
    *,
    low: int | None = None,
    check: Callable[[Any, str], Any] | None = None,
) -> Param:
    """The declaration of a list that may be left out (default null), its elements of the
    kinds ``items`` and its length at least ``low``."""
    return Param(
        "list", None, low=low, items=items, nullable=True, check=check, description=description
    )


def optional_int_param(description: str, *, low: int) -> Param:
    """The declaration of a whole number of at least ``low`` that may be left out
    (default null, which ``description`` says the meaning of)."""
    return Param("int", None, low=low, nullable=True, description=description)


def half_life_param(description: str) -> Param:
    """The declaration of a content's novelty half-life: steps > 0, or null for none."""
    return Param("float", None, low=0, closed="neither", nullable=True, description=description)
