"""Review and adjudication: every annotator's version of a document, votes, and edits into gold.

The reviewer's result is the ``gold`` layer (:data:`corpus.model.GOLD`); the reviewer's status
for a document is the status of annotator ``gold``. The functions here are pure over the store:
:func:`review_document` reads, the ``*_edit`` functions *build* edits (:mod:`annotator.edits`)
and never apply them, so the window puts each in its undo stack and the command line or a
script calls ``edit.apply(store)``. Every edit built here is one :class:`~annotator.edits.Batch`
(one transaction, one undo step) whose inverse restores the project exactly.

Terms
-----
Span item
    One distinct span ``(start, end, label)`` that at least one compared annotator or gold
    holds, with a vote per compared annotator.
Relation item
    One distinct relation ``(head span key, child span key, label)``.
Conflict
    Two span items conflict when they overlap and differ (other boundaries or another label).
    In a project that allows overlapping spans (setting ``allow_overlap``) nested spans are
    legitimate and do not conflict; only crossing spans and the same stretch with two labels
    do. Two relation items conflict when they link the same two spans (either direction) with
    another label or the other direction. A conflict set is settled by picking one version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Union

from annotator.edits import (
    AddRelation,
    AddSpan,
    Batch,
    DeleteRelation,
    DeleteSpan,
    Edit,
    Relabel,
    Resize,
    SetStatus,
)
from corpus.errors import AnnotationError
from corpus.model import GOLD, DocumentStatus, Relation, Span, is_person_layer
from corpus.store import Store
from corpus.settings import allows_overlap
from corpus.store.layers import (
    document_statuses,
    done_annotators_by_document,
    span_layers_by_document,
)

__all__ = [
    "SpanKey",
    "RelationKey",
    "SpanItem",
    "RelationItem",
    "ReviewItem",
    "DocumentReview",
    "AddRelationByKey",
    "review_document",
    "default_annotators",
    "conflict_groups",
    "is_settled",
    "spans_conflict",
    "accept_agreed_edit",
    "pick_edit",
    "mark_reviewed_edit",
    "review_progress",
    "documents_to_review",
]

#: (start, end, label) of a span: what makes two annotators' spans the same span.
SpanKey = tuple[int, int, str]
#: (head span key, child span key, label) of a relation.
RelationKey = tuple[SpanKey, SpanKey, str]

#: ``source`` of spans and relations written into gold by review.
SOURCE_AGREED = "review:agreed"
SOURCE_PICKED = "review:picked"


class _Voted:
    """What span and relation items share: the compared annotators' votes and gold's copy."""

    votes: Mapping[str, bool]
    gold_id: int | None
    conflicts_with: tuple[object, ...]

    @property
    def in_gold(self) -> bool:
        """True when the gold layer holds this item."""
        return self.gold_id is not None

    @property
    def n_votes(self) -> int:
        """How many compared annotators hold this item."""
        return sum(1 for v in self.votes.values() if v)

    @property
    def n_annotators(self) -> int:
        """How many annotators were compared."""
        return len(self.votes)

    @property
    def vote_text(self) -> str:
        """Votes as the reviewer reads them, e.g. ``"2/3"``."""
        return f"{self.n_votes}/{self.n_annotators}"

    @property
    def agreed(self) -> bool:
        """True when every compared annotator (at least one) holds this item."""
        return bool(self.votes) and all(self.votes.values())

    @property
    def in_conflict(self) -> bool:
        """True when another version of this item exists."""
        return bool(self.conflicts_with)


@dataclass(frozen=True)
class SpanItem(_Voted):
    """One distinct span on the document and who holds it.

    ``votes`` has one entry per compared annotator (``True`` when their layer holds exactly this
    span); ``span_ids`` gives the id of the span in each voting annotator's layer; ``gold_id`` is
    the id of the same span in gold, or ``None``; ``conflicts_with`` lists the keys of the other
    span items it conflicts with.
    """

    key: SpanKey
    text: str
    votes: Mapping[str, bool]
    span_ids: Mapping[str, int] = field(default_factory=dict)
    gold_id: int | None = None
    conflicts_with: tuple[SpanKey, ...] = ()

    kind: ClassVar[Literal["span"]] = "span"

    @property
    def start(self) -> int:
        return self.key[0]

    @property
    def end(self) -> int:
        return self.key[1]

    @property
    def label(self) -> str:
        return self.key[2]

    @property
    def position(self) -> tuple[int, int]:
        """Where the item sits in the text, for ordering."""
        return (self.start, self.end)


@dataclass(frozen=True)
class RelationItem(_Voted):
    """One distinct relation on the document and who holds it (see :class:`SpanItem`).

    ``in_gold`` means gold holds this relation between gold's copies of the spans.
    """

    key: RelationKey
    votes: Mapping[str, bool]
    relation_ids: Mapping[str, int] = field(default_factory=dict)
    gold_id: int | None = None
    conflicts_with: tuple[RelationKey, ...] = ()

    kind: ClassVar[Literal["relation"]] = "relation"

    @property
    def head(self) -> SpanKey:
        return self.key[0]

    @property
    def child(self) -> SpanKey:
        return self.key[1]

    @property
    def label(self) -> str:
        return self.key[2]

    @property
    def position(self) -> tuple[int, int]:
        return (min(self.head[0], self.child[0]), max(self.head[1], self.child[1]))


ReviewItem = Union[SpanItem, RelationItem]


@dataclass(frozen=True)
class DocumentReview:
    """Everything the reviewer sees for one document (a snapshot; rebuild it after an edit)."""

    doc_id: int
    name: str
    text: str
    annotators: tuple[str, ...]
    spans: tuple[SpanItem, ...]
    relations: tuple[RelationItem, ...]
    gold_status: DocumentStatus = DocumentStatus.TODO
    allow_overlap: bool = False
    _span_index: dict[SpanKey, SpanItem] = field(init=False, repr=False, compare=False)
    _relation_index: dict[RelationKey, RelationItem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_span_index", {it.key: it for it in self.spans})
        object.__setattr__(self, "_relation_index", {it.key: it for it in self.relations})

    def span(self, key: SpanKey) -> SpanItem | None:
        """The span item with this key, if any."""
        return self._span_index.get(tuple(key))  # type: ignore[arg-type]

    def relation(self, key: RelationKey) -> RelationItem | None:
        """The relation item with this key, if any."""
        return self._relation_index.get(key)

    @property
    def items(self) -> tuple[ReviewItem, ...]:
        """Span items then relation items."""
        return (*self.spans, *self.relations)

    @property
    def reviewed(self) -> bool:
        """True when the reviewer marked the document done."""
        return self.gold_status is DocumentStatus.DONE

    def agreed(self, min_votes: int | None = None) -> list[ReviewItem]:
        """Items held by every compared annotator (or by at least ``min_votes`` of them)."""
        need = len(self.annotators) if min_votes is None else min_votes
        if not self.annotators:
            return []
        return [it for it in self.items if it.n_votes >= need]


# -- building the review ---------------------------------------------------------------------
def spans_conflict(a: SpanKey, b: SpanKey, allow_overlap: bool = False) -> bool:
    """True when two different spans overlap in a way the reviewer must settle.

    Without ``allow_overlap`` any overlap is a conflict; with it, nested spans may coexist and
    only crossing spans or the same stretch with different labels conflict.
    """
    if a == b or not (a[0] < b[1] and b[0] < a[1]):
        return False
    if not allow_overlap or (a[0], a[1]) == (b[0], b[1]):
        return True
    nested = (a[0] <= b[0] and b[1] <= a[1]) or (b[0] <= a[0] and a[1] <= b[1])
    return not nested


def _relations_conflict(a: RelationKey, b: RelationKey) -> bool:
    return a != b and {a[0], a[1]} == {b[0], b[1]}


def _span_conflicts(keys: Iterable[SpanKey], allow_overlap: bool) -> dict[SpanKey, list[SpanKey]]:
    ordered = sorted(set(keys))
    out: dict[SpanKey, list[SpanKey]] = defaultdict(list)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b[0] >= a[1]:
                break  # sorted by start: nothing later overlaps a
            if spans_conflict(a, b, allow_overlap):
                out[a].append(b)
                out[b].append(a)
    return out


def default_annotators(store: Store, doc_id: int) -> list[str]:
    """Who is compared on a document by default: person layers with spans or a done status.

    Suggester layers (``model:...``, ``patterns``, ``match:...``) and gold are left out; pass
    them to :func:`review_document` explicitly to compare a suggester like a person.
    """
    names = {sp.layer for sp in store.spans(doc_id) if is_person_layer(sp.layer)}
    names |= {
        a for a, st in document_statuses(store, doc_id).items()
        if st is DocumentStatus.DONE and is_person_layer(a)
    }
    return sorted(names)


def review_document(store: Store, doc_id: int, annotators: Sequence[str] | None = None) -> DocumentReview:
    """Every compared annotator's spans and relations on a document, grouped into voted items.

    ``annotators`` defaults to :func:`default_annotators`. Gold's own spans and relations appear
    as items too (with no votes when no annotator holds them), so a span the reviewer drew by
    hand is part of its conflict set.
    """
    doc = store.get_document(doc_id)
    if annotators is None:
        compared = default_annotators(store, doc_id)
    else:
        compared = list(dict.fromkeys(annotators))
        if GOLD in compared:
            raise AnnotationError(
                f"document {doc.name or doc_id}: {GOLD!r} is the review result, not an annotator to compare"
            )
    allow_overlap = allows_overlap(store)
    layers = [*compared, GOLD]
    spans = store.spans(doc_id, layers)
    relations = store.relations(doc_id, layers)

    span_ids: dict[SpanKey, dict[str, int]] = defaultdict(dict)
    by_id: dict[int, Span] = {}
    for sp in spans:
        by_id[sp.id or 0] = sp
        span_ids[sp.key][sp.layer] = sp.id or 0
    conflicts = _span_conflicts(span_ids, allow_overlap)
    span_items = tuple(
        SpanItem(
            key=key,
            text=doc.text[key[0] : key[1]],
            votes={a: a in ids for a in compared},
            span_ids={a: ids[a] for a in compared if a in ids},
            gold_id=ids.get(GOLD),
            conflicts_with=tuple(sorted(conflicts.get(key, ()))),
        )
        for key, ids in sorted(span_ids.items())
    )

    rel_ids: dict[RelationKey, dict[str, int]] = defaultdict(dict)
    for rel in relations:
        head, child = by_id.get(rel.head), by_id.get(rel.child)
        if head is None or child is None:  # pragma: no cover - the store forbids this
            continue
        rel_ids[(head.key, child.key, rel.label)][rel.layer] = rel.id or 0
    pairs: dict[frozenset[SpanKey], list[RelationKey]] = defaultdict(list)
    for rkey in rel_ids:
        pairs[frozenset((rkey[0], rkey[1]))].append(rkey)
    rel_items = tuple(
        RelationItem(
            key=rkey,
            votes={a: a in ids for a in compared},
            relation_ids={a: ids[a] for a in compared if a in ids},
            gold_id=ids.get(GOLD),
            conflicts_with=tuple(sorted(
                k for k in pairs[frozenset((rkey[0], rkey[1]))] if _relations_conflict(rkey, k)
            )),
        )
        for rkey, ids in sorted(rel_ids.items())
    )
    return DocumentReview(
        doc_id=doc_id,
        name=doc.name,
        text=doc.text,
        annotators=tuple(compared),
        spans=span_items,
        relations=rel_items,
        gold_status=store.status(doc_id, GOLD),
        allow_overlap=allow_overlap,
    )


def conflict_groups(review: DocumentReview, unsettled_only: bool = False) -> list[list[ReviewItem]]:
    """The conflict sets of a document, in reading order, for next/previous conflict.

    Each group is a connected set of items that conflict with one another (a span that
    overlaps two others joins all three), ordered by position; span groups and relation groups
    are interleaved by where they start. With ``unsettled_only`` the groups where gold already
    holds a version are left out (see :func:`is_settled`).
    """
    groups: list[list[ReviewItem]] = []
    for items in (review.spans, review.relations):
        index = {it.key: it for it in items}
        seen: set[object] = set()
        for it in items:
            if not it.conflicts_with or it.key in seen:
                continue
            stack: list[ReviewItem] = [it]
            seen.add(it.key)
            members: list[ReviewItem] = []
            while stack:
                cur = stack.pop()
                members.append(cur)
                for other in cur.conflicts_with:
                    if other not in seen and other in index:
                        seen.add(other)
                        stack.append(index[other])  # type: ignore[arg-type]
            members.sort(key=lambda m: (m.position, m.key))
            groups.append(members)
    groups.sort(key=lambda g: (g[0].position, g[0].kind != "span"))
    if unsettled_only:
        groups = [g for g in groups if not is_settled(g)]
    return groups


def is_settled(group: Sequence[ReviewItem]) -> bool:
    """True when gold holds one of the group's versions."""
    return any(it.in_gold for it in group)


