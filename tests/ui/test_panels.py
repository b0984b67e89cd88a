"""Dock panels are registry entries: a new panel is one module plus its registration."""

from __future__ import annotations

import importlib

import pytest
from conftest import open_window
from PySide6.QtCore import Qt

from ui.panels import Panel, registered_panels, unregister_panel


@pytest.fixture
def span_count_panel():
    module = importlib.import_module("span_count_panel")  # registers the panel when imported
    yield module
    unregister_panel(module.SPEC.name)


def test_a_registered_panel_is_docked_listed_and_follows_edits(qtbot, project, span_count_panel):
    win = open_window(qtbot, project, exposed=True)
    panel = win.panel("spanCount")
    assert isinstance(panel, Panel) and panel.text() == "0 spans by tester"
    assert win.dock("spanCount").objectName() == "dockSpanCount"
    view_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    assert "Span count" in [a.text() for a in view_menu.actions()]
    win.view.setFocus()
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    qtbot.keyClick(win.view, Qt.Key.Key_1)
    assert panel.text() == "1 spans by tester"
    win.undo()
    assert panel.text() == "0 spans by tester"
    win.close_project()
    assert panel.text() == "No project"


def test_the_window_panels_are_registry_entries(qtbot, project):
    names = [spec.name for spec in registered_panels()]
    assert names[:4] == ["documents", "labels", "tables", "guidelines"]
    win = open_window(qtbot, project)
    assert win.panel("guidelines") is None  # lazy: made when first shown
    win.act_guidelines.trigger()
    assert win.dock("guidelines").isVisible() and isinstance(win.panel("guidelines"), Panel)
