"""Edits of the label schema and the project settings (each one undoable, like span edits).

Adding, renaming, recolouring (or re-keying, re-describing), reordering and deleting a label,
and changing a project setting (the guidelines are one) are :class:`~annotator.edits.Edit`
objects: ``apply`` runs in one transaction and returns the inverse, ``changes`` reports
``labels`` (or the setting's key) so every view refreshes from the report.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from annotator.changes import NO_CHANGES, Changes
from annotator.edits import Edit
from corpus.errors import AnnotationError, CorpusError
from corpus.model import Label, LabelKind
from corpus.store import Store

__all__ = ["AddLabel", "UpdateLabel", "RenameLabel", "DeleteLabel", "ReorderLabels", "SetSetting"]

_LABELS = Changes(labels=True)


def _find(store: Store, kind: LabelKind | str, name: str) -> Label | None:
    return next((lab for lab in store.labels(kind) if lab.name == name), None)


@dataclass(frozen=True)
class AddLabel:
    """Add a label to the schema (at the end, or at the place ``order`` gives it)."""

    label: Label
    order: tuple[str, ...] = ()
    description: str = "Add label"

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            if _find(store, self.label.kind, self.label.name) is not None:
                raise AnnotationError(f"a {LabelKind(self.label.kind).value} label named {self.label.name!r} already exists")
            store.set_labels([self.label])
            if self.order:
                store.reorder_labels(self.label.kind, list(self.order))
        return DeleteLabel(LabelKind(self.label.kind), self.label.name, description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        return _LABELS


@dataclass(frozen=True)
class UpdateLabel:
    """Change a label's colour, hotkey or description (its name and kind say which label)."""

    label: Label
    description: str = "Change label"

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            old = _find(store, self.label.kind, self.label.name)
            if old is None:
                raise AnnotationError(f"there is no {LabelKind(self.label.kind).value} label {self.label.name!r}")
            store.set_labels([self.label])
        return UpdateLabel(old, description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        return _LABELS


@dataclass(frozen=True)
class RenameLabel:
    """Rename a label and every annotation carrying it."""

    kind: LabelKind
    old: str
    new: str
    description: str = "Rename label"

    def apply(self, store: Store) -> Edit:
        try:
            store.rename_label(self.kind, self.old, self.new)
        except CorpusError:
            raise
        except sqlite3.IntegrityError as exc:  # annotations already carry the new name
            raise AnnotationError(
                f"cannot rename {LabelKind(self.kind).value} label {self.old!r} to {self.new!r}: {exc}"
            ) from exc
        return RenameLabel(self.kind, self.new, self.old, self.description)

    def changes(self, inverse: Edit) -> Changes:
        if self.old == self.new:
            return NO_CHANGES
        # every document may carry the label: a report of ``labels`` has every view re-read
        return _LABELS


@dataclass(frozen=True)
class DeleteLabel:
    """Remove an unused label (refused while annotations use it)."""

    kind: LabelKind
    name: str
    description: str = "Delete label"

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            old = _find(store, self.kind, self.name)
            if old is None:
                raise AnnotationError(f"there is no {LabelKind(self.kind).value} label {self.name!r}")
            order = tuple(store.label_names(self.kind))
            store.delete_label(self.kind, self.name)
        return AddLabel(old, order=order, description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        return _LABELS


@dataclass(frozen=True)
class ReorderLabels:
    """Set the palette order of one kind's labels."""

    kind: LabelKind
    names: tuple[str, ...]
    description: str = "Reorder labels"

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            old = tuple(store.label_names(self.kind))
            store.reorder_labels(self.kind, list(self.names))
        return ReorderLabels(self.kind, old, description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        return _LABELS


@dataclass(frozen=True)
class SetSetting:
    """Set a project setting (a JSON value); the guidelines are the setting ``guidelines``."""

    key: str
    value: Any
    description: str = "Change setting"

    def apply(self, store: Store) -> Edit:
        with store.transaction():
            old = store.get_setting(self.key)
            store.set_setting(self.key, self.value)
        return SetSetting(self.key, old, description=self.description)

    def changes(self, inverse: Edit) -> Changes:
        return Changes(settings=frozenset({self.key}))