# -- edits -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddRelationByKey:
    """Add a relation between the spans of ``layer`` that have these keys.

    The span ids are looked up when the edit is applied, so one :class:`Batch` can add two spans
    to gold and the relation between them. The inverse deletes the relation by id (and its
    inverse puts it back with the same id).
    """

    doc_id: int
    head: SpanKey
    child: SpanKey
    label: str
    layer: str = GOLD
    source: str = SOURCE_AGREED
    description: str = "Add relation"

    def apply(self, store: Store) -> Edit:
        ids = {sp.key: sp.id for sp in store.spans(self.doc_id, self.layer)}
        for key in (self.head, self.child):
            if ids.get(key) is None:
                raise AnnotationError(
                    f"document {self.doc_id}: relation {self.label!r} needs span {key[2]} "
                    f"{key[0]}-{key[1]} in layer {self.layer!r}, which it does not hold"
                )
        rel = Relation(
            self.doc_id, self.layer, ids[self.head] or 0, ids[self.child] or 0, self.label, source=self.source
        )
        return AddRelation(rel, description=self.description).apply(store)


def _agreed_info(spans: Iterable[Span], key: SpanKey) -> dict[str, Any]:
    """The kb id and attributes the people's spans at ``key`` carry, when they all carry the same
    (as ``Span`` keyword arguments); nothing when they differ: the reviewer sets them (``K``)."""
    infos = {(sp.kb_id, sp.attributes) for sp in spans
             if sp.key == key and sp.layer != GOLD and is_person_layer(sp.layer)}
    if len(infos) != 1:
        return {}
    kb_id, attributes = infos.pop()
    return {"kb_id": kb_id, "attributes": attributes}


