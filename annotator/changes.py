"""What an operation changed (Anki's ``OpChanges``): a typed, mergeable report.

Every edit reports its :class:`Changes` (see :meth:`annotator.edits.Edit.changes`); the window
announces them on its one change signal and each view refreshes just what they name. Two reports
merge with ``|`` (a batch of edits, an edit and the status it implies, an undo of several steps).

The fields are sets of document ids (or ids of the spans and relations themselves, so that a
view can re-read exactly those) plus flags for project-wide things:

* ``spans`` / ``span_ids``: documents whose spans changed, and the spans (added, removed,
  relabelled, moved; any layer);
* ``relations`` / ``relation_ids``: the same for relations (a deleted span takes its relations
  with it: those documents are in ``relations`` too);
* ``rejections``: documents where someone rejected (or un-rejected) a suggestion;
* ``status``: documents whose per-annotator status changed;
* ``written``: the ``(document, layer)`` pairs written, so "the person's first edit of a
  document" is a question answered from the report (rejections count for the rejecting
  person's layer; a status is not a write);
* ``labels``: the label schema (names, colours, keys, order) changed;
* ``settings``: the project settings changed, by key (the guidelines are the setting
  :data:`GUIDELINES_KEY`);
* ``documents``: documents were added or removed;
* ``suggestions``: suggester layers changed in these documents (a suggestion run, propagation);
  ``all_suggestions`` when a job touched the whole corpus;
* ``annotator``: the person annotating changed (their layer is another one now).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

__all__ = ["Changes", "GUIDELINES_KEY", "NO_CHANGES"]

#: The project setting holding the annotation guidelines (Markdown text).
GUIDELINES_KEY = "guidelines"

_EMPTY: frozenset = frozenset()


@dataclass(frozen=True)
class Changes:
    """What one operation changed; ``a | b`` merges two reports (see the module docstring)."""

    spans: frozenset[int] = _EMPTY
    span_ids: frozenset[int] = _EMPTY
    relations: frozenset[int] = _EMPTY
    relation_ids: frozenset[int] = _EMPTY
    rejections: frozenset[int] = _EMPTY
    status: frozenset[int] = _EMPTY
    written: frozenset[tuple[int, str]] = _EMPTY
    suggestions: frozenset[int] = _EMPTY
    settings: frozenset[str] = _EMPTY
    labels: bool = False
    documents: bool = False
    all_suggestions: bool = False
    annotator: bool = False

    def merge(self, other: Changes) -> Changes:
        """Both reports in one (sets united, flags or-ed)."""
        if not other:
            return self
        if not self:
            return other
        return Changes(**{f.name: getattr(self, f.name) | getattr(other, f.name) for f in fields(self)})

    __or__ = merge

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @staticmethod
    def union(reports: Iterable[Changes]) -> Changes:
        """Every report in ``reports`` merged into one."""
        out = NO_CHANGES
        for r in reports:
            out = out | r
        return out

    # -- questions views ask ---------------------------------------------------------------
    @property
    def guidelines(self) -> bool:
        """The annotation guidelines changed."""
        return GUIDELINES_KEY in self.settings

    def touches_document(self, doc_id: int | None) -> bool:
        """Anything shown for ``doc_id`` (its spans, relations, rejections, status, suggestions)
        changed, or something every document shows (labels, the person)."""
        if self.labels or self.annotator or self.all_suggestions:
            return True
        if doc_id is None:
            return False
        return any(doc_id in s for s in (self.spans, self.relations, self.rejections, self.status,
                                          self.suggestions))

    def annotations_changed(self, doc_id: int | None) -> bool:
        """The annotations of ``doc_id`` (spans, relations, rejected suggestions) changed."""
        return doc_id is not None and any(doc_id in s for s in (self.spans, self.relations, self.rejections))

    def needs_reload(self, doc_id: int | None) -> bool:
        """A view of ``doc_id`` must be read afresh: the labels (colours), the person, or the
        suggestions of that document changed (not one edit's spans)."""
        return self.labels or self.annotator or self.all_suggestions or (doc_id is not None and doc_id in self.suggestions)

    def docs_written_by(self, layer: str) -> set[int]:
        """Documents in which ``layer`` was written."""
        return {d for d, lay in self.written if lay == layer}


#: The empty report.
NO_CHANGES = Changes()
