"""Merging project files: annotators working in their own copies, brought into one project.

``merge_job(store, other_paths)`` reads each other project file (opened read-only as a second
:class:`~corpus.store.Store`, see :func:`corpus.store.open_other_project`: never migrated,
never switched to WAL, never written) and writes into
``store`` inside ONE transaction: every file merges, or nothing does (a conflict, a foreign
file, Ctrl-C or closing the generator early leave the project exactly as it was).

What is brought over, and how
-----------------------------
Documents
    Matched by content hash. A new one is copied with its name, text, meta, tokens and
    sentences; for a matched one the project keeps its own name and tokens, and meta keys it
    lacks are added (its own values win).
Labels, annotators, layers, patterns
    Union; the project's own label colours, hotkeys and descriptions win. Project settings are
    not merged (they stay the project's).
Person layers and ``gold``, per document
    (A reviewer working in their own file is one more annotator to the merge.) A side has *worked on* a layer on a document when it holds spans or relations there, or a
    status ``done``/``skipped`` (a document confirmed to have no entities). When only the other
    file has worked on it, its spans and relations are copied (span and document ids remapped).
    When both have and their annotations are equal (same ``(start, end, label)`` spans and the
    same relations between them; ids, sources and scores aside) nothing changes. When they
    differ it is a conflict: :class:`~corpus.errors.MergeConflictError` naming the annotator,
    the document and both files, unless ``prefer`` says which side wins: ``"ours"`` keeps the
    project's layer (and status) on that document, ``"theirs"`` replaces it with the other
    file's (and its status). With several files ``theirs`` means the later file wins.
Suggester layers (``model:...``, ``patterns``, ``match:...``)
    Union of spans and relations (machine output; never a conflict).
Statuses
    Where no conflict was resolved, the more advanced status wins, in the order
    todo < in_progress < skipped < done.
Rejections and suggestion bookkeeping
    Union.

Merging the same file again changes nothing: every write above is skipped when the project
already holds what it would write (timestamps included).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from annotator.progress import Progress, drain
from corpus.errors import MergeConflictError, ProjectError
from corpus.model import Document, DocumentStatus, Relation, Span, is_suggester_layer
from corpus.store import Store, open_other_project
from corpus.store.layers import document_rejections, document_statuses, layer_descriptions
from corpus.store.reports import out_of_range_spans

__all__ = ["Prefer", "MergeConflict", "MergeReport", "merge_job", "merge_projects", "STATUS_ORDER"]

Prefer = Literal["ours", "theirs"]

#: How far along a status is; the merge keeps the more advanced one.
STATUS_ORDER: dict[DocumentStatus, int] = {
    DocumentStatus.TODO: 0,
    DocumentStatus.IN_PROGRESS: 1,
    DocumentStatus.SKIPPED: 2,
    DocumentStatus.DONE: 3,
}

_WORKED = (DocumentStatus.DONE, DocumentStatus.SKIPPED)

_SpanKey = tuple[int, int, str]
_RelKey = tuple[_SpanKey, _SpanKey, str]


@dataclass(frozen=True)
class MergeConflict:
    """The same annotator's different annotations of one document in two files.

    ``project`` is the file holding the project's side: the project itself, or the earlier file
    of the same merge that brought that layer in; ``other`` is the file being merged.
    """

    annotator: str
    document: str
    project: str
    other: str
    resolved: Prefer | None = None

    def message(self) -> str:
        """One line naming the annotator, the document and both files."""
        return (
            f"annotator {self.annotator!r} has different annotations of document {self.document!r} "
            f"in {self.project} and {self.other}"
        )


@dataclass
class MergeReport:
    """What a merge brought into the project."""

    project: str
    files: list[str] = field(default_factory=list)
    documents_added: int = 0
    documents_matched: int = 0
    documents_meta_updated: int = 0
    spans_added: int = 0
    spans_removed: int = 0
    relations_added: int = 0
    statuses_changed: int = 0
    labels_added: int = 0
    annotators_added: int = 0
    layers_added: int = 0
    patterns_added: int = 0
    rejections_added: int = 0
    suggestions_marked: int = 0
    conflicts_resolved: list[MergeConflict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the merge wrote anything."""
        return any((
            self.documents_added, self.documents_meta_updated, self.spans_added, self.spans_removed,
            self.relations_added, self.statuses_changed, self.labels_added, self.annotators_added,
            self.layers_added, self.patterns_added, self.rejections_added, self.suggestions_marked,
        ))

    def summary(self) -> str:
        """One line for the command line and the window's status bar."""
        text = (
            f"merged {_n(len(self.files), 'file')} into {self.project}: "
            f"{_n(self.documents_added, 'new document')}, {self.documents_matched} matched; "
            f"{_n(self.spans_added, 'span')} and {_n(self.relations_added, 'relation')} added; "
            f"{_n(self.statuses_changed, 'status', 'statuses')} updated"
        )
        if self.conflicts_resolved:
            side = self.conflicts_resolved[0].resolved
            text += f"; {_n(len(self.conflicts_resolved), 'conflict')} resolved ({side} won)"
        if not self.changed:
            text += " (nothing new)"
        return text

    def to_json(self) -> dict[str, object]:
        """A plain dict for ``--json``."""
        out: dict[str, object] = {
            k: v for k, v in self.__dict__.items() if k != "conflicts_resolved"
        }
        out["conflicts_resolved"] = [
            {"annotator": c.annotator, "document": c.document, "file": c.other, "winner": c.resolved}
            for c in self.conflicts_resolved
        ]
        return out


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def merge_projects(store: Store, other_paths: Sequence[str | Path], prefer: Prefer | None = None) -> MergeReport:
    """Merge other project files into ``store`` without progress reporting (see :func:`merge_job`)."""
    report = drain(merge_job(store, other_paths, prefer))
    assert isinstance(report, MergeReport)
    return report