def accept_agreed_edit(
    store: Store, doc_id: int, annotators: Sequence[str] | None = None, min_votes: int | None = None
) -> Edit:
    """One undoable edit copying into gold everything the compared annotators agree on.

    A span qualifies when every compared annotator holds it (or at least ``min_votes`` of them);
    spans gold already holds are skipped, and so is a qualifying span that would conflict with
    a gold span or with another qualifying span (that is a conflict for the reviewer to settle,
    see :func:`pick_edit`). A relation qualifies the same way and is copied when both its spans
    are in gold afterwards; it links gold's spans (ids resolved when the edit is applied).
    """
    review = review_document(store, doc_id, annotators)
    n = len(review.annotators)
    need = n if min_votes is None else int(min_votes)
    if need < 1:
        raise AnnotationError(f"document {review.name or doc_id}: min_votes must be at least 1, got {need}")
    if n == 0:
        return Batch((), description="Accept agreed annotations")
    gold_keys = {it.key for it in review.spans if it.in_gold}
    candidates = [it.key for it in review.spans if it.n_votes >= need and not it.in_gold]
    chosen = [
        k for k in candidates
        if not any(spans_conflict(k, g, review.allow_overlap) for g in gold_keys)
        and not any(spans_conflict(k, c, review.allow_overlap) for c in candidates)
    ]
    people = store.spans(doc_id) if chosen else []
    edits: list[Edit] = [
        AddSpan(Span(doc_id, GOLD, s, e, lab, source=SOURCE_AGREED, **_agreed_info(people, (s, e, lab))),
                description="Accept agreed span")
        for s, e, lab in chosen
    ]
    in_gold_after = gold_keys | set(chosen)
    for it in review.relations:
        if it.n_votes >= need and not it.in_gold and it.head in in_gold_after and it.child in in_gold_after:
            edits.append(AddRelationByKey(doc_id, it.head, it.child, it.label, source=SOURCE_AGREED))
    n_rel = len(edits) - len(chosen)
    return Batch(
        tuple(edits), description=f"Accept agreed annotations ({len(chosen)} spans, {n_rel} relations)"
    )


