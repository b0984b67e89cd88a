"""Edits are data: each one applies itself to the store and returns its inverse.

The window wraps any edit in one ``QUndoCommand`` (undo applies the inverse, redo the inverse's
inverse); review and the command line apply the same objects. Every ``apply`` is one
transaction, so when it returns the edit is on disk.

Deleting a span takes its relations with it; the inverse (:class:`RestoreSpan`) puts back the
span *and* those relations with their original ids, so undo and redo restore them exactly.

Every edit also says what it changed: ``edit.changes(inverse)`` (the inverse ``apply`` returned
knows what the edit alone cannot, such as a new span's id) is a :class:`~annotator.changes.Changes`
report; :func:`apply_edit` returns both at once. A store error while another program holds the
write lock arrives as :class:`~corpus.errors.ProjectLockedError` (each ``apply`` runs inside
the store's transaction), never as a raw ``sqlite3.OperationalError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

from annotator.changes import NO_CHANGES, Changes
from corpus.errors import AnnotationError
from corpus.model import Attributes, DocumentStatus, Relation, Span
from corpus.store import Store
from corpus.settings import allows_overlap

__all__ = [
    "Edit",
    "AddSpan",
    "DeleteSpan",
    "RestoreSpan",
    "Relabel",
    "SetSpanInfo",
    "Resize",
    "AddRelation",
    "DeleteRelation",
    "RelabelRelation",
    "SetStatus",
    "Reject",
    "Unreject",
    "Batch",
    "check_overlap",
    "apply_edit",
    "edit_changes",
    "rejection_changes",
]


class Edit(Protocol):
    """An edit: ``apply`` changes the store and returns the edit that undoes it; ``changes``
    reports what that application changed."""

    description: str

    def apply(self, store: Store) -> Edit:
        """Apply to ``store`` (one transaction) and return the inverse edit."""
        ...

    def changes(self, inverse: Edit) -> Changes:
        """What applying this edit changed, given the ``inverse`` its ``apply`` returned."""
        ...


def edit_changes(edit: Edit, inverse: Edit) -> Changes:
    """``edit.changes(inverse)``; an edit from elsewhere that does not report its changes is
    taken to have changed the annotations, relations and status of every document it names
    (``doc_id``), or, naming none, the labels as well."""
    own = getattr(edit, "changes", None)
    if callable(own):
        return own(inverse)
    doc = getattr(edit, "doc_id", None)
    if isinstance(doc, int):
        docs = frozenset({doc})
        return Changes(spans=docs, relations=docs, status=docs, rejections=docs)
    return Changes(labels=True, all_suggestions=True)


def apply_edit(store: Store, edit: Edit) -> tuple[Edit, Changes]:
    """Apply ``edit`` (one transaction); returns its inverse and what it changed."""
    inverse = edit.apply(store)
    return inverse, edit_changes(edit, inverse)


def _span_changes(span: Span | None, span_id: int | None, relations: tuple[Relation, ...] = ()) -> Changes:
    """A span changed (and, deleted or restored, the relations it took with it)."""
    if span is None or span.doc_id is None:
        return NO_CHANGES
    doc = frozenset({span.doc_id})
    return Changes(spans=doc, span_ids=frozenset({span_id}) if span_id is not None else frozenset(),
                   relations=doc if relations else frozenset(),
                   relation_ids=frozenset(r.id for r in relations if r.id is not None),
                   written=frozenset({(span.doc_id, span.layer)}))


def _relation_changes(rel: Relation | None, rel_id: int | None) -> Changes:
    if rel is None or rel.doc_id is None:
        return NO_CHANGES
    return Changes(relations=frozenset({rel.doc_id}),
                   relation_ids=frozenset({rel_id}) if rel_id is not None else frozenset(),
                   written=frozenset({(rel.doc_id, rel.layer)}))


def check_overlap(store: Store, span: Span, ignore_id: int | None = None) -> None:
    """Refuse a span that overlaps another span of its layer, unless the project allows it.

    The project setting ``allow_overlap`` (default ``False``) lifts the rule.
    """
    if allows_overlap(store):
        return
    other = store.first_overlapping_span(span.doc_id, span.layer, span.start, span.end, ignore_id)
    if other is not None:
        raise AnnotationError(
            f"document {span.doc_id}: {span.label} {span.start}-{span.end} overlaps "
            f"{other.label} {other.start}-{other.end} in layer {span.layer!r}"
        )


def _existing_span(store: Store, span_id: int) -> Span:
    span = store.get_span(span_id)
    if span is None:
        raise AnnotationError(f"span {span_id} no longer exists")
    return span


def _existing_relation(store: Store, relation_id: int) -> Relation:
    rel = store.get_relation(relation_id)
    if rel is None:
        raise AnnotationError(f"relation {relation_id} no longer exists")
    return rel


@dataclass(frozen=True)
class AddSpan:
    """Add a span (refused when it overlaps another in its layer and overlaps are off)."""

    span: Span
    check: bool = True
    description: str = "Add span"

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            if self.check:
                check_overlap(store, self.span)
            [(added, created)] = store.insert_spans([self.span])
        if not created:
            # The layer already held this span: undoing must not delete the one that was there.
            return Batch((), description=self.description)
        return DeleteSpan(added.id or 0, description=self.description, span=added)

    def changes(self, inverse: Edit) -> Changes:
        if not isinstance(inverse, DeleteSpan):  # the layer already held it: nothing changed
            return NO_CHANGES
        return _span_changes(self.span, inverse.span_id)

    @property
    def added_id(self) -> int | None:  # pragma: no cover - convenience for callers
        return self.span.id


@dataclass(frozen=True)
class DeleteSpan:
    """Delete a span and its relations."""

    span_id: int
    description: str = "Delete span"
    #: the span as it was added (filled in by :class:`AddSpan`'s inverse; informative only)
    span: Span | None = field(default=None, compare=False)

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            removed = store.delete_span(self.span_id)
        if removed is None:
            raise AnnotationError(f"span {self.span_id} no longer exists")
        span, relations = removed
        return RestoreSpan(span, tuple(relations), description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        if not isinstance(inverse, RestoreSpan):
            return NO_CHANGES
        return _span_changes(inverse.span, self.span_id, inverse.relations)


@dataclass(frozen=True)
class RestoreSpan:
    """Put back a deleted span and the relations it took with it, with their ids."""

    span: Span
    relations: tuple[Relation, ...] = ()
    description: str = "Restore span"

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            store.add_span(self.span)
            # A relation whose other end is also gone (deleted in the same batch) is restored
            # by that batch's own inverse, in order.
            present = [r for r in self.relations if store.get_span(r.head) and store.get_span(r.child)]
            store.add_relations(present)
        return DeleteSpan(self.span.id or 0, description=self.description, span=self.span)

    def changes(self, inverse: Edit) -> Changes:
        return _span_changes(self.span, self.span.id, self.relations)


@dataclass(frozen=True)
class Relabel:
    """Give a span another label (its relations stay attached)."""

    span_id: int
    label: str
    description: str = "Relabel span"
    #: the span before the edit (filled in on the inverse: says where the edit happened)
    before: Span | None = field(default=None, compare=False)

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            old = _existing_span(store, self.span_id)
            store.update_span(self.span_id, label=self.label)
        return Relabel(self.span_id, old.label, description=self.description, before=replace(old, label=self.label))

    def changes(self, inverse: Edit) -> Changes:
        return _span_changes(getattr(inverse, "before", None), self.span_id)


@dataclass(frozen=True)
class SetSpanInfo:
    """Set a span's knowledge-base id and attributes (both replaced; offsets, label and relations
    stay). Its inverse puts back the previous ones."""

    span_id: int
    kb_id: str
    attributes: Attributes = ()
    description: str = "Set span kb id / attributes"
    #: the span after the edit (filled in on the inverse: says where the edit happened)
    before: Span | None = field(default=None, compare=False)

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            old = _existing_span(store, self.span_id)
            new = store.set_span_info(self.span_id, self.kb_id, self.attributes)
        return SetSpanInfo(self.span_id, old.kb_id, old.attributes, description=self.description, before=new)

    def changes(self, inverse: Edit) -> Changes:
        return _span_changes(getattr(inverse, "before", None), self.span_id)


@dataclass(frozen=True)
class Resize:
    """Move a span's boundaries (overlap rule checked)."""

    span_id: int
    start: int
    end: int
    description: str = "Resize span"
    #: the span before the edit (filled in on the inverse)
    before: Span | None = field(default=None, compare=False)

    def apply(self, store: Store) -> Edit:
        old = _existing_span(store, self.span_id)
        try:
            resized = replace(old, start=self.start, end=self.end)
        except ValueError as exc:  # offsets out of order: refused like any other rule
            raise AnnotationError(f"document {old.doc_id}: span {self.span_id}: {exc}") from None
        with store.transaction():
            check_overlap(store, resized, ignore_id=old.id)
            store.update_span(self.span_id, start=self.start, end=self.end)
        return Resize(self.span_id, old.start, old.end, description=self.description, before=resized)

    def changes(self, inverse: Edit) -> Changes:
        return _span_changes(getattr(inverse, "before", None), self.span_id)


