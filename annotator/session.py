"""One person working on one document: what they have, what they still have to decide.

Qt-free, used by the window, the review window and the command line alike:

* :func:`apply_as` applies an edit for a person and adds the rule "the person's first edit of
  a document still to do marks it in progress" (in the same transaction and undo step);
* :class:`DocumentSession` holds a document as one person sees it (their spans and relations,
  their rejections, the suggestions still pending for them) and keeps it current from the
  :class:`~annotator.changes.Changes` of each edit: :meth:`DocumentSession.update` re-reads
  only the spans and relations the report names and returns a :class:`SessionDelta` saying
  what to add and remove on screen. Which suggestions are pending is
  :func:`annotator.suggest.undecided`'s rule (decisions stay made), applied to the document's
  suggestion candidates read once: a new span or rejection only hides what it decides; a span
  removed or changed, or a rejection forgotten, asks the rule again over every candidate.
  Relation suggestions (relations of suggester layers) follow
  :func:`annotator.suggesters.relations.undecided_relations` the same way:
  :attr:`DocumentSession.pending_relations`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator import suggest
from annotator.changes import Changes
from annotator.edits import Batch, Edit, SetStatus, apply_edit
from annotator.suggesters.relations import RelationKey, SuggestedRelation, relation_candidates, undecided_relations
from corpus.model import Document, DocumentStatus, Relation, Span
from corpus.store import Store
from corpus.store.annotations import SpanTuple, span_rows, span_rows_by_id
from corpus.store.documents import document_rows
from corpus.settings import allows_overlap

__all__ = ["apply_as", "DocumentSession", "SessionDelta", "Key"]

#: A span's identity for decisions: (start, end, label).
Key = tuple[int, int, str]

#: More changed spans than this are read back with one query for the whole layer.
_BY_ID_LIMIT = 200


def apply_as(store: Store, edit: Edit, annotator: str) -> tuple[Edit, Edit, Changes]:
    """Apply ``edit`` for ``annotator`` in one transaction; returns ``(forward, inverse, changes)``.

    When the edit writes to the person's own layer in a document that is still to do for them
    (and does not set that document's status itself), the document is marked in progress too:
    ``forward`` is then the edit and that status change as one :class:`Batch` (one undo step).
    Renaming a label, or a reviewer's edit of ``gold``, is not that person working on it.
    """
    with store.transaction():
        inverse, changes = apply_edit(store, edit)
        docs = sorted(changes.docs_written_by(annotator) - changes.status)
        extra = [SetStatus(d, annotator, DocumentStatus.IN_PROGRESS)
                 for d in docs if store.status(d, annotator) is DocumentStatus.TODO]
        if not extra:
            return edit, inverse, changes
        extra_inverses = [e.apply(store) for e in extra]
    description = getattr(edit, "description", "Edit")
    forward = Batch((edit, *extra), description=description)
    inverse = Batch((*reversed(extra_inverses), inverse), description=description)
    return forward, inverse, changes | Changes(status=frozenset(e.doc_id for e in extra))


@dataclass(frozen=True)
class SessionDelta:
    """What changed on screen after one report: ids and keys to remove, objects to add.

    ``reload``: everything must be shown afresh (labels, the person or the suggestions
    changed); the other fields are then empty.
    """

    spans_removed: tuple[int, ...] = ()
    spans_added: tuple[Span, ...] = ()
    suggestions_removed: tuple[Span, ...] = ()
    suggestions_added: tuple[Span, ...] = ()
    relations_removed: tuple[int, ...] = ()
    relations_added: tuple[Relation, ...] = ()
    status: bool = False
    reload: bool = False
    #: the relation suggestions still to decide changed (or the spans they are drawn between)
    relation_suggestions: bool = False

    @property
    def annotations(self) -> bool:
        """Spans, suggestions or relations changed."""
        return bool(self.spans_removed or self.spans_added or self.suggestions_removed
                    or self.suggestions_added or self.relations_removed or self.relations_added
                    or self.relation_suggestions)


@dataclass
class DocumentSession:
    """One document as ``annotator`` sees it; see the module docstring."""

    store: Store
    doc_id: int
    annotator: str
    document: Document = field(init=False)
    #: the person's spans as plain rows ``(id, layer, start, end, label, source, score)`` by id
    #: (a 2,000-span document opens without making 2,000 objects; :attr:`spans` makes them)
    rows: dict[int, SpanTuple] = field(init=False, default_factory=dict)
    relations: dict[int, Relation] = field(init=False, default_factory=dict)
    rejected: set[Key] = field(init=False, default_factory=set)
    pending: dict[Key, Span] = field(init=False, default_factory=dict)
    #: every suggestion shown to the person in this document, decided or not
    candidates: list[Span] = field(init=False, default_factory=list)
    #: every relation suggestion shown to the person in this document, decided or not
    relation_candidates: list[SuggestedRelation] = field(init=False, default_factory=list)
    #: the relation suggestions the person rejected
    relation_rejected: set[RelationKey] = field(init=False, default_factory=set)
    #: the relation suggestions still to decide
    pending_relations: dict[RelationKey, SuggestedRelation] = field(init=False, default_factory=dict)
    allow_overlap: bool = field(init=False, default=False)
    #: the project's ``suggestion_threshold`` (weaker suggestions are never pending)
    threshold: float | None = field(init=False, default=None)
    status: DocumentStatus = field(init=False, default=DocumentStatus.TODO)
    suggested: bool = field(init=False, default=False)
    #: tokens of the document that are not white space
    token_count: int = field(init=False, default=0)
    _spans: dict[int, Span] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.document = self.store.get_document(self.doc_id)
        row = document_rows(self.store, [self.doc_id], self.annotator).get(self.doc_id)
        self.token_count = row.n_tokens if row is not None else 0  # counted once, at import
        if not self.token_count and self.document.tokens:  # a row from before the count was kept
            text = self.document.text
            self.token_count = sum(1 for s, e in self.document.tokens if not text[s:e].isspace())
        self.load()

    # -- reading -------------------------------------------------------------------------------
    def load(self) -> None:
        """Read everything this session holds afresh (the document's text is kept)."""
        d, me = self.doc_id, self.annotator
        self.rows = {r[0]: r for r in span_rows(self.store, d, [me])}
        self._spans = None
        self.relations = {r.id: r for r in self.store.relations(d, me) if r.id is not None}
        self.rejected = {(s, e, label) for _, s, e, label in self.store.rejections(me, d)}
        self.allow_overlap = allows_overlap(self.store)
        self.threshold = suggest.suggestion_threshold(self.store)
        self.candidates = suggest.suggestion_candidates(self.store, d, me)
        self.pending = {sp.key: sp for sp in self._undecided(self.candidates, self.spans.values(), self.rejected)} \
            if self.candidates else {}
        self.status = self.store.status(d, me)
        self.suggested = bool(self.store.suggested_layers(d))
        self.relation_candidates = relation_candidates(self.store, d, me)
        self.relation_rejected = self.store.relation_rejections(me, d) if self.relation_candidates else set()
        self._update_pending_relations()

    def _update_pending_relations(self) -> bool:
        """Ask the relation rule again (a handful of relations: cheap); ``True`` when the
        pending relation suggestions, or the spans they are drawn between, changed."""
        if not self.relation_candidates:
            changed = bool(self.pending_relations)
            self.pending_relations = {}
            return changed
        new = {r.key: r for r in undecided_relations(self.relation_candidates, self.spans.values(),
                                                     self.relations.values(), self.relation_rejected,
                                                     self.rejected, self.allow_overlap, self.threshold)}
        changed = new != self.pending_relations
        self.pending_relations = new
        return changed

    def pending_relation_list(self) -> list[SuggestedRelation]:
        """The relation suggestions still to decide, by head position."""
        return sorted(self.pending_relations.values(), key=lambda r: (r.head.start, r.child.start, r.label))

    @property
    def spans(self) -> dict[int, Span]:
        """The person's spans by id."""
        if self._spans is None:
            self._spans = {sid: self.span_of(row) for sid, row in self.rows.items()}
        return self._spans

    def span_of(self, row: SpanTuple) -> Span:
        """A :class:`Span` of this document from one of :attr:`rows`."""
        sid, layer, start, end, label, source, score = row
        return Span(id=sid, doc_id=self.doc_id, layer=layer, start=start, end=end, label=label,
                    source=source or "", score=score)

    def _undecided(self, candidates, mine, rejected) -> list[Span]:
        return suggest.undecided(candidates, mine, rejected, self.allow_overlap, self.threshold)

    def pending_spans(self) -> list[Span]:
        """The suggestions still to decide, by position."""
        return sorted(self.pending.values(), key=lambda s: (s.start, s.end, s.label, s.layer))

    # -- keeping current -----------------------------------------------------------------------
    def update(self, changes: Changes) -> SessionDelta:
        """Take in what an edit (or a job) changed; returns what to show differently."""
        d = self.doc_id
        if changes.needs_reload(d):
            self.load()
            return SessionDelta(reload=True)
        if not changes.touches_document(d):
            return SessionDelta()
        removed, added = self._update_spans(changes) if d in changes.spans else ((), ())
        new_rejections: set[Key] = set()
        freed = bool(removed)
        if d in changes.rejections and self.relation_candidates:
            self.relation_rejected = self.store.relation_rejections(self.annotator, d)
        if d in changes.rejections:
            now = {(s, e, label) for _, s, e, label in self.store.rejections(self.annotator, d)}
            freed = freed or bool(self.rejected - now)
            new_rejections = now - self.rejected
            self.rejected = now
        hidden, shown = self._update_pending(freed, added, new_rejections)
        rel_removed, rel_added = self._update_relations(changes) if d in changes.relations else ((), ())
        status = d in changes.status
        if status:
            self.status = self.store.status(d, self.annotator)
        rel_sugg = False
        if self.relation_candidates and (removed or added or hidden or shown or rel_removed or rel_added
                                         or d in changes.rejections):
            # an accepted end turns from a suggestion into a span: the arc is drawn again
            rel_sugg = self._update_pending_relations() or bool(removed or added or hidden or shown)
        return SessionDelta(tuple(sp.id for sp in removed if sp.id is not None), tuple(added), hidden, shown,
                            rel_removed, rel_added, status, relation_suggestions=rel_sugg)

    def _update_spans(self, changes: Changes) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
        """Re-read the spans the report names (or, past a limit, the whole layer); returns the
        old versions removed and the new versions added."""
        if len(changes.span_ids) > _BY_ID_LIMIT or not changes.span_ids:
            now = {r[0]: r for r in span_rows(self.store, self.doc_id, [self.annotator])}
            ids = set(now) | set(self.rows)
        else:
            ids = set(changes.span_ids)
            now = span_rows_by_id(self.store, self.doc_id, self.annotator, sorted(ids))
        removed, added = [], []
        for sid in ids:
            old, new = self.rows.get(sid), now.get(sid)
            if old == new:
                continue
            if old is not None:
                removed.append(self.span_of(self.rows.pop(sid)))
            if new is not None:
                self.rows[sid] = new
                added.append(self.span_of(new))
        if removed or added:
            self._spans = None
        return tuple(removed), tuple(added)

    def _update_pending(self, freed: bool, added: tuple[Span, ...], rejected: set[Key]) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
        """Hide the suggestions the new spans and rejections decide; when a decision was taken
        back (``freed``), ask the rule again over every candidate."""
        if not self.candidates:
            return (), ()
        if freed:
            new = {sp.key: sp for sp in self._undecided(self.candidates, self.spans.values(), self.rejected)}
        elif added or rejected:
            new = {sp.key: sp for sp in self._undecided(self.pending.values(), added, rejected)}
        else:
            return (), ()
        hidden = tuple(sp for k, sp in self.pending.items() if new.get(k) != sp)
        shown = tuple(sp for k, sp in new.items() if self.pending.get(k) != sp)
        self.pending = new
        return hidden, shown

    def _update_relations(self, changes: Changes) -> tuple[tuple[int, ...], tuple[Relation, ...]]:
        if changes.relation_ids and len(changes.relation_ids) <= _BY_ID_LIMIT:
            ids = set(changes.relation_ids)
            now = {}
            for rid in ids:
                rel = self.store.get_relation(rid)
                if rel is not None and rel.doc_id == self.doc_id and rel.layer == self.annotator:
                    now[rid] = rel
        else:
            now = {r.id: r for r in self.store.relations(self.doc_id, self.annotator) if r.id is not None}
            ids = set(now) | set(self.relations)
        removed, added = [], []
        for rid in ids:
            old, new = self.relations.get(rid), now.get(rid)
            if old == new:
                continue
            if old is not None:
                del self.relations[rid]
                removed.append(rid)
            if new is not None:
                self.relations[rid] = new
                added.append(new)
        return tuple(removed), tuple(added)