class _GoldPlan:
    """Gold's spans as they will be after the edits planned so far (for building one Batch)."""

    def __init__(self, store: Store, doc_id: int, allow_overlap: bool) -> None:
        self.doc_id = doc_id
        self.allow_overlap = allow_overlap
        # span id -> key; spans planned to be added get negative placeholder ids
        self.spans: dict[int, SpanKey] = {sp.id or 0: sp.key for sp in store.spans(doc_id, GOLD)}
        self._next_new = -1
        self.edits: list[Edit] = []
        self.deleted: set[int] = set()
        self._people: list[Span] | None = None  # every layer's spans, read when a span is added
        self._store = store

    def keys(self) -> set[SpanKey]:
        return set(self.spans.values())

    def accept_span(self, key: SpanKey) -> None:
        """Plan putting ``key`` into gold, replacing the gold spans it conflicts with.

        One conflicting gold span is changed in place (resized and/or relabelled) so that its
        relations stay attached; several are deleted (with their relations) and the new span
        added.
        """
        if key in self.keys():
            return
        clashing = [(sid, k) for sid, k in self.spans.items() if spans_conflict(k, key, self.allow_overlap)]
        if len(clashing) == 1 and clashing[0][0] > 0:
            sid, old = clashing[0]
            if (old[0], old[1]) != (key[0], key[1]):
                self.edits.append(Resize(sid, key[0], key[1], description="Pick span"))
            if old[2] != key[2]:
                self.edits.append(Relabel(sid, key[2], description="Pick span"))
            self.spans[sid] = key
            return
        for sid, _old in clashing:
            if sid < 0:
                raise AnnotationError(
                    f"document {self.doc_id}: {key[2]} {key[0]}-{key[1]} conflicts with a span picked "
                    "in the same step"
                )
            self.edits.append(DeleteSpan(sid, description="Pick span"))
            self.deleted.add(sid)
            del self.spans[sid]
        if self._people is None:
            self._people = self._store.spans(self.doc_id)
        self.edits.append(AddSpan(Span(self.doc_id, GOLD, key[0], key[1], key[2], source=SOURCE_PICKED,
                                       **_agreed_info(self._people, key)), description="Pick span"))
        self.spans[self._next_new] = key
        self._next_new -= 1