def merge_job(
    store: Store, other_paths: Sequence[str | Path], prefer: Prefer | None = None
) -> Generator[Progress, None, MergeReport]:
    """Merge other project files into ``store``: a job yielding one progress step per document.

    All files are opened (and checked) first; then everything is written in one transaction,
    committed only when the generator finishes. Raises :class:`MergeConflictError` (nothing
    written) when an annotator's layer differs on a document and ``prefer`` is ``None``; the
    message names the first conflict and counts the others (the error's ``conflicts`` attribute
    lists every :class:`MergeConflict`). A foreign, older or newer file
    raises the Store's :class:`~corpus.errors.ProjectError`.
    """
    if prefer not in (None, "ours", "theirs"):
        raise ValueError(f"prefer must be 'ours', 'theirs' or None, not {prefer!r}")
    paths = [str(p) for p in other_paths]
    report = MergeReport(project=store.path, files=paths)
    own = _resolved(store.path)
    others: list[Store] = []
    try:
        for p in paths:
            if own is not None and _resolved(p) == own:
                raise ProjectError(f"{p}: is the project itself; nothing to merge")
            others.append(open_other_project(p))
            _check_contents(others[-1], p)
        total = sum(o.count_documents() for o in others)
        done = 0
        yield Progress(0, total, message="merging")
        conflicts: list[MergeConflict] = []
        # (layer, project doc id) -> the file that wrote it during this merge, so a conflict
        # between two of the merged files names those two files
        origin: dict[tuple[str, int], str] = {}
        with store.transaction():
            for path, other in zip(paths, others):
                _merge_schema(store, other, report)
                for odoc in other.iter_documents():
                    _merge_document(store, other, odoc, path, prefer, report, conflicts, origin)
                    done += 1
                    yield Progress(done, total, message=Path(path).name)
            if conflicts:
                first = conflicts[0]
                more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
                error = MergeConflictError(
                    f"{first.message()}{more}; nothing was merged; choose a side with --prefer ours|theirs"
                )
                error.conflicts = conflicts  # type: ignore[attr-defined]  # every one, for the window
                raise error
    finally:
        for o in others:
            o.close()
    return report


def _check_contents(other: Store, path: str) -> None:
    """Refuse a file holding spans that do not fit their document's text (nothing merged)."""
    bad = out_of_range_spans(other, limit=2)
    if bad:
        more = " (and more)" if len(bad) > 1 else ""
        raise ProjectError(f"{path}: {bad[0].message()}{more}; nothing was merged")


def _resolved(path: str) -> Path | None:
    if path == ":memory:":
        return None
    try:
        return Path(path).resolve()
    except OSError:  # pragma: no cover
        return None


def _merge_schema(store: Store, other: Store, report: MergeReport) -> None:
    ours = {(lab.name, lab.kind) for lab in store.labels()}
    missing = [lab for lab in other.labels() if (lab.name, lab.kind) not in ours]
    if missing:
        store.set_labels(missing)
        report.labels_added += len(missing)
    have = set(store.layers())
    for name, description in sorted(layer_descriptions(other).items()):
        if name not in have:
            store.ensure_layer(name, description)
            report.layers_added += 1
    people = set(store.annotators())
    for name in other.annotators():
        if name not in people:
            store.add_annotator(name)
            report.annotators_added += 1
    own_patterns = store.patterns()
    new_patterns = [p for p in other.patterns() if p not in own_patterns]
    if new_patterns:
        store.set_patterns(new_patterns, replace_all=False)
        report.patterns_added += len(new_patterns)


def _annotations(spans: Sequence[Span], relations: Sequence[Relation]) -> tuple[frozenset[_SpanKey], frozenset[_RelKey]]:
    keys = {sp.id: sp.key for sp in spans}
    rels = frozenset(
        (keys[r.head], keys[r.child], r.label) for r in relations if r.head in keys and r.child in keys
    )
    return frozenset(keys.values()), rels


