"""Labelling and relation mode: what a key press in the document means.

:class:`LabelController` turns the person's keys (a label key, accept, reject, delete, resize,
R for a relation, Enter, Esc) into edits of :mod:`annotator.edits` and :mod:`annotator.suggest`
and hands them to the window's ``apply`` (one undo step each). It knows the view (what is
selected) and the presenter (which suggestion a view item is); the rules themselves (overlap,
first-edit status, what is pending) live in the edits, :mod:`annotator.session` and
:mod:`annotator.suggest`. It holds the one piece of interaction state, relation mode, and says
when it changes (:attr:`modeChanged`, :attr:`bannerChanged`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog

from annotator import suggest as suggest_mod
from annotator.edits import AddRelation, AddSpan, Batch, DeleteRelation, Edit, Relabel, RelabelRelation, Resize
from corpus.errors import AnnotationError
from corpus.model import LabelKind, Relation, Span
from ui.annotations import AnnotationPresenter
from ui.document_view import DocumentView, ViewSpan, item_order
from ui.relation_suggestions import RelationSuggestionKeys

__all__ = ["LabelController"]


class LabelController(QObject):
    """Keys to edits for the document on screen (see the module docstring)."""

    #: relation mode was entered (``True``) or left
    modeChanged = Signal(bool)
    #: the relation-mode banner's text ("" hides it)
    bannerChanged = Signal(str)

    def __init__(self, view: DocumentView, presenter: AnnotationPresenter, state_getter: Callable,
                 apply: Callable[[Edit, list[str] | None], bool], message: Callable[[str], None],
                 refuse: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.presenter = presenter
        self._state = state_getter
        self._apply = apply
        self._message = message
        self._refuse = refuse
        self._head: int | None = None
        self._child: int | None = None
        #: relation suggestions: Tab reaches them, A / Enter / X / a label key decide them
        self.relation_suggestions = RelationSuggestionKeys(view, lambda: presenter.session, state_getter, apply,
                                                           message, refuse)
        view.selectionChanged.connect(self._follow_selection)

    # -- relation mode -----------------------------------------------------------------------
    @property
    def relation_mode(self) -> bool:
        """True between R and the relation's label key (or Esc)."""
        return self._head is not None

    @property
    def label_kind(self) -> LabelKind:
        """The kind of label a number key gives now."""
        rel = self.view.selected_relation() is not None
        return LabelKind.RELATION if (self.relation_mode or rel) else LabelKind.ENTITY

    def start_relation(self) -> None:
        """R: the selected span becomes the head; the next span is proposed as the child."""
        item = self.view.selected_item()
        st = self._state()
        if item is None or item.suggestion or item.id is None:
            self._message("Select one of your spans first (accept a suggestion with A), then press R")
            return
        if st is None or not st.labels(LabelKind.RELATION):
            self._message("The project has no relation labels (Edit \u203a Labels\u2026)")
            return
        self._head, self._child = item.id, None
        self.view.set_relation_head(item.id)
        self.modeChanged.emit(True)
        self._update_banner()
        self.view.next_item(True, spans_only=True)  # propose the next span as the child
        self.view.show_hints("spans")  # or pick it by its letters

    def _follow_selection(self) -> None:
        """In relation mode the selected span of the person is the child: the preview arc shows it."""
        if not self.relation_mode:
            return
        item = self.view.selected_item()
        if item is not None and not item.suggestion and item.id is not None and item.id != self._head:
            self._child = item.id
        self.view.set_preview_relation(self._head, self._child)
        self._update_banner()

    def hint_landed(self, target) -> bool:
        """A letter hint was typed: in relation mode a span's hint picks the child (``True``:
        handled here; otherwise the selection moves to the target)."""
        if not self.relation_mode or not (isinstance(target, tuple) and target and isinstance(target[0], str)):
            return False
        item = self.view.item(target)
        if item is None or item.suggestion or item.id == self._head:
            self._message("Pick one of your spans (not a suggestion, not the head) as the child, or Esc")
            return True
        self.view.select_item(target)
        return True

    def pick_child(self, key) -> None:
        """A click on a span in relation mode makes it the child."""
        if not self.relation_mode:
            return
        item = self.view.item(key)
        if item is not None and not item.suggestion and item.id != self._head:
            self._child = item.id
            self._update_banner()

    def leave_relation_mode(self) -> None:
        if not self.relation_mode:
            return
        self._head = self._child = None
        self.view.hide_hints()
        self.view.set_relation_head(None)
        self.modeChanged.emit(False)
        self._update_banner()

    def _update_banner(self) -> None:
        if not self.relation_mode:
            self.bannerChanged.emit("")
            return
        txt = self.view.text
        head = self.view.item(("span", self._head))
        h = f"\u201c{txt[head.start:head.end]}\u201d" if head else "?"
        if self._child is not None:
            c = self.view.item(("span", self._child))
            ctext = f"\u201c{txt[c.start:c.end]}\u201d" if c else "?"
            msg = f"Relation {h} \u2192 {ctext}: press the relation label's key (Esc cancels)"
        else:
            msg = f"Relation from {h}: pick the child (click, or Tab and Enter) then press a label key \u2014 Esc cancels"
        self.bannerChanged.emit(msg)

    def _finish_relation(self, label: str) -> None:
        st = self._state()
        if st is None or st.current_doc_id is None or self._head is None:
            return
        child = self._child
        if child is None:
            item = self.view.selected_item()
            if item is not None and not item.suggestion and item.id != self._head:
                child = item.id
        if child is None:
            self._message("Pick the child span first (click it, or Tab to it)")
            return
        head = self._head
        rel = Relation(doc_id=st.current_doc_id, layer=st.annotator, head=head, child=child, label=label, source="manual")
        self.leave_relation_mode()
        if self._apply(AddRelation(rel, description=f"Relation {label}"), None):
            self.view.select_item(("span", head), ensure_visible=False)

    # -- keys --------------------------------------------------------------------------------
    def activate(self) -> None:
        """Enter: pick the child in relation mode, else accept the suggestion."""
        if self.relation_mode:
            item = self.view.selected_item()
            if item is None or item.suggestion or item.id == self._head:
                self._message("Pick another span of yours as the child (Tab, then Enter), or Esc")
                return
            self._child = item.id
            self._update_banner()
            return
        self.accept_selected()

    def escape(self) -> None:
        if self.relation_mode:
            self.leave_relation_mode()
            self._message("Relation cancelled")
        else:
            self.view.clear_selection()

    def next_item(self, forward: bool) -> None:
        """Tab / Shift+Tab (only the person's spans in relation mode; relation suggestions
        come right after their head)."""
        if not self.relation_mode and self.relation_suggestions.tab(forward):
            return
        self.view.next_item(forward, spans_only=self.relation_mode)
        item = self.view.selected_item()
        if self.relation_mode and item is not None and item.id == self._head:
            self.view.next_item(forward, spans_only=True)  # the head is never its own child

    def apply_label(self, name: str) -> None:
        """Give the selection this label (new span, relabel, accept a suggestion as it, or the
        relation's label in relation mode)."""
        st = self._state()
        if st is None or st.current_doc_id is None:
            return
        if self.relation_mode:
            self._finish_relation(name)
            return
        rel = self.view.selected_relation()
        if rel is not None and rel.suggestion:  # accepted as this label
            self.relation_suggestions.accept(name)
            return
        if rel is not None:
            if rel.label != name:
                self._apply(RelabelRelation(rel.id, name, description=f"Relabel relation as {name}"), None)
                self.view.select_relation(rel.id)
            return
        sel = self.view.text_selection()
        item = self.view.selected_item()
        if sel is not None:
            self._label_text(st, sel[0], sel[1], name)
        elif item is None:
            self._message("Select some text (drag, or arrow keys) or a span first")
        elif item.suggestion:
            self._relabel_suggestion(st, item, name)
        elif item.label != name and item.id is not None:
            self._apply(Relabel(item.id, name, description=f"Relabel as {name}"), [self.view.text[item.start:item.end]])
            self.view.select_item(("span", item.id), ensure_visible=False)

    def pick_label(self) -> None:
        """L: give the selection any label of the schema, chosen from a list with the keyboard."""
        st = self._state()
        if st is None or st.current_doc_id is None:
            return
        kind = "relation" if self.relation_mode else "entity"
        names = st.store.label_names(kind)
        if not names:
            self._message(f"The project has no {kind} labels (Edit \u203a Labels\u2026 adds them)")
            return
        title = "Relation label" if self.relation_mode else "Label"
        parent = self.view.window()
        name, ok = QInputDialog.getItem(parent, title, "Label (type to search, Enter to apply):", names, 0, False)
        if ok and name:
            self.apply_label(name)

    def _label_text(self, st, s: int, e: int, name: str) -> None:
        span = Span(doc_id=st.current_doc_id, layer=st.annotator, start=s, end=e, label=name, source="manual")
        # the overlap rule is the edit's own (one indexed query in the project file)
        if self._apply(AddSpan(span, description=f"Label {name}"), [self.view.text[s:e]]):
            self._select_span(s, e, name)

    def _relabel_suggestion(self, st, item: ViewSpan, name: str) -> None:
        sugg = self.presenter.suggestion(item.key)
        if sugg is None:
            return
        if name == item.label:
            self.accept_selected()
            return
        try:  # accepted corrected: the original is rejected, so it never comes back
            edit = suggest_mod.accept_corrected_edit(st.store, sugg, st.annotator, item.start, item.end, name)
        except AnnotationError as exc:
            self._refuse(str(exc))
            return
        if self._apply(edit, [self.view.text[item.start:item.end]]):
            self._select_next_suggestion(item.start)  # keep going, as accept and reject do

    def _select_span(self, start: int, end: int, label: str) -> None:
        it = self.view.find_item(start, end, label)
        if it is not None:
            self.view.select_item(it.key, ensure_visible=False)

    # -- resizing and deleting ---------------------------------------------------------------
    def resize_selected(self, edge: str, step: int) -> None:
        """Move the selected span's ``edge`` ("start" or "end") by ``step`` tokens (one undo step)."""
        item = self.view.selected_item()
        if item is None or item.suggestion or item.id is None:
            self._message("Select one of your spans to resize it (accept a suggestion first)")
            return
        bounds = self.view.resized_bounds(item, edge, step)
        if bounds is None:
            self._message("The span cannot move further that way")
            return
        self.resize_span(item.id, *bounds)

    def resize_span(self, span_id: int, start: int, end: int) -> bool:
        """Give one of the person's spans new offsets (the edit checks the overlap rule)."""
        item = self.view.item(("span", span_id))
        if self._state() is None or item is None or item.suggestion or end <= start:
            return False
        old_text = self.view.text[item.start:item.end]
        ok = self._apply(Resize(span_id, start, end, description=f"Resize {item.label}"),
                         [old_text, self.view.text[start:end]])
        if ok:
            self.view.select_item(("span", span_id), ensure_visible=False)
            self._message(f"{item.label} is now \u201c{self.view.text[start:end][:60]}\u201d (Ctrl+Z undoes)")
        return ok

    def delete_selected(self) -> None:
        rel = self.view.selected_relation()
        if rel is not None and rel.suggestion:
            self.relation_suggestions.reject()
            return
        if rel is not None:
            self._apply(DeleteRelation(rel.id, description=f"Delete relation {rel.label}"), None)
            return
        item = self.view.selected_item()
        if item is None:
            self._message("Select a span to delete (Tab moves between spans)")
            return
        if item.suggestion:
            self.reject_selected()
            return
        st = self._state()
        span = st.store.get_span(item.id) if (st is not None and item.id is not None) else None
        if span is None:
            return
        nxt = self._neighbour_key(item)
        try:  # the suggestions the span decided stay decided (rejected with it, in the same step)
            edit = suggest_mod.delete_span_edit(st.store, span, st.annotator)
        except AnnotationError as exc:
            self._refuse(str(exc))
            return
        if self._apply(edit, [self.view.text[item.start:item.end]]):
            if nxt is not None:
                self.view.select_item(nxt, ensure_visible=False)

    def _neighbour_key(self, item: ViewSpan):
        items = self.view.items
        i = bisect.bisect_left(items, item_order(item), key=item_order)
        while i < len(items) and items[i] is not item:
            i += 1
        if i >= len(items):
            return None
        if i + 1 < len(items):
            return items[i + 1].key
        return items[i - 1].key if i > 0 else None

    # -- suggestions -------------------------------------------------------------------------
    def _suggestion_at_cursor(self) -> ViewSpan | None:
        item = self.view.selected_item()
        if item is not None and item.suggestion:
            return item
        sel = self.view.text_selection()
        if sel is not None:
            for it in self.view.items:
                if it.suggestion and it.start < sel[1] and sel[0] < it.end:
                    return it
        return None

    def _selected_suggestion(self) -> tuple[ViewSpan, Span] | None:
        """The suggestion under the cursor (view item and store span), or ``None`` with a hint."""
        item = self._suggestion_at_cursor()
        if self._state() is None or item is None:
            self._message("No suggestion selected (Tab moves to the next one)")
            return None
        sugg = self.presenter.suggestion(item.key)
        return None if sugg is None else (item, sugg)

    def accept_selected(self) -> None:
        if not self.relation_suggestions.accept():
            self._decide_selected(suggest_mod.accept_edit)

    def reject_selected(self) -> None:
        if not self.relation_suggestions.reject():
            self._decide_selected(suggest_mod.reject_edit)

    def _decide_selected(self, make_edit) -> None:
        """Accept or reject the selected suggestion with ``make_edit(store, suggestion, person)``,
        then move on to the next one (like Prodigy's flow)."""
        picked = self._selected_suggestion()
        if picked is None:
            return
        item, sugg = picked
        st = self._state()
        try:
            edit = make_edit(st.store, sugg, st.annotator)
        except AnnotationError as exc:
            self._refuse(str(exc))
            return
        if self._apply(edit, [self.view.text[item.start:item.end]]):
            self._select_next_suggestion(item.start)

    def _select_next_suggestion(self, after: int) -> None:
        for it in self.view.items:
            if it.suggestion and it.start >= after:
                self.view.select_item(it.key)
                return
        for it in self.view.items:
            if it.start <= after < it.end and not it.suggestion:
                self.view.select_item(it.key, ensure_visible=False)
                return

    def accept_all(self) -> None:
        st = self._state()
        if st is None or st.current_doc_id is None:
            return
        edit = suggest_mod.accept_all_edit(st.store, st.current_doc_id, st.annotator)
        n = len(getattr(edit, "edits", ()))
        if not n:
            self._message("No suggestions to accept")
            return
        if self._apply(edit, None):
            self._message(f"Accepted {n} suggestions (Ctrl+Z takes them back)")

    def reject_all(self) -> None:
        st = self._state()
        if st is None or st.current_doc_id is None:
            return
        pend = self.presenter.pending()
        if not pend:
            self._message("No suggestions to reject")
            return
        edit = Batch(tuple(suggest_mod.reject_edit(st.store, s, st.annotator) for s in pend),
                     description=f"Reject {len(pend)} suggestions")
        if self._apply(edit, None):
            self._message(f"Rejected {len(pend)} suggestions (Ctrl+Z takes them back)")
