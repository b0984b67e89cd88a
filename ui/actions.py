"""Everything a person can do in the window, as one declarative table.

:data:`ACTIONS` lists each action once (text, keys, tip, the window method it calls); the menus
(:data:`MENUS`), the toolbar (:data:`TOOLBAR`) and the keyboard shortcuts dialog (F1,
:func:`shortcut_table`) are all read from it, so a key is documented where it is defined.
``slot`` names a method of the window, or of one of its parts (``"controller.accept_selected"``,
``"view.move_token"``), called with ``args`` (and, for a checkable action, its new state).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

from ui.palette import KEYS

__all__ = ["ActionSpec", "ACTIONS", "MENUS", "TOOLBAR", "build_actions", "build_menus", "build_toolbar",
           "shortcut_table", "LABEL_ACTION_PREFIX", "label_actions"]

Keys = str | tuple[str, ...] | QKeySequence.StandardKey | None
SK = QKeySequence.StandardKey

#: label actions are named ``label_1`` ... ``label_0``
LABEL_ACTION_PREFIX = "label_"


@dataclass(frozen=True)
class ActionSpec:
    """One action: ``name`` (the window's attribute is ``act_<name>``), menu ``text``, the
    ``slot`` it calls with ``args``, its ``keys``, a status-bar ``tip``; ``view``: the keys work
    while the document has focus (arrows, Tab, Enter, Esc); ``short``: the toolbar's text."""

    name: str
    text: str
    slot: str
    keys: Keys = None
    tip: str = ""
    args: tuple[Any, ...] = ()
    view: bool = False
    checkable: bool = False
    checked: bool = False
    needs_project: bool = True
    short: str = ""


A = ActionSpec
ACTIONS: tuple[ActionSpec, ...] = (
    # file
    A("new", "&New project\u2026", "new_project", SK.New, "Create an empty project file", needs_project=False),
    A("open", "&Open project\u2026", "open_project_dialog", SK.Open, "Open a project file", needs_project=False),
    A("demo", "Open the &demo project", "open_demo", None, "The seed articles with suggestions, to try things out", needs_project=False),
    A("import", "&Import documents\u2026", "import_documents", "Ctrl+I", "Import text, JSONL, Prodigy, doccano, brat or CoNLL files"),
    A("export", "&Export\u2026", "open_export", "Ctrl+E", "Export training data"),
    A("close", "&Close project", "close_project", None, "Close the project (everything is already saved)"),
    A("quit", "&Quit", "close", SK.Quit, "Quit (everything is already saved)", needs_project=False),
    # edit
    A("undo", "&Undo", "undo", SK.Undo, "Undo the last edit", short="Undo"),
    A("redo", "&Redo", "redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo", short="Redo"),
    A("delete", "&Delete span or relation", "controller.delete_selected", ("Del", "Backspace"),
      "Delete the selected span and its relations, or the selected relation (or reject a suggestion)"),
    # resize keys no desktop reserves: [ ] { } are plain typing keys (GNOME, KDE, Windows and macOS
    # bind none of them), Alt+Shift+Left/Right are free on GNOME, KDE, Windows and macOS (Alt+Shift
    # alone switches the keyboard layout on Windows, with an arrow it is the program's). The old
    # Ctrl+Alt+Shift+Left/Right are GNOME's "move window to another workspace": never used here.
    # "{" and "Shift+{" both: platforms report Shift+[ either way.
    A("end_right", "Resize span: end one token right (or drag its edge)", "controller.resize_selected", ("]", "Alt+Shift+Right"),
      "Make the selected span one token longer at its end", args=("end", 1), view=True),
    A("end_left", "Resize span: end one token left", "controller.resize_selected", ("[", "Alt+Shift+Left"),
      "Make the selected span one token shorter at its end", args=("end", -1), view=True),
    A("start_left", "Resize span: start one token left (or drag its edge)", "controller.resize_selected", ("{", "Shift+{"),
      "Make the selected span one token longer at its start", args=("start", -1), view=True),
    A("start_right", "Resize span: start one token right", "controller.resize_selected", ("}", "Shift+}"),
      "Make the selected span one token shorter at its start", args=("start", 1), view=True),
    A("span_info", "Knowledge-base id and attributes\u2026", "span_info.edit_selected", "K",
      "Set the selected span's knowledge-base id and attributes", view=True),
    A("labels", "&Labels\u2026", "open_labels", "Ctrl+L", "Add, rename, recolour labels"),
    A("annotator", "&Switch annotator\u2026", "switch_annotator", None, "Change who is annotating"),
    # any label, including those without a number key: a searchable list (type, Enter)
    A("pick_label", "Label selection with any label\u2026", "controller.pick_label", "L",
      "Choose the label from a list (type to search, Enter); for labels without a number key"),
    *(A(f"{LABEL_ACTION_PREFIX}{k}", f"Label {k}", "label_key", k, f"Give the selection the label of key {k}", args=(k,))
      for k in KEYS),
    # labels 11 to 20 of the palette: Shift and the digit (every label is one chord away)
    *(A(f"{LABEL_ACTION_PREFIX}s{k}", f"Label Shift+{k}", "label_key", f"Shift+{k}",
        f"Give the selection the label of key Shift+{k}", args=(f"Shift+{k}",)) for k in KEYS),
    # navigation inside the document (keys work when the text has focus)
    A("next_item", "Next span or suggestion", "controller.next_item", "Tab", "Select the next span", args=(True,), view=True),
    A("prev_item", "Previous span or suggestion", "controller.next_item", "Shift+Tab", "Select the previous span",
      args=(False,), view=True),
    A("tok_right", "Select next token", "view.move_token", "Right", "Move the token cursor right", args=(1,), view=True),
    A("tok_left", "Select previous token", "view.move_token", "Left", "Move the token cursor left", args=(-1,), view=True),
    A("ext_right", "Extend selection right", "view.move_token", "Shift+Right", "Add the next token to the selection",
      args=(1, True), view=True),
    A("ext_left", "Shrink / extend selection left", "view.move_token", "Shift+Left", "Change the selection by a token",
      args=(-1, True), view=True),
    A("line_down", "Token cursor down", "view.move_line", "Down", "Move the token cursor a line down", args=(1,), view=True),
    A("line_up", "Token cursor up", "view.move_line", "Up", "Move the token cursor a line up", args=(-1,), view=True),
    A("line_home", "First word of the line", "jumper.line_edge", "Home", "Select the line's first word", args=(False,), view=True),
    A("line_end", "Last word of the line", "jumper.line_edge", "End", "Select the line's last word", args=(True,), view=True),
    A("text_home", "First word of the document", "jumper.text_edge", "Ctrl+Home", "Select the first word", args=(False,),
      view=True),
    A("text_end", "Last word of the document", "jumper.text_edge", "Ctrl+End", "Select the last word", args=(True,), view=True),
    A("page_down", "Page down", "jumper.page", "PgDown", "Move the token cursor a screenful down", args=(1,), view=True),
    A("page_up", "Page up", "jumper.page", "PgUp", "Move the token cursor a screenful up", args=(-1,), view=True),
    A("hint_words", "&Jump to a word", "jumper.show_hints", "J", "Letter hints on the visible words: type one to go there",
      args=("words",), view=True),
    A("hint_spans", "Jump to a span", "jumper.show_hints", "Shift+J", "Letter hints on the visible spans: type one to select it",
      args=("spans",), view=True),
    A("same_next", "Next span with this label", "jumper.next_same_label", ".", "Select the next span with the selected one's label",
      args=(True,), view=True),
    A("same_prev", "Previous span with this label", "jumper.next_same_label", ",", "Select the previous span with this label",
      args=(False,), view=True),
    A("sugg_next", "Next undecided suggestion", "jumper.next_suggestion", "N", "Select the next suggestion left to decide",
      args=(True,), view=True),
    A("sugg_prev", "Previous undecided suggestion", "jumper.next_suggestion", "Shift+N", "Select the previous suggestion left to decide",
      args=(False,), view=True),
    A("find_text", "&Find in document…", "find_bar.open_bar", SK.Find, "Find text in this document (Enter: next match)"),
    A("activate", "Accept suggestion / pick child", "controller.activate", ("Return", "Enter"),
      "Accept the selected suggestion; in relation mode pick the child", view=True),
    A("escape", "Cancel", "controller.escape", "Esc", "Leave relation mode, clear the selection", view=True),
    # suggestions
    A("accept", "&Accept suggestion", "controller.accept_selected", "A", "Accept the selected suggestion (or the one at the cursor)",
      short="Accept"),
    A("reject", "&Reject suggestion", "controller.reject_selected", "X", "Reject the selected suggestion", short="Reject"),
    A("accept_all", "Accept a&ll in document", "controller.accept_all", "Shift+A", "Accept every suggestion in this document",
      short="Accept all"),
    A("reject_all", "Reject all in document", "controller.reject_all", "Shift+X", "Reject every suggestion in this document",
      short="Reject all"),
    A("suggest_doc", "Suggest &this document", "jobs.suggest_current", "Ctrl+Shift+S", "Run the suggesters on this document",
      args=(True,), short="Suggest doc"),
    A("suggest_all", "Suggest &all documents\u2026", "jobs.suggest_all", None, "Run the suggesters over the whole corpus",
      short="Suggest all"),
    A("show_sugg", "&Show suggestions", "set_show_suggestions", "S", "Show or hide suggestions", checkable=True, checked=True,
      short="Suggestions"),
    A("auto_suggest", "Suggest new documents automatically", "set_auto_suggest", None,
      "Suggest a document in the background when it has no suggestions yet", checkable=True, needs_project=False),
    # the project's own model (ui/learning.py)
    A("train", "&Train now", "learning.train_now", None, "Train the project's model on the done documents, in the background"),
    A("stop_training", "&Stop training (keep the best model)", "learning.stop", None, "Stop training; the best model so far is kept"),
    A("curve", "&Learning curve", "learning.run_curve", None, "Train on 25-100 % of the data: does more annotation help?"),
    # relations
    A("relation", "Start &relation from span", "controller.start_relation", "R",
      "Relation mode: pick the child span, then the label key", short="Relation\u2026"),
    A("rel_all", "Show all relations", "show_relations", None, "Draw every relation", args=("all",), checkable=True, checked=True),
    A("rel_sel", "Show relations of the selected span", "show_relations", "Shift+R", "Draw only the selected span's relations",
      args=("selected",), checkable=True, short="Only selected's relations"),
    A("rel_none", "Hide relations", "show_relations", None, "Draw no relations", args=("none",), checkable=True),
    # documents
    A("next_doc", "&Next document", "go_document", ("Ctrl+PgDown", "Alt+Down"), "Open the next document", args=(1,),
      short="Next \u25b6"),
    A("prev_doc", "&Previous document", "go_document", ("Ctrl+PgUp", "Alt+Up"), "Open the previous document", args=(-1,),
      short="\u25c0 Prev"),
    A("done", "&Mark done and next", "mark_done", "Ctrl+D", "Mark this document done and open the next one to do",
      short="\u2713 Done"),
    A("skip", "S&kip document", "skip_document", "Ctrl+K", "Mark this document skipped and open the next one to do"),
    A("find", "Find &documents", "focus_search", "Ctrl+Shift+F", "Search the documents"),
    # views, other windows
    A("zoom_in", "Zoom &in", "view.zoom_in", ("Ctrl++", "Ctrl+="), "Larger text (remembered)"),
    A("zoom_out", "Zoom &out", "view.zoom_out", "Ctrl+-", "Smaller text (remembered)"),
    A("zoom_reset", "Normal size", "view.set_zoom", "Ctrl+0", "The default text size", args=(1.0,)),
    A("guidelines", "&Guidelines", "toggle_guidelines", "F2", "Show the annotation guidelines"),
    A("agreement", "&Agreement\u2026", "open_agreement", None, "How much do the annotators agree?"),
    A("review", "&Review\u2026", "open_review", None, "Adjudicate a gold version"),
    A("shortcuts", "&Keyboard shortcuts", "show_shortcuts", ("F1", "Ctrl+/"), "Every key", needs_project=False),
    A("about", "&About", "about", None, "About this program", needs_project=False),
)
del A

#: Exclusive choices among checkable actions.
GROUPS = (("rel_all", "rel_sel", "rel_none"),)

#: The menu bar: (title, entries); an entry is an action name, "-" (a separator), a submenu
#: (title, entries), or a place the window fills: "@recent" (recent projects), "@labels"
#: (the label keys), "@panels" (show or hide each panel).
MENUS: tuple[tuple[str, tuple], ...] = (
    ("&File", ("new", "open", "@recent", "demo", "-", "import", "export", "-", "close", "quit")),
    ("&Edit", ("undo", "redo", "-", "delete", ("Label selection", ("pick_label", "-", "@labels")),
               ("Resize span (or drag its edge)", ("end_right", "end_left", "start_left", "start_right")),
               "span_info", "-", "labels", "annotator")),
    ("&Navigate", ("next_doc", "prev_doc", "done", "skip", "find", "-", "find_text", "hint_words", "hint_spans", "sugg_next",
                   "sugg_prev", "same_next", "same_prev", "-", "next_item", "prev_item", "tok_right", "tok_left",
                   "ext_right", "ext_left", "line_down", "line_up", "line_home", "line_end", "page_down", "page_up",
                   "text_home", "text_end", "escape")),
    ("&Suggestions", ("accept", "activate", "reject", "accept_all", "reject_all", "-", "suggest_doc", "suggest_all",
                      "show_sugg", "auto_suggest")),
    ("&Model", ("train", "stop_training", "curve")),
    ("&Relations", ("relation", "-", "rel_all", "rel_sel", "rel_none")),
    ("&View", ("@panels", "guidelines", "-", "zoom_in", "zoom_out", "zoom_reset")),
    ("Re&view", ("agreement", "review")),
    ("&Help", ("shortcuts", "about")),
)

#: The toolbar, in groups separated by a line.
TOOLBAR: tuple[tuple[str, ...], ...] = (
    ("prev_doc", "next_doc", "done"),
    ("undo", "redo"),
    ("accept", "reject", "accept_all", "reject_all"),
    ("suggest_doc", "suggest_all", "show_sugg"),
    ("relation", "rel_sel"),
)


def _resolve(window: QWidget, slot: str):
    obj: Any = window
    for part in slot.split("."):
        obj = getattr(obj, part)
    return obj


def _set_keys(a: QAction, keys: Keys) -> None:
    if keys is None:
        return
    if isinstance(keys, tuple):
        a.setShortcuts([QKeySequence(k) for k in keys])
    elif isinstance(keys, QKeySequence.StandardKey):
        # the platform's list, minus dedicated keyboard keys ("Undo", "Find"...)
        seqs = [k for k in QKeySequence.keyBindings(keys)
                if "Ctrl+" in k.toString() or (k.toString()[:1] == "F" and k.toString()[1:].isdigit())]
        a.setShortcuts(seqs)
    else:
        a.setShortcut(QKeySequence(keys))


def _make(window: QWidget, spec: ActionSpec, view: QWidget) -> QAction:
    a = QAction(spec.text, window)
    _set_keys(a, spec.keys)
    a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut if spec.view else Qt.ShortcutContext.WindowShortcut)
    a.setCheckable(spec.checkable)
    if spec.tip:
        a.setStatusTip(spec.tip)
        plain = spec.text.replace("&", "").rstrip(".\u2026")
        a.setToolTip(f"{plain} ({a.shortcut().toString()})" if spec.keys else spec.tip)
    if spec.checkable:
        a.setChecked(spec.checked)
        a.toggled.connect(lambda on, s=spec: _resolve(window, s.slot)(*s.args, on))
    else:
        a.triggered.connect(lambda _checked=False, s=spec: _resolve(window, s.slot)(*s.args))
    (view if spec.view else window).addAction(a)
    a.setProperty("needs_project", spec.needs_project)
    if spec.short:
        a.setIconText(spec.short)
    return a


