"""The scenarios shipped beside the package (``scenarios/*.yaml`` of the repository),
offered by the app's scenario picker: :func:`shipped_scenarios`."""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUILT_IN", "load_choice", "shipped_scenarios"]

#: The picker's entry for :func:`smmsim.default_scenario`.
BUILT_IN = "built-in product launch (default)"


def scenario_folder() -> Path | None:
    """The repository's ``scenarios`` folder, when the package runs from a checkout."""
    folder = Path(__file__).resolve().parents[2] / "scenarios"
    return folder if folder.is_dir() else None


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario files by file name (empty for an installed package)."""
    folder = scenario_folder()
    if folder is None:
        return {}
    return {p.name: p for p in sorted(folder.glob("*.yaml"))}


def load_choice(choice: str):
    """The scenario a picker entry names (the server's own files only)."""
    from smmsim.scenario import default_scenario, load_scenario

    files = shipped_scenarios()
    if choice in files:
        return load_scenario(files[choice])
    return default_scenario()
