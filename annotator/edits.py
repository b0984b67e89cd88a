"""Edits are data: each one applies itself to the store and returns its inverse.

The window wraps any edit in one ``QUndoCommand`` (undo applies the inverse, redo the inverse's
inverse); review and the command line apply the same objects. Every ``apply`` is one
transaction, so when it returns the edit is on disk.

Deleting a span takes its relations with it; the inverse (:class:`RestoreSpan`) puts back the
span *and* those relations with their original ids, so undo and redo restore them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

from corpus.errors import AnnotationError
from corpus.model import DocumentStatus, Relation, Span
from corpus.store import Store

__all__ = [
    "Edit",
    "AddSpan",
    "DeleteSpan",
    "RestoreSpan",
    "Relabel",
    "Resize",
    "AddRelation",
    "DeleteRelation",
    "RelabelRelation",
    "SetStatus",
    "Reject",
    "Unreject",
    "Batch",
    "check_overlap",
]


class Edit(Protocol):
    """An edit: ``apply`` changes the store and returns the edit that undoes it."""

    description: str

    def apply(self, store: Store) -> Edit:
        """Apply to ``store`` (one transaction) and return the inverse edit."""
        ...


def check_overlap(store: Store, span: Span, ignore_id: int | None = None) -> None:
    """Refuse a span that overlaps another span of its layer, unless the project allows it.

    The project setting ``allow_overlap`` (default ``False``) lifts the rule.
    """
    if store.get_setting("allow_overlap", False):
        return
    for other in store.spans(span.doc_id, span.layer):
        if other.id == ignore_id:
            continue
        if other.overlaps(span):
            raise AnnotationError(
                f"document {span.doc_id}: {span.label} {span.start}-{span.end} overlaps "
                f"{other.label} {other.start}-{other.end} in layer {span.layer!r}"
            )


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
            added = store.add_span(self.span)
        return DeleteSpan(added.id or 0, description=self.description)

    @property
    def added_id(self) -> int | None:  # pragma: no cover - convenience for callers
        return self.span.id


@dataclass(frozen=True)
class DeleteSpan:
    """Delete a span and its relations."""

    span_id: int
    description: str = "Delete span"

    def apply(self, store: Store) -> Edit:
        removed = store.delete_span(self.span_id)
        if removed is None:
            raise AnnotationError(f"span {self.span_id} no longer exists")
        span, relations = removed
        return RestoreSpan(span, tuple(relations), description=self.description)


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
        return DeleteSpan(self.span.id or 0, description=self.description)


@dataclass(frozen=True)
class Relabel:
    """Give a span another label (its relations stay attached)."""

    span_id: int
    label: str
    description: str = "Relabel span"

    def apply(self, store: Store) -> Edit:
        old = store.get_span(self.span_id)
        if old is None:
            raise AnnotationError(f"span {self.span_id} no longer exists")
        store.update_span(self.span_id, label=self.label)
        return Relabel(self.span_id, old.label, description=self.description)


@dataclass(frozen=True)
class Resize:
    """Move a span's boundaries (overlap rule checked)."""

    span_id: int
    start: int
    end: int
    description: str = "Resize span"

    def apply(self, store: Store) -> Edit:
        old = store.get_span(self.span_id)
        if old is None:
            raise AnnotationError(f"span {self.span_id} no longer exists")
        with store.transaction():
            check_overlap(store, replace(old, start=self.start, end=self.end), ignore_id=old.id)
            store.update_span(self.span_id, start=self.start, end=self.end)
        return Resize(self.span_id, old.start, old.end, description=self.description)


@dataclass(frozen=True)
class AddRelation:
    """Add a relation between two spans of the same layer."""

    relation: Relation
    description: str = "Add relation"

    def apply(self, store: Store) -> Edit:
        if self.relation.head == self.relation.child:
            raise AnnotationError("a relation needs two different spans")
        added = store.add_relation(self.relation)
        return DeleteRelation(added.id or 0, description=self.description)


@dataclass(frozen=True)
class DeleteRelation:
    """Delete a relation."""

    relation_id: int
    description: str = "Delete relation"

    def apply(self, store: Store) -> Edit:
        rel = store.delete_relation(self.relation_id)
        if rel is None:
            raise AnnotationError(f"relation {self.relation_id} no longer exists")
        return AddRelation(rel, description=self.description)


@dataclass(frozen=True)
class RelabelRelation:
    """Give a relation another label."""

    relation_id: int
    label: str
    description: str = "Relabel relation"

    def apply(self, store: Store) -> Edit:
        old = store.get_relation(self.relation_id)
        if old is None:
            raise AnnotationError(f"relation {self.relation_id} no longer exists")
        store.update_relation(self.relation_id, self.label)
        return RelabelRelation(self.relation_id, old.label, description=self.description)


@dataclass(frozen=True)
class SetStatus:
    """Set an annotator's status for a document."""

    doc_id: int
    annotator: str
    status: DocumentStatus
    description: str = "Set status"

    def apply(self, store: Store) -> Edit:
        prev = store.set_status(self.doc_id, self.annotator, self.status)
        return SetStatus(self.doc_id, self.annotator, prev, description=self.description)


@dataclass(frozen=True)
class Reject:
    """Remember that a person rejected a suggestion (it is never proposed to them again)."""

    doc_id: int
    annotator: str
    start: int
    end: int
    label: str
    description: str = "Reject suggestion"

    def apply(self, store: Store) -> Edit:
        store.add_rejection(self.doc_id, self.annotator, self.start, self.end, self.label)
        return Unreject(self.doc_id, self.annotator, self.start, self.end, self.label, self.description)


@dataclass(frozen=True)
class Unreject:
    """Forget a rejection (the inverse of :class:`Reject`)."""

    doc_id: int
    annotator: str
    start: int
    end: int
    label: str
    description: str = "Reject suggestion"

    def apply(self, store: Store) -> Edit:
        store.remove_rejection(self.doc_id, self.annotator, self.start, self.end, self.label)
        return Reject(self.doc_id, self.annotator, self.start, self.end, self.label, self.description)


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