def build_actions(window: QWidget, view: QWidget) -> dict[str, QAction]:
    """Create every action of :data:`ACTIONS` (by name), each also set as ``window.act_<name>``."""
    out = {spec.name: _make(window, spec, view) for spec in ACTIONS}
    for names in GROUPS:
        group = QActionGroup(window)
        for n in names:
            group.addAction(out[n])
    for name, a in out.items():
        setattr(window, f"act_{name}", a)
    return out


def _fill(menu: QMenu, entries: tuple, actions: dict[str, QAction], places: dict[str, Any]) -> None:
    for entry in entries:
        if entry == "-":
            menu.addSeparator()
        elif isinstance(entry, tuple):
            _fill(menu.addMenu(entry[0]), entry[1], actions, places)
        elif entry.startswith("@"):
            places[entry](menu)
        else:
            menu.addAction(actions[entry])


def build_menus(window, actions: dict[str, QAction], places: dict[str, Any]) -> None:
    """The menu bar from :data:`MENUS`; ``places`` fill the "@" entries (called with the menu)."""
    bar = window.menuBar()
    for title, entries in MENUS:
        _fill(bar.addMenu(title), entries, actions, places)


def build_toolbar(window, actions: dict[str, QAction]) -> QToolBar:
    """The toolbar from :data:`TOOLBAR`."""
    tb = QToolBar("Main", window)
    tb.setObjectName("toolbarMain")
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    tb.setMovable(False)
    window.addToolBar(tb)
    for gi, group in enumerate(TOOLBAR):
        if gi:
            tb.addSeparator()
        for name in group:
            tb.addAction(actions[name])
    return tb


