"""Window edits while another program holds the project's write lock (issue 14, fault 2).

The real window, driven by keys, goes through every kind of edit a person makes -- label,
relabel, accept a suggestion, delete, a relation, Ctrl+D, undo, redo -- each first while another
connection holds ``BEGIN IMMEDIATE`` on the file: each says "locked" in the status bar, changes
nothing on disk, and leaves the undo stack as it was (same steps, same position). Once the lock
is released, the same keys do the edit.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest  # noqa: E402

_SPEC = importlib.util.spec_from_file_location("ui_window_helpers", Path(__file__).parents[1] / "ui" / "conftest.py")
assert _SPEC is not None and _SPEC.loader is not None
helpers = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(helpers)  # the window tests' helpers: offscreen, test-mode settings

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from corpus.model import DocumentStatus  # noqa: E402
from corpus.store import Store  # noqa: E402

PERSON = "tester"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def _clean_settings() -> Iterator[None]:
    s = QSettings()
    s.clear()
    s.setValue("annotator", PERSON)
    s.sync()
    yield
    QSettings().clear()


def _disk(path: Path) -> tuple:
    """Everything a person's edits can change, read by another connection."""
    with Store(path, read_only=True) as st:
        spans = {(s.id, s.doc_id, s.layer, s.start, s.end, s.label, s.source) for s in st.spans()}
        rels = {(r.id, r.head, r.child, r.label, r.layer) for r in st.relations()}
        statuses = {(d, a, s.value) for (d, a), s in st.statuses().items()}
        return spans, rels, statuses, st.rejections(PERSON)


class Lock:
    """Another program's write transaction on the project file."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


@pytest.fixture
def win(qtbot, tmp_path: Path):
    path = helpers.make_project(tmp_path / "locked.db")
    helpers.add_suggestions(path, 1, [("Iraq", "GPE"), ("Hamas", "ORG")])
    w = helpers.open_window(qtbot, path, size=(1200, 800), exposed=True)
    assert w.doc_id == 1
    w.view.setFocus()
    return w


def key(qtbot, w, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(w.view, k, mod)


def _select_text(w, surface: str) -> int:
    start = w.view.text.index(surface)
    w.view.set_text_selection(start, start + len(surface))
    return start


def _mine(w) -> list:
    return w.state.store.spans(1, PERSON)


def _refused_then_done(w, qtbot, do: Callable[[], None], undo_moves: int = 1) -> tuple:
    """``do`` under a held lock: "locked", nothing on disk, the undo stack untouched; then
    ``do`` again once the lock is gone: it changes the project and moves the stack. Returns the
    state on disk before and after."""
    path = Path(w.state.path)
    stack = w.state.undo_stack
    before, steps = _disk(path), (stack.count(), stack.index())
    lock = Lock(path)
    try:
        do()
        message = w.statusBar().currentMessage()
        assert "locked" in message.lower(), message
        assert "Undone" not in message and "Redone" not in message
        assert w.sb_saved.text() == "Not changed"
    finally:
        lock.release()
    assert _disk(path) == before
    assert (stack.count(), stack.index()) == steps
    do()
    after = _disk(path)
    assert after != before, "the same keys did nothing once the lock was released"
    assert stack.index() == steps[1] + undo_moves
    return before, after


def test_every_kind_of_window_edit_under_a_held_lock_says_locked_and_works_after(win, qtbot) -> None:
    # label: select text, number key
    def label() -> None:
        _select_text(win, "Antony Blinken")
        key(qtbot, win, Qt.Key.Key_1)

    _refused_then_done(win, qtbot, label)
    [a] = _mine(win)

    _select_text(win, "US Secretary")
    key(qtbot, win, Qt.Key.Key_2)
    b = next(s for s in _mine(win) if s.id != a.id)

    # relabel: the selected span, another number key
    def relabel() -> None:
        win.view.select_span_id(b.id)
        key(qtbot, win, Qt.Key.Key_3)

    _refused_then_done(win, qtbot, relabel)
    assert win.state.store.get_span(b.id).label != a.label

    # accept a suggestion: Tab to it, Enter
    def accept() -> None:
        win.view.select_span_id(a.id)
        for _ in range(20):
            item = win.view.selected_item()
            if item is not None and item.suggestion and item.label == "GPE":
                break
            key(qtbot, win, Qt.Key.Key_Tab)
        key(qtbot, win, Qt.Key.Key_Return)

    _refused_then_done(win, qtbot, accept)
    assert any(s.source == "accepted:model:test@1" for s in _mine(win))

    # a relation: R from a, Tab to b, Enter, the relation label's key
    def relation() -> None:
        if win.controller.relation_mode:
            key(qtbot, win, Qt.Key.Key_Escape)
        win.view.select_span_id(a.id)
        key(qtbot, win, Qt.Key.Key_R)
        for _ in range(20):
            if win.view.selected_item().id == b.id:
                break
            key(qtbot, win, Qt.Key.Key_Tab)
        key(qtbot, win, Qt.Key.Key_Return)
        key(qtbot, win, Qt.Key.Key_1)

    _refused_then_done(win, qtbot, relation)
    assert [(r.head, r.child) for r in win.state.store.relations(1, PERSON)] == [(a.id, b.id)]

    # delete: the selected span (and its relation)
    def delete() -> None:
        if win.controller.relation_mode:
            key(qtbot, win, Qt.Key.Key_Escape)
        win.view.select_span_id(b.id)
        key(qtbot, win, Qt.Key.Key_Delete)

    _refused_then_done(win, qtbot, delete)
    assert win.state.store.get_span(b.id) is None and win.state.store.relations(1, PERSON) == []

    # undo (brings b and its relation back with their ids), then redo
    _refused_then_done(win, qtbot, lambda: key(qtbot, win, Qt.Key.Key_Z, CTRL), undo_moves=-1)
    assert win.state.store.get_span(b.id) is not None
    _refused_then_done(win, qtbot, lambda: key(qtbot, win, Qt.Key.Key_Z, CTRL | SHIFT))
    assert win.state.store.get_span(b.id) is None

    # Ctrl+D: the document is done, its undecided suggestion rejected (one step)
    QSettings().setValue("done_with_undecided", "reject")

    def done() -> None:
        if win.doc_id != 1:
            win.state.open_document(1)
        win.view.setFocus()
        key(qtbot, win, Qt.Key.Key_D, CTRL)

    _refused_then_done(win, qtbot, done)
    assert win.state.store.statuses(PERSON).get((1, PERSON)) == DocumentStatus.DONE
    assert {r[3] for r in win.state.store.rejections(PERSON, 1)} == {"ORG"}
