"""Dock panels as registry entries: adding a panel is one module plus :func:`register_panel`.

A panel is a widget following :class:`Panel` (it is told when the open project changes) made
by a factory that receives the window (to wire its signals to the window's public parts:
``window.view``, ``window.controller``, ``window.state``...). The window docks every registered
panel, in registration order, under ``dock<Name>`` (its place is remembered between runs), and
lists it in the View menu; a ``lazy`` panel is built the first time it is shown.

The window's own panels are registered at the bottom of this module: the document list, the
label legend, the annotation tables and the guidelines. A new panel's module calls
:func:`register_panel` when imported; import it here (below the built-in ones) or before the
window is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ui.doc_list import DocListPanel
from ui.guidelines import GuidelinesPanel
from ui.palette import LabelPalette
from ui.tables import AnnotationTables

__all__ = ["Panel", "PanelSpec", "register_panel", "registered_panels", "unregister_panel"]

Area = Qt.DockWidgetArea


@runtime_checkable
class Panel(Protocol):
    """What the window asks of a panel's widget."""

    def set_state(self, state: Any) -> None:
        """The open project changed (``None``: no project open)."""
        ...


@dataclass(frozen=True)
class PanelSpec:
    """A registered panel: ``name`` (its dock is ``dock<Name>``), the dock's ``title``, the
    ``factory`` making the widget for a window, its dock ``area``; ``lazy``: made when first
    shown (its View-menu entry then runs ``toggle``); ``tabify_with``: share the place of
    another panel; ``size``: the width (left/right) or height hint in pixels."""

    name: str
    title: str
    factory: Callable[[Any], QWidget]
    area: Area = Area.RightDockWidgetArea
    lazy: bool = False
    tabify_with: str | None = None
    size: int = 0

    @property
    def object_name(self) -> str:
        return "dock" + self.name[:1].upper() + self.name[1:]


_PANELS: dict[str, PanelSpec] = {}


def register_panel(spec: PanelSpec) -> PanelSpec:
    """Add a panel to every window made from now on (a name registered again is replaced)."""
    _PANELS[spec.name] = spec
    return spec


def unregister_panel(name: str) -> None:
    """Remove a panel (windows made from now on do not have it)."""
    _PANELS.pop(name, None)


def registered_panels() -> list[PanelSpec]:
    """Every registered panel, in registration order."""
    return list(_PANELS.values())


# -- the window's own panels ---------------------------------------------------------------------
class LegendPanel(LabelPalette):
    """The label legend (click a label to apply it); the window sets which kind it shows."""

    def set_state(self, state: Any) -> None:
        if state is None:
            self.set_labels([], self.kind)


def _documents(window) -> QWidget:
    w = DocListPanel(None, window)
    w.documentChosen.connect(lambda _d: window.view.setFocus())
    w.orderChosen.connect(window.learning.set_order_mode)
    window.learning.orderReady.connect(w.set_order)
    return w


def _legend(window) -> QWidget:
    w = LegendPanel(window)
    w.labelChosen.connect(lambda name: window.controller.apply_label(name))
    return w


def _tables(window) -> QWidget:
    w = AnnotationTables(window)
    w.spanActivated.connect(window.select_item)
    w.relationActivated.connect(lambda rel_id, _head: window.select_relation(rel_id))
    return w


def _guidelines(window) -> QWidget:
    return GuidelinesPanel(window.state, window)


register_panel(PanelSpec("documents", "Documents", _documents, Area.LeftDockWidgetArea, size=270))
register_panel(PanelSpec("labels", "Labels", _legend, size=300))
register_panel(PanelSpec("tables", "Annotations", _tables, size=340))
register_panel(PanelSpec("guidelines", "Guidelines", _guidelines, lazy=True, tabify_with="tables"))

import ui.training_panel  # noqa: E402,F401 - registers the "training" panel (ui/training_panel.py)
