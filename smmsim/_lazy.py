"""Modules imported on first use: :func:`lazy_module`, and a package's re-exported
names imported on first access: :func:`lazy_exports`.

Models declare their parameters at import time (the scenario schema reads them) but
need their numba kernels only to run; loading the kernel module on first use keeps
``smmsim validate`` and the schema free of numba.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

__all__ = ["lazy_exports", "lazy_module"]


class _LazyModule:
    """Stands for a module until an attribute is first read."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    """An object whose attributes are those of module ``name``, imported on first use.

    Examples
    --------
    >>> json = lazy_module("json")
    >>> json.dumps([1])
    '[1]'
    """
    return _LazyModule(name)


def lazy_exports(
    package: str, modules: Mapping[str, str]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``__all__``, ``__getattr__`` and ``__dir__`` of a package that re-exports the
    public names of its modules.

    A name is imported from its module when first read, so importing the package, or
    one of its modules, loads nothing else.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    modules : Mapping[str, str]
        Module of the package (its name inside the package) -> its public names,
        separated by spaces.

    Examples
    --------
    >>> names, getattr_, dir_ = lazy_exports("json", {"decoder": "JSONDecoder"})
    >>> names, getattr_("JSONDecoder").__name__
    (['JSONDecoder'], 'JSONDecoder')
    """
    exports = {
        name: f"{package}.{module}" for module, names in modules.items() for name in names.split()
    }
    pkg = importlib.import_module(package)

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        setattr(pkg, name, value)  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(pkg), *exports})

    return sorted(exports), __getattr__, __dir__
