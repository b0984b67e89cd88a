"""Driving the real window like a person in tests: drags, keys, and what the project file holds."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from corpus.store import Store

PERSON = "tester"


def snapshot(path, doc_id=None):
    """Everything a person's edits can change, as plain sets (ids included)."""
    with Store(path) as st:
        spans = {(s.id, s.doc_id, s.layer, s.start, s.end, s.label) for s in st.spans(doc_id)}
        rels = {(r.id, r.head, r.child, r.label, r.layer) for r in st.relations(doc_id)}
        statuses = {(d, a, s.value) for (d, a), s in st.statuses().items()}
        rej = st.rejections(PERSON)
    return spans, rels, statuses, rej


def open_doc(w, name):
    for d in w.doc_list.model.ids():
        if w.state.store.get_document(d).name == name:
            w.state.open_document(d)
            return d
    raise AssertionError(name)


def drag(qtbot, view, start, end, modifier=Qt.KeyboardModifier.NoModifier):
    """Drag with the mouse from inside character ``start`` to inside character ``end - 1``."""
    vp = view.viewport()
    r1 = view.char_rect(start)
    r2 = view.char_rect(end - 1)
    p1 = QPoint(r1.left() + max(1, r1.width() // 3), r1.center().y())
    p2 = QPoint(r2.right() - max(1, r2.width() // 3), r2.center().y())
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, modifier, p1)
    qtbot.mouseMove(vp, QPoint((p1.x() + p2.x()) // 2, p1.y()))
    qtbot.mouseMove(vp, p2)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, modifier, p2)


def key(qtbot, w, k, mod=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(w.view, k, mod)


def my_spans(w, doc_id=None):
    return w.state.store.spans(doc_id or w.doc_id, PERSON)


def label_text(w, qtbot, surface, keyname):
    """Select the first occurrence of ``surface`` and press ``keyname``; the span it made."""
    text = w.view.text
    s = text.index(surface)
    w.view.set_text_selection(s, s + len(surface))
    key(qtbot, w, keyname)
    return next(sp for sp in my_spans(w) if sp.start == s)