def pick_edit(store: Store, doc_id: int, item: ReviewItem, accept: bool = True) -> Edit:
    """One undoable edit settling ``item`` in gold.

    ``accept=True`` copies this version into gold, replacing the gold spans (or, for a relation,
    the gold relations between the same two spans) that conflict with it; accepting a relation
    whose spans gold lacks copies those spans too. ``accept=False`` removes the version from
    gold when gold holds it (a span takes its gold relations with it). Either way the result is
    one :class:`Batch`, empty when there is nothing to do. Gold is read afresh, so an item from
    a slightly stale :class:`DocumentReview` is fine: only its key matters.
    """
    allow_overlap = allows_overlap(store)
    if item.kind == "span":
        key: SpanKey = item.key  # type: ignore[assignment]
        if not accept:
            gold = [sp for sp in store.spans(doc_id, GOLD) if sp.key == key]
            return Batch(tuple(DeleteSpan(sp.id or 0, description="Remove span from gold") for sp in gold),
                         description="Remove span from gold")
        plan = _GoldPlan(store, doc_id, allow_overlap)
        plan.accept_span(key)
        return Batch(tuple(plan.edits), description=f"Pick {key[2]} {key[0]}-{key[1]}")

    rkey: RelationKey = item.key  # type: ignore[assignment]
    gold_spans = {sp.id: sp.key for sp in store.spans(doc_id, GOLD)}
    gold_rels = store.relations(doc_id, GOLD)
    if not accept:
        edits = tuple(
            DeleteRelation(r.id or 0, description="Remove relation from gold")
            for r in gold_rels
            if (gold_spans.get(r.head), gold_spans.get(r.child), r.label) == rkey
        )
        return Batch(edits, description="Remove relation from gold")
    plan = _GoldPlan(store, doc_id, allow_overlap)
    plan.accept_span(rkey[0])
    plan.accept_span(rkey[1])
    # Gold relations between the two spans (as they will be) that say something else go first,
    # while they still exist; relations on deleted spans go with their spans.
    rel_edits: list[Edit] = []
    exists = False
    for r in gold_rels:
        if r.head in plan.deleted or r.child in plan.deleted:
            continue
        h, c = plan.spans.get(r.head), plan.spans.get(r.child)
        if h is None or c is None:  # pragma: no cover - defensive
            continue
        if (h, c, r.label) == rkey:
            exists = True
        elif {h, c} == {rkey[0], rkey[1]}:
            rel_edits.append(DeleteRelation(r.id or 0, description="Pick relation"))
    edits: list[Edit] = [*rel_edits, *plan.edits]
    if not exists:
        edits.append(AddRelationByKey(doc_id, rkey[0], rkey[1], rkey[2], source=SOURCE_PICKED,
                                      description="Pick relation"))
    return Batch(tuple(edits), description=f"Pick relation {rkey[2]}")