def _names(entries: tuple) -> list[str]:
    out: list[str] = []
    for entry in entries:
        if isinstance(entry, tuple):
            out.extend(_names(entry[1]))
        elif entry == "@labels":
            out.extend(f"{LABEL_ACTION_PREFIX}{k}" for k in KEYS)
            out.extend(f"{LABEL_ACTION_PREFIX}s{k}" for k in KEYS)
        elif entry != "-" and not entry.startswith("@"):
            out.append(entry)
    return out


def label_actions(actions: dict[str, QAction]) -> list[QAction]:
    """The label actions: keys 1 ... 0, then Shift+1 ... Shift+0."""
    return [actions[f"{LABEL_ACTION_PREFIX}{k}"] for k in KEYS] + [actions[f"{LABEL_ACTION_PREFIX}s{k}"] for k in KEYS]


def shortcut_table(actions: dict[str, QAction]) -> list[tuple[str, str, str]]:
    """(menu, keys, what) for every action with a key, in menu order (the F1 dialog's rows)."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for title, entries in MENUS:
        group = title.replace("&", "")
        for name in _names(entries):
            a = actions[name]
            keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in a.shortcuts())
            if not keys or name in seen:
                continue
            seen.add(name)
            what = a.text().replace("&", "")
            if name.startswith(LABEL_ACTION_PREFIX) and "unused" not in what:
                what = f"Label the selection {what}"
            out.append((group, keys, what))
    return out
