"""Relation suggestions: which a person still has to decide, and the edits that decide them.

A suggester may write relations between the spans of its own layer (``annotator suggest
--model project`` writes the relation model's relations into ``model:project@N``, see
:mod:`annotator.training.suggester`). The window shows them dashed; the person accepts or
rejects each one with the keys of entity suggestions.

A relation suggestion's identity is its :data:`RelationKey`: both ends' offsets and labels and
the relation label (a suggester's spans get new ids on every run; the offsets stay).

**Decided** (:func:`undecided_relations` keeps the others): a relation suggestion is decided
for a person, never shown to them again, when

* they rejected it (remembered in the project, :class:`RejectRelation`), or
* they have that relation: one of their relations with that label between their spans with
  exactly those offsets and labels (they accepted it, or drew it), or
* an end is no longer open: it is neither one of their spans with exactly that end's offsets
  and label, nor an entity suggestion still undecided for them (they rejected or corrected that
  entity): accepting would bring back an entity they decided against.

**Weak** relation suggestions are hidden as weak entity suggestions are: one whose model score
is below the project's ``suggestion_threshold``, or with an end that is a weak entity
suggestion, is never pending (:func:`~annotator.suggesters.decisions.strong_enough`, the one
rule; a relation without a score is never hidden by it).

Accepting (:class:`AcceptRelation`) copies the relation (and its score) into the person's
layer between their spans with the same offsets and labels, accepting an end first when it is still a suggestion,
all in one undo step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotator.changes import Changes
from annotator.edits import AddRelation, Batch, DeleteRelation, DeleteSpan, Edit, rejection_changes
from annotator.suggesters.decisions import accept_edit, strong_enough, suggestion_threshold, undecided
from annotator.suggesters.registry import is_suggester_layer, layer_priority
from corpus.errors import AnnotationError
from corpus.model import Relation, Span
from corpus.store import Store
from corpus.store.layers import RelationKey
from corpus.settings import allows_overlap

__all__ = [
    "RelationKey", "SuggestedRelation", "relation_key", "relation_candidates", "undecided_relations",
    "pending_relations", "AcceptRelation", "RejectRelation", "UnrejectRelation", "accept_relation_edit",
    "reject_relation_edit",
]

Key = tuple[int, int, str]


def relation_key(head: Span, child: Span, label: str) -> RelationKey:
    """The identity of a relation ``label`` from ``head`` to ``child`` (offsets and labels)."""
    return (head.start, head.end, head.label, child.start, child.end, child.label, label)


@dataclass(frozen=True)
class SuggestedRelation:
    """A relation of a suggester layer with its two end spans (of that layer) and the
    suggester's score (``None`` when it gave none)."""

    id: int
    doc_id: int
    layer: str
    label: str
    head: Span
    child: Span
    score: float | None = None

    @property
    def key(self) -> RelationKey:
        return relation_key(self.head, self.child, self.label)


def relation_candidates(store: Store, doc_id: int, annotator: str) -> list[SuggestedRelation]:
    """Every relation suggestion shown to ``annotator`` in one document, decided or not: one per
    :data:`RelationKey` (the layer with the smallest priority), by head position."""
    layers = sorted((la for la in store.layers() if is_suggester_layer(la, annotator)),
                    key=lambda la: (layer_priority(la), la))
    rels = store.relations(doc_id, layers) if layers else []
    if not rels:
        return []
    spans = {sp.id: sp for sp in store.spans(doc_id, sorted({r.layer for r in rels}))}
    order = {la: i for i, la in enumerate(layers)}
    best: dict[RelationKey, SuggestedRelation] = {}
    for r in sorted(rels, key=lambda r: (order.get(r.layer, len(order)), r.id or 0)):
        head, child = spans.get(r.head), spans.get(r.child)
        if head is None or child is None or r.id is None:
            continue
        sr = SuggestedRelation(r.id, doc_id, r.layer, r.label, head, child, r.score)
        best.setdefault(sr.key, sr)
    return sorted(best.values(), key=lambda s: (s.head.start, s.child.start, s.label))


def undecided_relations(
    candidates: Iterable[SuggestedRelation], mine: Iterable[Span], my_relations: Iterable[Relation],
    rejected: Iterable[RelationKey], rejected_spans: Iterable[Key], allow_overlap: bool = False,
    threshold: float | None = None,
) -> list[SuggestedRelation]:
    """The ``candidates`` not decided for the person (see the module docstring): ``mine`` and
    ``my_relations`` are their spans and relations, ``rejected`` their relation rejections,
    ``rejected_spans`` their entity rejections; those scoring below ``threshold`` (or with an end
    that does) are left out too (:func:`strong_enough`). Pure."""
    candidates = list(candidates)
    if not candidates:
        return []
    mine = list(mine)
    by_id = {sp.id: sp for sp in mine}
    have = {relation_key(by_id[r.head], by_id[r.child], r.label) for r in my_relations
            if r.head in by_id and r.child in by_id}
    exact = {sp.key for sp in mine}
    ends = {e.key: e for c in candidates for e in (c.head, c.child)}
    open_ends = exact | {sp.key for sp in undecided(ends.values(), mine, rejected_spans, allow_overlap, threshold)}
    rejected = set(rejected) | have
    return [c for c in candidates
            if c.key not in rejected and strong_enough(c, threshold)
            and c.head.key in open_ends and c.child.key in open_ends]