def mark_reviewed_edit(store: Store, doc_id: int) -> Edit:
    """The edit marking a document reviewed: the status of annotator ``gold`` becomes done."""
    store.get_document(doc_id)  # a clear error for a missing document
    return SetStatus(doc_id, GOLD, DocumentStatus.DONE, description="Mark reviewed")


# -- progress --------------------------------------------------------------------------------
def documents_to_review(store: Store) -> list[int]:
    """The documents that need review, in id order.

    A document needs review when at least two people marked it done. When no person has
    marked any document done yet (a team that does not use "done"), every document holding a
    person's spans needs review instead. A document the reviewer marked done always counts,
    so the reviewed figure never exceeds the total.
    """
    done = done_annotators_by_document(store)
    people_done = {d: {a for a in names if is_person_layer(a)} for d, names in done.items()}
    if any(people_done.values()):
        need = {d for d, names in people_done.items() if len(names) >= 2}
    else:
        need = {d for d, layers in span_layers_by_document(store).items() if any(map(is_person_layer, layers))}
    need |= {d for d, names in done.items() if GOLD in names}
    return sorted(need)


def review_progress(store: Store) -> tuple[int, int]:
    """(documents reviewed, documents that need review); see :func:`documents_to_review`.

    Reviewed means the status of annotator ``gold`` is done.
    """
    need = documents_to_review(store)
    reviewed = set(store.done_documents(GOLD))
    return sum(1 for d in need if d in reviewed), len(need)
