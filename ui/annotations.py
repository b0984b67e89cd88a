"""The annotation model the document view and the tables listen to.

:class:`AnnotationPresenter` holds the :class:`~annotator.session.DocumentSession` of the
document on screen and turns what it says into what the view and the tables show: on opening,
everything; after an edit, only the :class:`~annotator.session.SessionDelta` the edit's own
:class:`~annotator.changes.Changes` produced (no re-read of the layer, no diff of the whole
document). It decides nothing: which suggestions are pending is the session's (and
:mod:`annotator.suggest`'s) business.
"""

from __future__ import annotations

from annotator.changes import Changes
from annotator.session import DocumentSession, SessionDelta
from corpus.model import LabelKind, Relation, Span
from ui.document_view import DocumentView, ViewRelation, ViewSpan
from ui.relation_suggestions import relation_suggestion_items
from ui.tables import AnnotationTables

__all__ = ["AnnotationPresenter", "suggestion_key"]

#: a view item's key: ("span", id) or ("sugg", layer, start, end, label)
ItemKey = tuple

NO_COLOR = "#cccccc"
NO_RELATION_COLOR = "#777777"


def suggestion_key(sp: Span) -> ItemKey:
    """The view's key of a suggestion."""
    return ("sugg", sp.layer, sp.start, sp.end, sp.label)


class AnnotationPresenter:
    """Shows one person's view of one document in a :class:`DocumentView` and the tables."""

    def __init__(self, view: DocumentView, tables: AnnotationTables) -> None:
        self.view = view
        self.tables = tables
        #: the document on screen, as the person sees it (``None``: nothing open)
        self.session: DocumentSession | None = None
        self._colors: dict[str, str] = {}
        self._rcolors: dict[str, str] = {}

    # -- opening ---------------------------------------------------------------------------
    def open(self, state, doc_id: int) -> DocumentSession:
        """Open ``doc_id`` for the state's person (raises :class:`CorpusError` when it cannot be read)."""
        session = DocumentSession(state.store, doc_id, state.annotator)
        self.session = session
        self.view.set_document(session.document.text, session.document.tokens)
        self.show_all(state)
        return session

    def close(self) -> None:
        """Nothing on screen any more."""
        self.session = None

    def show_all(self, state) -> None:
        """Show everything the session holds (a new document, other labels, another person)."""
        s = self.session
        if s is None:
            return
        items, rels = self.view_items(state)
        sel = self.view.selected_key()
        self.view.set_annotations(items, rels)
        self._keep_selection(sel)
        self.tables.set_content(self.view.text, self.view.items, self.view.relations)

    def _keep_selection(self, sel: ItemKey | None) -> None:
        """Background work (matching, suggesting) replaced the selected suggestion by one with
        the same words and label from another layer: select that one (the person's next key
        still means the words they see selected)."""
        if sel is None or sel[0] != "sugg" or self.view.selected_key() is not None or self.view.text_selection():
            return
        twin = next((it for it in self.view.items if it.suggestion and (it.start, it.end, it.label) == tuple(sel[2:5])), None)
        if twin is not None:
            self.view.select_item(twin.key, ensure_visible=False)

    def view_items(self, state) -> tuple[list[ViewSpan], list[ViewRelation]]:
        """Everything the view shows for the open document (with the state's label colours)."""
        s = self.session
        if s is None:
            return [], []
        self._colors = state.label_colors(LabelKind.ENTITY)
        self._rcolors = state.label_colors(LabelKind.RELATION)
        colors = self._colors
        items = [ViewSpan(key=("span", sid), id=sid, start=st, end=e, label=lab, color=colors.get(lab, NO_COLOR),
                          layer=layer, source=src or "", score=score)
                 for sid, layer, st, e, lab, src, score in s.rows.values()]
        items.extend(self.suggestion_item(sp) for sp in s.pending.values())
        return items, [self.relation_item(r) for r in s.relations.values()] + self.relation_suggestions()

    def relation_suggestions(self) -> list[ViewRelation]:
        """The relation suggestions still to decide, drawn dashed."""
        if self.session is None:
            return []
        return relation_suggestion_items(self.session, self._rcolors, NO_RELATION_COLOR, suggestion_key)

    def reload(self, state) -> None:
        """Read the document's annotations afresh and show them."""
        if self.session is not None:
            self.session.load()
            self.show_all(state)

    # -- keeping current -------------------------------------------------------------------
    def update(self, state, changes: Changes) -> SessionDelta:
        """Show what ``changes`` changed in the open document; returns the session's delta."""
        s = self.session
        if s is None:
            return SessionDelta()
        delta = s.update(changes)
        if delta.reload:
            self.show_all(state)
            return delta
        if not delta.annotations:
            return delta
        remove: list[ItemKey] = [("span", sid) for sid in delta.spans_removed]
        remove.extend(suggestion_key(sp) for sp in delta.suggestions_removed)
        add = [self.span_item(sp) for sp in delta.spans_added]
        add.extend(self.suggestion_item(sp) for sp in delta.suggestions_added)
        rel_add = [self.relation_item(r) for r in delta.relations_added]
        rel_remove = list(delta.relations_removed)
        if delta.relation_suggestions:  # drawn again: their ends may have become the person's spans
            rel_remove.extend(r.id for r in self.view.relations if r.suggestion)
            rel_add.extend(self.relation_suggestions())
        sel = self.view.selected_key()
        self.view.update_annotations(remove, add, rel_remove, rel_add)
        self._keep_selection(sel)
        ends = {x for r in s.relations.values() for x in (r.head, r.child)}
        moved = {sp.id for sp in delta.spans_added} | set(delta.spans_removed)
        rels_changed = bool(rel_remove or rel_add or (moved & ends))
        self.tables.update_content(self.view.text, remove, add, self.view.relations if rels_changed else None,
                                   suggestions_shown=self.view.show_suggestions())
        return delta

    # -- questions -------------------------------------------------------------------------
    def suggestion(self, key: ItemKey | None) -> Span | None:
        """The pending suggestion shown under ``key`` (``None``: not a pending suggestion)."""
        if self.session is None or key is None or key[0] != "sugg":
            return None
        return self.session.pending.get((key[2], key[3], key[4]))

    def pending(self) -> list[Span]:
        """The suggestions still to decide in the open document."""
        return [] if self.session is None else self.session.pending_spans()

    # -- view objects ----------------------------------------------------------------------
    def span_item(self, sp: Span) -> ViewSpan:
        return ViewSpan(key=("span", sp.id), id=sp.id, start=sp.start, end=sp.end, label=sp.label,
                        color=self._colors.get(sp.label, NO_COLOR), layer=sp.layer, source=sp.source or "",
                        score=sp.score)

    def suggestion_item(self, sp: Span) -> ViewSpan:
        return ViewSpan(key=suggestion_key(sp), id=sp.id, start=sp.start, end=sp.end, label=sp.label,
                        color=self._colors.get(sp.label, NO_COLOR), layer=sp.layer, source=sp.source or "",
                        score=sp.score, suggestion=True)

    def relation_item(self, r: Relation) -> ViewRelation:
        return ViewRelation(id=r.id or 0, head=r.head, child=r.child, label=r.label,
                            color=self._rcolors.get(r.label, NO_RELATION_COLOR))