def pending_relations(store: Store, doc_id: int, annotator: str) -> list[SuggestedRelation]:
    """The relation suggestions ``annotator`` still has to decide on in one document."""
    candidates = relation_candidates(store, doc_id, annotator)
    if not candidates:
        return []
    rejected_spans = {(s, e, label) for _, s, e, label in store.rejections(annotator, doc_id)}
    return undecided_relations(candidates, store.spans(doc_id, annotator), store.relations(doc_id, annotator),
                               store.relation_rejections(annotator, doc_id), rejected_spans,
                               allows_overlap(store), suggestion_threshold(store))


def _my_span_id(store: Store, annotator: str, end: Span) -> int | None:
    for sp in store.spans(end.doc_id, annotator, label=end.label):
        if (sp.start, sp.end) == (end.start, end.end):
            return sp.id
    return None


@dataclass(frozen=True)
class AcceptRelation:
    """Accept a relation suggestion: the person's ends (an end still a suggestion is accepted
    first), then the relation between them (label ``label``, or the suggestion's); with another
    label the suggestion itself is rejected too (accepted corrected). One transaction."""

    suggestion: SuggestedRelation
    annotator: str
    label: str | None = None
    description: str = "Accept relation"

    def apply(self, store: Store) -> Edit:
        s, me = self.suggestion, self.annotator
        label = self.label or s.label
        inverses: list[Edit] = []
        with store.transaction():
            ids = []
            for end in (s.head, s.child):
                sid = _my_span_id(store, me, end)
                if sid is None:
                    inv = accept_edit(store, end, me).apply(store)
                    if not isinstance(inv, DeleteSpan):
                        raise AnnotationError(f"document {s.doc_id}: could not accept {end.label} {end.start}-{end.end}")
                    inverses.append(inv)
                    sid = inv.span_id
                ids.append(sid)
            same = label == s.label
            rel = Relation(doc_id=s.doc_id, layer=me, head=ids[0], child=ids[1], label=label,
                           source=f"{'accepted' if same else 'corrected'}:{s.layer}", score=s.score if same else None)
            inverses.append(AddRelation(rel, description=self.description).apply(store))
            if label != s.label:
                inverses.append(RejectRelation(s.doc_id, me, s.key).apply(store))
        return Batch(tuple(reversed(inverses)), description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        parts = getattr(inverse, "edits", ())
        d = self.suggestion.doc_id
        span_ids = frozenset(p.span_id for p in parts if isinstance(p, DeleteSpan))
        rel_ids = frozenset(p.relation_id for p in parts if isinstance(p, DeleteRelation))
        rejected = any(isinstance(p, UnrejectRelation) for p in parts)
        docs = frozenset({d})
        return Changes(spans=docs if span_ids else frozenset(), span_ids=span_ids, relations=docs, relation_ids=rel_ids,
                       rejections=docs if rejected else frozenset(), written=frozenset({(d, self.annotator)}))


@dataclass(frozen=True)
class _RelationRejectionEdit:
    doc_id: int
    annotator: str
    key: RelationKey
    description: str = "Reject relation"

    def changes(self, inverse: Edit) -> Changes:
        return rejection_changes(self.doc_id, self.annotator, inverse)


@dataclass(frozen=True)
class RejectRelation(_RelationRejectionEdit):
    """Remember that a person rejected a relation suggestion (never shown to them again)."""

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            added = store.add_relation_rejection(self.doc_id, self.annotator, self.key)
        if not added:  # already rejected: undoing must not forget the earlier rejection
            return Batch((), description=self.description)
        return UnrejectRelation(self.doc_id, self.annotator, self.key, self.description)


@dataclass(frozen=True)
class UnrejectRelation(_RelationRejectionEdit):
    """Forget a relation rejection (the inverse of :class:`RejectRelation`)."""

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            store.remove_relation_rejection(self.doc_id, self.annotator, self.key)
        return RejectRelation(self.doc_id, self.annotator, self.key, self.description)


def accept_relation_edit(suggestion: SuggestedRelation, annotator: str, label: str | None = None) -> Edit:
    """The edit accepting ``suggestion`` for ``annotator`` (as ``label`` when given). Not applied."""
    name = label or suggestion.label
    return AcceptRelation(suggestion, annotator, label, description=f"Accept relation {name}")


def reject_relation_edit(suggestion: SuggestedRelation, annotator: str) -> Edit:
    """The edit rejecting ``suggestion`` for ``annotator`` (remembered; undo forgets it)."""
    return RejectRelation(suggestion.doc_id, annotator, suggestion.key, description=f"Reject relation {suggestion.label}")