def _copy_layer(
    store: Store, doc_id: int, spans: Sequence[Span], relations: Sequence[Relation], report: MergeReport
) -> None:
    """Copy a layer's spans and relations onto ``doc_id``, skipping what the project holds."""
    if not spans:
        return
    layer = spans[0].layer
    before = {sp.key for sp in store.spans(doc_id, layer)}
    added = store.add_spans([replace(sp, id=None, doc_id=doc_id) for sp in spans])
    report.spans_added += sum(1 for sp in spans if sp.key not in before)
    id_map = {old.id: new.id for old, new in zip(spans, added)}
    have = {(r.head, r.child, r.label) for r in store.relations(doc_id, layer)}
    new_rels = []
    for r in relations:
        head, child = id_map.get(r.head), id_map.get(r.child)
        if head is None or child is None or (head, child, r.label) in have:
            continue
        new_rels.append(replace(r, id=None, doc_id=doc_id, head=head, child=child))
        have.add((head, child, r.label))
    if new_rels:
        store.add_relations(new_rels)
        report.relations_added += len(new_rels)


def _merge_document(
    store: Store,
    other: Store,
    odoc: Document,
    path: str,
    prefer: Prefer | None,
    report: MergeReport,
    conflicts: list[MergeConflict],
    origin: dict[tuple[str, int], str],
) -> None:
    pid = store.document_id_by_hash(odoc.hash)
    if pid is None:
        pid = store.add_documents([replace(odoc, id=None)])[0][0]
        report.documents_added += 1
        name = odoc.name
    else:
        report.documents_matched += 1
        pdoc = store.get_document(pid)
        name = pdoc.name
        meta = {**dict(odoc.meta), **dict(pdoc.meta)}
        if meta != dict(pdoc.meta):
            store.set_document_meta(pid, meta)
            report.documents_meta_updated += 1
    name = name or f"#{pid} ({odoc.hash[:12]})"
    assert odoc.id is not None

    o_spans: dict[str, list[Span]] = defaultdict(list)
    o_rels: dict[str, list[Relation]] = defaultdict(list)
    for sp in other.spans(odoc.id):
        o_spans[sp.layer].append(sp)
    for r in other.relations(odoc.id):
        o_rels[r.layer].append(r)
    o_status = document_statuses(other, odoc.id)
    p_spans: dict[str, list[Span]] = defaultdict(list)
    p_rels: dict[str, list[Relation]] = defaultdict(list)
    for sp in store.spans(pid):
        p_spans[sp.layer].append(sp)
    for r in store.relations(pid):
        p_rels[r.layer].append(r)
    p_status = document_statuses(store, pid)

    for layer in sorted(set(o_spans) | set(o_rels) | set(o_status)):
        theirs = _annotations(o_spans[layer], o_rels[layer])
        if is_suggester_layer(layer):
            _copy_layer(store, pid, o_spans[layer], o_rels[layer], report)
            target = _more_advanced(p_status.get(layer), o_status.get(layer))
        else:
            ours = _annotations(p_spans[layer], p_rels[layer])
            t_status = o_status.get(layer, DocumentStatus.TODO)
            p_st = p_status.get(layer, DocumentStatus.TODO)
            they_worked = bool(theirs[0] or theirs[1]) or t_status in _WORKED
            we_worked = bool(ours[0] or ours[1]) or p_st in _WORKED
            if not they_worked or not we_worked or ours == theirs:
                if they_worked and ours != theirs:
                    _copy_layer(store, pid, o_spans[layer], o_rels[layer], report)
                    origin[(layer, pid)] = path
                target = _more_advanced(p_status.get(layer), o_status.get(layer))
            else:
                conflict = MergeConflict(layer, name, origin.get((layer, pid), store.path), path, prefer)
                if prefer is None:
                    conflicts.append(conflict)
                    continue
                report.conflicts_resolved.append(conflict)
                if prefer == "ours":
                    continue
                report.spans_removed += store.delete_layer_annotations(layer, [pid])
                _copy_layer(store, pid, o_spans[layer], o_rels[layer], report)
                origin[(layer, pid)] = path
                target = t_status
        if target != p_status.get(layer, DocumentStatus.TODO):
            store.set_status(pid, layer, target)
            report.statuses_changed += 1

    new_rejections = document_rejections(other, odoc.id) - document_rejections(store, pid)
    for annotator, start, end, label in sorted(new_rejections):
        store.add_rejection(pid, annotator, start, end, label)
    report.rejections_added += len(new_rejections)

    have_suggested = set(store.suggested_layers(pid))
    for layer in other.suggested_layers(odoc.id):
        if layer not in have_suggested:
            store.mark_suggested([pid], layer)
            report.suggestions_marked += 1


def _more_advanced(a: DocumentStatus | None, b: DocumentStatus | None) -> DocumentStatus:
    a = a or DocumentStatus.TODO
    b = b or DocumentStatus.TODO
    return a if STATUS_ORDER[a] >= STATUS_ORDER[b] else b

