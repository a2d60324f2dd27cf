"""The scenario form: one Panel control per declared key, made from
:func:`smmsim.app.fields.scenario_fields`.

A choice is a drop-down, a flag a checkbox, anything else a text box read as YAML
(numbers, ``null``, lists), as ``smmsim run --set`` reads it. Each change is validated at
once; a refused value keeps its text, and the command line's one-line message appears
under the control until it is corrected. Changing the model, the audience generator or
the seeding strategy changes which keys exist, so the form is made again.
"""

from __future__ import annotations

from collections.abc import Callable

import panel as pn

from smmsim.app.fields import Field, apply_texts, scenario_fields, sections
from smmsim.errors import UserError
from smmsim.scenario import Scenario

__all__ = ["ScenarioForm", "css_key"]

#: Keys whose change changes which keys the scenario has.
STRUCTURAL = frozenset({"model", "audience.generator", "seeding.strategy"})


def css_key(key: str) -> str:
    """A dotted key as a CSS class name: ``content.stickiness`` -> ``content-stickiness``."""
    return key.replace(".", "-").replace("_", "-")


class ScenarioForm:
    """Controls for every key of a scenario.

    Parameters
    ----------
    scenario : Scenario
        What the form starts from.
    prefix : str
        CSS class prefix of the controls (``"a"`` gives ``a-field-content-stickiness``),
        so two forms on one page stay apart.
    on_change : callable, optional
        ``on_change(form)`` after each accepted change.
    hidden : tuple of str
        Sections (or top-level keys) not shown.

    Attributes
    ----------
    scenario : Scenario
        The scenario with every accepted change.
    errors : dict
        Dotted key -> the message of its refused value.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        prefix: str = "a",
        on_change: Callable[[ScenarioForm], None] | None = None,
        hidden: tuple[str, ...] = (),
    ) -> None:
        self.scenario = scenario
        self.prefix = prefix
        self.errors: dict[str, str] = {}
        self._on_change = on_change
        self._hidden = hidden
        self._messages: dict[str, pn.pane.HTML] = {}
        self._widgets: dict[str, pn.widgets.Widget] = {}
        self._cells: dict[str, pn.Column] = {}
        self._quiet = False
        self.panel = pn.Column(sizing_mode="stretch_width")
        self._build()

    # ------------------------------------------------------------------ state
    @property
    def valid(self) -> bool:
        """No control holds a refused value."""
        return not self.errors

    def set_scenario(self, scenario: Scenario) -> None:
        """Show ``scenario`` (an upload, a copy), dropping refused values. The controls
        are kept when the keys are the same, and only their values change."""
        same_keys = [f.key for f in scenario_fields(scenario)] == list(self._widgets)
        self.scenario = scenario
        self.errors.clear()
        if same_keys:
            self._quiet = True
            try:
                for f in scenario_fields(scenario):
                    widget = self._widgets[f.key]
                    widget.value = f.value if f.control in ("choice", "bool") else f.text
                    self._show_error(f.key, None)
            finally:
                self._quiet = False
        else:
            self._build()
        if self._on_change is not None:
            self._on_change(self)

    def widget(self, key: str) -> pn.widgets.Widget:
        """The control of a dotted key."""
        return self._widgets[key]

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self._messages.clear()
        self._widgets.clear()
        self._cells.clear()
        cards = []
        for section, title, fields in sections(scenario_fields(self.scenario)):
            shown = [
                f for f in fields if f.section not in self._hidden and f.key not in self._hidden
            ]
            if not shown:
                continue
            cells = [self._cell(f) for f in shown]
            grid = pn.GridBox(*cells, ncols=3 if section else 2, sizing_mode="stretch_width")
            cards.append(
                pn.Card(
                    grid,
                    title=title,
                    collapsed=section in ("economics", "simulation", "") and bool(section),
                    sizing_mode="stretch_width",
                    css_classes=[f"{self.prefix}-section-{css_key(section or 'top')}"],
                )
            )
        self.panel.objects = cards
        for key, message in list(self.errors.items()):  # refused values still shown
            if key in self._cells:
                self._show_error(key, message)
            else:
                self.errors.pop(key)

    def _cell(self, f: Field) -> pn.Column:
        css = [f"{self.prefix}-field-{css_key(f.key)}"]
        if f.control == "choice":
            widget = pn.widgets.Select(
                label=f.label,
                options=list(f.param.choices),
                value=f.value,
                description=f.help or None,
                css_classes=css,
                sizing_mode="stretch_width",
            )
        elif f.control == "bool":
            widget = pn.widgets.Checkbox(
                label=f"{f.name}: {f.param.description}" if f.param else f.name,
                value=bool(f.value),
                css_classes=css,
            )
        else:
            widget = pn.widgets.TextInput(
                label=f.label,
                value=f.text,
                description=f.help or None,
                css_classes=css,
                sizing_mode="stretch_width",
            )
        self._widgets[f.key] = widget
        widget.param.watch(lambda event, key=f.key: self._changed(key, event.new), "value")
        cell = pn.Column(widget, sizing_mode="stretch_width", margin=(0, 5))
        self._cells[f.key] = cell
        return cell

    # ------------------------------------------------------------------ changes
    def _changed(self, key: str, value) -> None:
        if self._quiet:
            return
        try:
            new = apply_texts(self.scenario, {key: value})
        except UserError as exc:
            from smmsim.commands.common import one_line_error

            self._show_error(key, one_line_error(exc))
            return
        self.errors.pop(key, None)
        self._show_error(key, None)
        old = self.scenario
        self.scenario = new
        if key in STRUCTURAL and [f.key for f in scenario_fields(old)] != [
            f.key for f in scenario_fields(new)
        ]:
            self._build()
        if self._on_change is not None:
            self._on_change(self)

    def _show_error(self, key: str, message: str | None) -> None:
        import html

        pane = self._messages.get(key)
        if message is None:
            self.errors.pop(key, None)
            if pane is not None:
                pane.object, pane.visible = "", False
            return
        self.errors[key] = message
        text = f"<span class='msg'>{html.escape(message)}</span>"
        if pane is not None:
            pane.object, pane.visible = text, True
        elif key in self._cells:
            # made when first needed: a page with a pane per key loads noticeably slower
            pane = pn.pane.HTML(
                text,
                css_classes=["field-error", f"{self.prefix}-error-{css_key(key)}"],
                styles={"color": "#b00020", "font-size": "0.9em"},
                sizing_mode="stretch_width",
            )
            self._messages[key] = pane
            self._cells[key].append(pane)
