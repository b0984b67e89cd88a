"""Render the window's main states to PNG, offscreen: ``python -m ui.screenshots OUT``.

Builds the demo project (seed articles + spaCy suggestions) in a temporary folder, drives the
real window through the states a person meets (suggestions, a selection being labelled,
relations, relation mode, overlapping spans, markup shown as text, the shortcuts dialog and the
other windows when they are installed) and saves one picture of each. Settings are kept out of
the user's configuration (Qt's test mode).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from corpus.settings import ALLOW_OVERLAP  # noqa: E402

__all__ = ["render_all"]

PERSON = "alice"


def _process(app: QApplication, n: int = 3) -> None:
    for _ in range(n):
        app.processEvents()


def _save(widget: QWidget, out: Path, name: str, app: QApplication, message: str | None = None) -> Path:
    """Save ``widget``; a main window's status bar shows ``message`` (or nothing): a message
    left over from an earlier step must not appear in a picture of another state."""
    from PySide6.QtWidgets import QMainWindow

    if isinstance(widget, QMainWindow):
        widget.statusBar().clearMessage()
        if message:
            widget.statusBar().showMessage(message)
    _process(app)
    path = out / name
    widget.grab().save(str(path))
    print(path)
    return path


def _find(win, needle: str, label: str | None = None):
    text = win.view.text
    i = text.index(needle)
    return i, i + len(needle)


def _demo_project(work: Path) -> Path:
    """The demo project (seed articles and spaCy's suggestions), made afresh in ``work``."""
    from annotator.demo import demo_job
    from annotator.progress import drain
    from corpus.store import Store

    work.mkdir(parents=True, exist_ok=True)
    db = work / "demo.db"
    for f in work.glob("demo.db*"):
        f.unlink()
    with Store(db) as st:
        drain(demo_job(st))
    return db


def render_all(out: Path, workdir: Path | None = None) -> list[Path]:
    """Render every state to ``out``; returns the files written."""
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("corpuslabel-screenshots")
    QCoreApplication.setApplicationName("corpuslabel-screenshots")
    from ui.app import make_app

    app = make_app([sys.argv[0]])
    from annotator.edits import AddRelation
    from annotator import suggest as sg
    from corpus.model import Relation
    from ui.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    db = _demo_project(Path(workdir or tempfile.mkdtemp(prefix="shots-")))
    s = QSettings()
    s.clear()
    s.setValue("annotator", PERSON)
    s.setValue("auto_suggest", False)
    s.setValue("auto_propagate", False)
    files: list[Path] = []

    win = MainWindow()
    win.resize(1440, 860)
    win.show()
    _process(app)
    files.append(_save(win, out, "00-no-project.png", app))
    win.open_project(str(db))
    st = win.state
    assert st is not None
    names = {st.store.get_document(d).name: d for d in st.store.document_ids()}
    blinken = names.get("blinken-visits-baghdad", next(iter(names.values())))
    st.open_document(blinken)
    win.view.next_item(True)
    files.append(_save(win, out, "01-main-suggestions.png", app, win.statusBar().currentMessage()))

    # 2. a selection being labelled: accept a few suggestions, select new text
    for sp in sg.pending_suggestions(st.store, blinken, PERSON)[:3]:
        try:
            win.apply(sg.accept_edit(st.store, sp, PERSON))
        except Exception:  # noqa: BLE001 - overlaps are fine to skip here
            pass
    a, b = _find(win, "Secretary of State")
    win.view.set_text_selection(a, b)
    files.append(_save(win, out, "02-selection-being-labelled.png", app,
                       "Press a number key to label the selection (1 PERSON, 2 ORG, 3 GPE ...)"))
    win.apply_label_name("ORG")

    # 3. relations: accept all, link people to places and organisations
    win.accept_all()
    spans = st.store.spans(blinken, PERSON)

    def first(text: str, label: str | None = None):
        for spn in spans:
            if win.view.text[spn.start:spn.end] == text and (label is None or spn.label == label):
                return spn
        return None

    pairs = [
        ("Antony Blinken", "Secretary of State", "MEMBER_OF"),
        ("Antony Blinken", "Baghdad", "LOCATED_IN"),
        ("Blinken", "Mohammed al-Sudani", "MET_WITH"),
        ("Mohammed al-Sudani", "Iraqi", "LEADER_OF"),
        ("Hamas", "Palestinian", "AFFILIATED_WITH"),
    ]
    for h, c, lab in pairs:
        hs, cs = first(h), first(c)
        if hs and cs and hs.id != cs.id:
            win.apply(AddRelation(Relation(doc_id=blinken, layer=PERSON, head=hs.id, child=cs.id, label=lab)))
    head = first("Antony Blinken") or (spans[0] if spans else None)
    if head is not None:
        win.view.select_span_id(head.id)
    win.view.verticalScrollBar().setValue(0)
    win.tables.setCurrentIndex(1)
    files.append(_save(win, out, "03-relations.png", app))
    win.tables.setCurrentIndex(0)

    if head is not None:  # 4. relation mode: head chosen, child picked, waiting for the label key
        files.append(_render_relation_mode(win, out, app, head.id, getattr(first("Mohammed al-Sudani"), "id", None)))

    markup = names.get("markup-in-press-release")
    if markup is not None:
        files.append(_render_overlaps(win, out, app, markup))

    files.append(_render_selected_only(win, out, app, blinken, head.id if head is not None else None))
    files.extend(_render_relation_suggestions(win, out, app, names))

    # 13. hints for jumping, 14. the dark theme, 15. the default palette
    files.extend(_render_view_states(win, out, app, blinken))

    files.extend(_render_other_windows(win, out, app, blinken))
    win.close()
    return files


def _render_selected_only(win, out: Path, app: QApplication, doc_id: int, head: int | None) -> Path:
    """6. only the selected span's relations, suggestions hidden (S shows them again)."""
    win.state.open_document(doc_id)
    win.act_rel_sel.setChecked(True)
    win.act_show_sugg.setChecked(False)
    if head is not None:
        win.view.select_span_id(head)
    win.view.verticalScrollBar().setValue(0)
    assert not win.view.show_suggestions()
    path = _save(win, out, "06-selected-relations-only.png", app,
                 "Only the selected span's relations (Shift+R) \u00b7 suggestions hidden (S shows them)")
    win.act_show_sugg.setChecked(True)
    win.act_rel_all.setChecked(True)
    return path


def _render_relation_suggestions(win, out: Path, app: QApplication, names: dict[str, int]) -> list[Path]:
    """17. relation suggestions (as a trained project model writes them into its layer): dashed
    arcs between suggestions, or from a span the person accepted; one selected with Tab."""
    from annotator import suggest as sg
    from corpus.model import Relation

    st = win.state
    doc_id = names.get("nobel-laureate-visits-nairobi-university") or next(iter(names.values()))
    pending = sg.pending_suggestions(st.store, doc_id, PERSON)
    people = [sp for sp in pending if sp.label == "PERSON"]
    others = [sp for sp in pending if sp.label in ("ORG", "GPE", "FAC", "LOC")]
    rels = []
    for p in people[:3]:
        near = min((o for o in others if o.layer == p.layer), key=lambda o: abs(o.start - p.start), default=None)
        if near is not None:
            label = "MEMBER_OF" if near.label == "ORG" else "LOCATED_IN"
            rels.append(Relation(doc_id=doc_id, layer=p.layer, head=p.id, child=near.id, label=label))
    if not rels:
        return []
    st.store.add_relations(rels)
    st.open_document(doc_id)
    win.presenter.reload(st)
    head = next((sp for sp in sg.pending_suggestions(st.store, doc_id, PERSON) if sp.key == people[0].key), None)
    if head is not None:  # one end accepted already: its relations are drawn from the person's span
        win.apply(sg.accept_edit(st.store, head, PERSON))
    win.view.verticalScrollBar().setValue(0)
    sugg = [r for r in win.view.relations if r.suggestion]
    if sugg:
        win.view.select_relation(sugg[0].id)
    path = _save(win, out, "17-relation-suggestions.png", app, win.statusBar().currentMessage())
    win.view.clear_selection()
    return [path]


def _render_relation_mode(win, out: Path, app: QApplication, head: int, child: int | None) -> Path:
    """4. relation mode: the head chosen, the child picked (the preview arc), waiting for the label key."""
    win.view.select_span_id(head)
    win.start_relation()
    if child is not None:
        win.view.select_span_id(child)
        win.activate()
        win.view.set_preview_relation(head, child)  # the arc of the relation being made
    win.view.verticalScrollBar().setValue(0)
    path = _save(win, out, "04-relation-mode.png", app)
    win.view.set_preview_relation(None)
    win.escape()
    return path


def _render_overlaps(win, out: Path, app: QApplication, markup: int) -> Path:
    """5. markup shown as characters, overlapping spans stacked (the project allows overlaps)."""
    from annotator.edits import AddSpan
    from corpus.model import Span

    st = win.state
    st.store.set_setting(ALLOW_OVERLAP, True)
    st.open_document(markup)
    win.accept_all()
    text = win.view.text
    extra = [("Equinor's chief executive", "PERSON"), ("chief executive", "ORG"),
             ("<b>ten-year</b>", "DATE"), ("Europipe II pipeline", "FAC"), ("Europipe II", "PRODUCT")]
    for needle, lab in extra:
        if needle in text:
            i = text.index(needle)
            win.apply(AddSpan(Span(doc_id=markup, layer=PERSON, start=i, end=i + len(needle), label=lab), check=False))
    path = _save(win, out, "05-markup-and-overlaps.png", app)
    st.store.set_setting(ALLOW_OVERLAP, False)
    return path


def _render_other_windows(win, out: Path, app: QApplication, doc_id: int) -> list[Path]:
    """The shortcuts dialog, the other windows (at the size the program opens them) and the
    guidelines panel."""
    from ui.shortcuts_dialog import ShortcutsDialog

    st, blinken = win.state, doc_id
    files: list[Path] = []
    # 7. the shortcuts dialog
    dlg = ShortcutsDialog(win.shortcut_table(), win)  # at the size the program opens it
    dlg.show()
    files.append(_save(dlg, out, "07-shortcuts.png", app))
    dlg.close()

    # 8. the other windows, when installed, at the size the program opens them
    others = [
        ("ui.labels_dialog", "LabelsDialog", {}),
        ("ui.export_dialog", "ExportDialog", {}),
        ("ui.agreement_dashboard", "AgreementDashboard", {}),
        ("ui.review_window", "ReviewWindow", {"doc_id": blinken}),
    ]
    _second_annotator(st.store, blinken)  # the review window compares two people
    for i, (mod, cls, kw) in enumerate(others, start=8):
        try:
            klass = getattr(__import__(mod, fromlist=[cls]), cls)
            w = klass(st, None, **kw)
            if not w.testAttribute(Qt.WidgetAttribute.WA_Resized):
                w.adjustSize()  # no size of its own: the size Qt gives it when shown
            w.show()
            files.append(_save(w, out, f"{i:02d}-{cls}.png", app))
            w.close()
        except Exception as exc:  # noqa: BLE001 - a missing piece is not our failure
            print(f"skipped {cls}: {exc.__class__.__name__}: {exc}", file=sys.stderr)

    # 12. the guidelines, where the program shows them: a panel of the main window (F2)
    try:
        win.toggle_guidelines()
        if win.dock_guidelines is not None:
            files.append(_save(win, out, "12-GuidelinesPanel.png", app))
            win.dock_guidelines.hide()
    except Exception as exc:  # noqa: BLE001
        print(f"skipped GuidelinesPanel: {exc.__class__.__name__}: {exc}", file=sys.stderr)
    return files


def dark_palette():
    """A dark desktop palette (what a dark GNOME or KDE theme hands the program)."""
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, "#2d2d2d"), (roles.WindowText, "#e8e8e8"), (roles.Base, "#1f1f1f"),
                         (roles.AlternateBase, "#282828"), (roles.Text, "#e8e8e8"), (roles.Button, "#353535"),
                         (roles.ButtonText, "#e8e8e8"), (roles.Highlight, "#3d6fd6"), (roles.HighlightedText, "#ffffff"),
                         (roles.PlaceholderText, "#9a9a9a"), (roles.Mid, "#4a4a4a"), (roles.Midlight, "#3a3a3a"),
                         (roles.Dark, "#1a1a1a"), (roles.Light, "#505050"), (roles.ToolTipBase, "#353535"),
                         (roles.ToolTipText, "#e8e8e8"), (roles.BrightText, "#ffffff"), (roles.Link, "#8ab4f8")):
        pal.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled  # greyed-out text, as a desktop's dark theme has it
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(disabled, role, QColor("#7f7f7f"))
    return pal