@dataclass(frozen=True)
class AddRelation:
    """Add a relation between two spans of the same layer."""

    relation: Relation
    description: str = "Add relation"

    def apply(self, store: Store) -> Edit:
        if self.relation.head == self.relation.child:
            raise AnnotationError("a relation needs two different spans")
        with store.transaction():
            [(added, created)] = store.insert_relations([self.relation])
        if not created:
            # The layer already held this relation: undoing must not delete the one that was there.
            return Batch((), description=self.description)
        return DeleteRelation(added.id or 0, description=self.description, relation=added)

    def changes(self, inverse: Edit) -> Changes:
        if not isinstance(inverse, DeleteRelation):
            return NO_CHANGES
        return _relation_changes(self.relation, inverse.relation_id)


@dataclass(frozen=True)
class DeleteRelation:
    """Delete a relation."""

    relation_id: int
    description: str = "Delete relation"
    #: the relation as it was added (filled in by :class:`AddRelation`'s inverse)
    relation: Relation | None = field(default=None, compare=False)

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            rel = store.delete_relation(self.relation_id)
        if rel is None:
            raise AnnotationError(f"relation {self.relation_id} no longer exists")
        return AddRelation(rel, description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        return _relation_changes(getattr(inverse, "relation", None), self.relation_id)


@dataclass(frozen=True)
class RelabelRelation:
    """Give a relation another label."""

    relation_id: int
    label: str
    description: str = "Relabel relation"
    #: the relation before the edit (filled in on the inverse)
    before: Relation | None = field(default=None, compare=False)

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            old = _existing_relation(store, self.relation_id)
            store.update_relation(self.relation_id, self.label)
        return RelabelRelation(self.relation_id, old.label, description=self.description, before=old)

    def changes(self, inverse: Edit) -> Changes:
        return _relation_changes(getattr(inverse, "before", None), self.relation_id)


@dataclass(frozen=True)
class SetStatus:
    """Set an annotator's status for a document."""

    doc_id: int
    annotator: str
    status: DocumentStatus
    description: str = "Set status"

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            prev = store.set_status(self.doc_id, self.annotator, self.status)
        return SetStatus(self.doc_id, self.annotator, prev, description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        return Changes(status=frozenset({self.doc_id}))


@dataclass(frozen=True)
class _RejectionEdit:
    """A rejected suggestion: (document, annotator, start, end, label)."""

    doc_id: int
    annotator: str
    start: int
    end: int
    label: str
    description: str = "Reject suggestion"

    @property
    def _key(self) -> tuple[int, str, int, int, str]:
        return (self.doc_id, self.annotator, self.start, self.end, self.label)

    def changes(self, inverse: Edit) -> Changes:
        return rejection_changes(self.doc_id, self.annotator, inverse)


def rejection_changes(doc_id: int, annotator: str, inverse: Edit) -> Changes:
    """What a rejection (or its undoing) changed: the person's rejections in that document, a
    write of their layer; nothing when it was already so (the inverse is then an empty batch)."""
    if isinstance(inverse, Batch):
        return NO_CHANGES
    return Changes(rejections=frozenset({doc_id}), written=frozenset({(doc_id, annotator)}))


@dataclass(frozen=True)
class Reject(_RejectionEdit):
    """Remember that a person rejected a suggestion (it is never proposed to them again)."""

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            added = store.add_rejection(*self._key)
        if not added:
            # Already rejected: undoing must not forget the earlier rejection.
            return Batch((), description=self.description)
        return Unreject(*self._key, self.description)


@dataclass(frozen=True)
class Unreject(_RejectionEdit):
    """Forget a rejection (the inverse of :class:`Reject`)."""

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            store.remove_rejection(*self._key)
        return Reject(*self._key, self.description)


@dataclass(frozen=True)
class Batch:
    """Several edits applied as one (one transaction, one undo step).

    The inverse applies the parts' inverses in reverse order.
    """

    edits: tuple[Edit, ...] = field(default_factory=tuple)
    description: str = "Edit"

    def apply(self, store: Store) -> Edit:
        inverses: list[Edit] = []
        with store.transaction():
            for e in self.edits:
                inverses.append(e.apply(store))
        return Batch(tuple(reversed(inverses)), description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        parts = getattr(inverse, "edits", ())
        return Changes.union(edit_changes(e, inv) for e, inv in zip(self.edits, reversed(parts)))
