"""Ctrl+D with suggestions still undecided: accept the rest, reject the rest, or cancel.

A document marked done is a finished example: its undecided suggestions must not silently count
as either decision (they are not in the person's layer, so an export would hold the document
with those entities missing). So marking done asks, unless the setting
:data:`SETTINGS_DONE_UNDECIDED` (QSettings key ``done_with_undecided``) says what to do:
``"ask"`` (the default), ``"accept"`` (accept the rest) or ``"reject"`` (reject the rest).
The choice and the status are one undo step.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from annotator import suggest as suggest_mod
from annotator.edits import Edit
from corpus.errors import CorpusError
from corpus.model import DocumentStatus

__all__ = ["SETTINGS_DONE_UNDECIDED", "DONE_CHOICES", "decide_rest_edits", "ask_rest", "mark_done"]

SETTINGS_DONE_UNDECIDED = "done_with_undecided"
#: the setting's values
DONE_CHOICES = ("ask", "accept", "reject")


def decide_rest_edits(state, doc_id: int, choice: str) -> tuple[Edit, ...]:
    """The edits deciding every suggestion still pending in ``doc_id``: accepting them (among
    overlapping ones, the one :func:`annotator.suggest.accept_all_edit` prefers; the others are
    then decided by it) or rejecting each one."""
    store, who = state.store, state.annotator
    if choice == "accept":
        return (suggest_mod.accept_all_edit(store, doc_id, who),)
    pending = suggest_mod.pending_suggestions(store, doc_id, who)
    return tuple(suggest_mod.reject_edit(store, s, who) for s in pending)


def ask_rest(parent: QWidget, n: int, default: str) -> str | None:
    """Ask what to do with ``n`` undecided suggestions: ``"accept"``, ``"reject"`` or ``None``
    (cancel). ``default`` is the button Enter presses."""
    box = QMessageBox(QMessageBox.Icon.Question, "Suggestions left",
                      f"{n:,} suggestion{'' if n == 1 else 's'} in this document {'is' if n == 1 else 'are'} "
                      "still undecided. A document marked done is a finished training example.", parent=parent)
    box.setInformativeText("Accept the rest, reject the rest, or go back and decide them?")
    acc = box.addButton("&Accept the rest", QMessageBox.ButtonRole.AcceptRole)
    rej = box.addButton("&Reject the rest", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    acc.setObjectName("acceptRest")
    rej.setObjectName("rejectRest")
    box.setDefaultButton(rej if default == "reject" else (cancel if default == "cancel" else acc))
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is acc:
        return "accept"
    if clicked is rej:
        return "reject"
    return None


def mark_done(window) -> None:
    """Ctrl+D in ``window`` (a :class:`~ui.main_window.MainWindow`): mark the document done and
    open the next one; with suggestions undecided, ask first (or follow the setting)."""
    st = window.state
    n = len(window.presenter.pending())
    if st is None or st.current_doc_id is None or not n:
        window._set_status_and_next(DocumentStatus.DONE, "Marked done")
        return
    choice = str(window.settings.value(SETTINGS_DONE_UNDECIDED) or "ask")
    choice = choice if choice in DONE_CHOICES else "ask"
    if choice == "ask":
        choice = ask_rest(window, n, "accept")
    if choice is None:
        window.statusBar().showMessage("Not marked done: N goes to the next suggestion left to decide", 6000)
        return
    try:
        before = decide_rest_edits(st, st.current_doc_id, choice)
    except CorpusError as exc:
        window.statusBar().showMessage(str(exc), 10_000)
        return
    verb = "Accepted" if choice == "accept" else "Rejected"
    window._set_status_and_next(DocumentStatus.DONE, f"{verb} the rest, marked done", before)