def _render_view_states(win, out: Path, app: QApplication, doc_id: int) -> list[Path]:
    """Hints over the visible words, the window in a dark theme, and the default label palette."""
    from corpus.model import LabelKind
    from ui.document_view import DocumentView, ViewSpan

    files = []
    win.state.open_document(doc_id)
    win.view.verticalScrollBar().setValue(0)
    win.view.show_hints("words")
    files.append(_save(win, out, "13-hints.png", app, "Type a hint's letters to jump there (Esc: no hints)"))
    win.view.hide_hints()
    if hasattr(win, "find_bar"):  # find in the document: the bar over the text, a match selected
        win.find_bar.open_bar()
        win.find_bar.edit.setText("Blinken")
        win.find_bar.find_next()
        files.append(_save(win, out, "16-find-bar.png", app))
        win.find_bar.close_bar()
        win.view.clear_selection()
    if win.view.relations:  # a selected span and its relations, in the dark colours too
        win.view.select_span_id(win.view.relations[0].head)
        win.view.verticalScrollBar().setValue(0)
    light, qss = app.palette(), app.styleSheet()
    app.setPalette(dark_palette())
    app.setStyleSheet(qss)  # palette() colours in the style sheet are read again
    _process(app)
    files.append(_save(win, out, "14-dark-theme.png", app))
    app.setPalette(light)
    app.setStyleSheet(qss)
    _process(app)
    labels = [lab for lab in win.state.store.labels() if lab.kind is LabelKind.ENTITY]
    text, items = "", []
    for i, lab in enumerate(labels):
        start = len(text)
        text += lab.name + ("\n" if i % 6 == 5 else "   ")
        items.append(ViewSpan(key=("span", i), id=i, start=start, end=start + len(lab.name), label=lab.name,
                              color=lab.color, layer="palette"))
    sheet = DocumentView()
    sheet.resize(620, 150)
    sheet.show()
    sheet.set_document(text)
    sheet.set_annotations(items, [])
    files.append(_save(sheet, out, "15-palette.png", app))
    sheet.close()
    return files


def _second_annotator(store, doc_id: int) -> None:
    """A second person's version of the document: most spans the same, a few different, the
    relations partly shared (so the review window has votes, conflicts and arcs to show)."""
    from corpus.model import Relation, Span

    mine = store.spans(doc_id, PERSON)
    if not mine or store.spans(doc_id, "bob"):
        return
    labels = [lab.name for lab in store.labels("entity")]
    theirs = []
    for i, sp in enumerate(mine):
        label = sp.label if i % 5 else labels[(labels.index(sp.label) + 1) % len(labels)]
        theirs.append(Span(doc_id=doc_id, layer="bob", start=sp.start, end=sp.end, label=label))
    added = store.add_spans(theirs)
    by_pos = {(s.start, s.end): s.id for s in added}
    ids = {s.id: (s.start, s.end) for s in mine}
    rels = []
    for k, r in enumerate(store.relations(doc_id, PERSON)):
        h, c = by_pos.get(ids.get(r.head)), by_pos.get(ids.get(r.child))
        if h and c and k % 3 != 2:
            rels.append(Relation(doc_id=doc_id, layer="bob", head=h, child=c, label=r.label))
    store.add_relations(rels)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0] if args else "screenshots")
    render_all(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
