"""What a person still has to decide, and the edits that decide (the pending-suggestion rule).

The one place for the rule, used by the window, review and the command line alike.

**Candidates** (:func:`suggestion_candidates`): the spans of every suggester layer shown to the
person (:func:`~annotator.suggesters.registry.is_suggester_layer`: every model and pattern layer,
their own ``match:<person>`` layer), one per (start, end, label), the source with the smallest
registry priority naming it (patterns, then match, then model).

**Decided** (:func:`undecided` keeps the others): a suggestion is decided for a person, and so is
never shown again nor accepted by :func:`accept_all_edit`, when

* the person rejected it (the same start, end and label are in their rejections), or
* a span of the person's layer overlaps it: they accepted it, accepted it corrected (relabelled
  or resized), or drew their own span over that stretch. When the project allows overlapping
  spans (setting ``allow_overlap``), only a span of the same label, or with exactly the same
  offsets, decides it: nested entities of other labels stay open.

**Weak** suggestions are hidden: a suggestion carrying a model score below the project setting
``suggestion_threshold`` (:func:`suggestion_threshold`; missing or 0: nothing hidden) is never
pending (:func:`undecided` with ``threshold``, :func:`pending_suggestions`). A suggestion without
a score (pattern rules, propagation) is never hidden by it. The same rule (:func:`strong_enough`)
hides weak relation suggestions (:func:`annotator.suggesters.relations.undecided_relations`).

A deleted span leaves no span behind, so deleting goes through :func:`delete_span_edit`: it
deletes the span and rejects, for that person, every suggestion that the span decided (every
candidate overlapping it by the rule above, whatever the layer). Undo restores the span and
forgets exactly those rejections. A suggestion that a *later* suggester run proposes over the
same stretch with other offsets or another label is new, and shown.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from corpus.errors import AnnotationError
from corpus.model import Span, is_person_layer
from corpus.store import Store
from corpus.settings import allows_overlap

from annotator.edits import AddSpan, Batch, DeleteSpan, Edit, Reject, check_overlap
from annotator.suggesters.registry import is_suggester_layer, layer_priority

__all__ = [
    "THRESHOLD_SETTING", "Scored", "suggestion_threshold", "strong_enough",
    "suggestion_priority", "suggestion_candidates", "undecided", "pending_suggestions",
    "accept_edit", "accept_corrected_edit", "reject_edit", "accept_all_edit", "delete_span_edit",
]

#: Project setting: suggestions with a model score below it are hidden (missing or 0: none).
THRESHOLD_SETTING = "suggestion_threshold"


def suggestion_threshold(store: Store) -> float | None:
    """The project's ``suggestion_threshold`` (a number from 0 to 1), or ``None`` when unset or 0.

    Raises :class:`AnnotationError` naming the setting when it holds anything else."""
    value = store.get_setting(THRESHOLD_SETTING, None)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise AnnotationError(f"{store.path}: project setting {THRESHOLD_SETTING!r} must be a number from 0 to 1, "
                              f"not {value!r}")
    return float(value) or None


class Scored(Protocol):
    """Anything carrying a suggester's score: a :class:`Span`, a :class:`~corpus.model.Relation`,
    a relation suggestion (:class:`~annotator.suggesters.relations.SuggestedRelation`)."""

    @property
    def score(self) -> float | None: ...


def strong_enough(suggestion: Scored, threshold: float | None) -> bool:
    """False for a suggestion whose model score is below ``threshold`` (the one rule hiding weak
    suggestions, entity and relation suggestions alike); a suggestion without a score, or no
    threshold, is always strong enough."""
    return threshold is None or suggestion.score is None or suggestion.score >= threshold


def suggestion_priority(span: Span) -> tuple[int, int, int, str]:
    """Sort key deciding which of two overlapping suggestions wins (smaller wins).

    Longer spans first (the shorter one is usually a part of the name, spaCy's
    ``filter_spans`` rule), then by source (the registry's priority: pattern rules, written for
    this project, before propagation of the person's own decisions before a statistical model);
    then the earlier start, then the layer name.
    """
    return (-(span.end - span.start), layer_priority(span.layer), span.start, span.layer)


def suggestion_candidates(store: Store, doc_id: int, annotator: str) -> list[Span]:
    """Every suggestion shown to ``annotator`` in one document, decided or not: one span per
    (start, end, label), the layer with the smallest priority naming its source. By position."""
    layers = [layer for layer in store.layers() if is_suggester_layer(layer, annotator)]
    if not layers:
        return []
    best: dict[tuple[int, int, str], Span] = {}
    for sp in store.spans(doc_id, layers):
        cur = best.get(sp.key)
        if cur is None or (layer_priority(sp.layer), sp.layer) < (layer_priority(cur.layer), cur.layer):
            best[sp.key] = sp
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.label, s.layer))


class _Intervals:
    """Sorted intervals answering "does any overlap (s, e)?" in O(log n)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.max_end: list[int] = []
        top = -1
        for _, e in ordered:
            top = max(top, e)
            self.max_end.append(top)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_left(self.starts, e)  # intervals starting before e
        return i > 0 and self.max_end[i - 1] > s


def _decider(mine: Iterable[Span], allow_overlap: bool):  # noqa: ANN202 - a small closure
    """A predicate telling whether one of ``mine`` decides a suggestion (see module docstring)."""
    mine = list(mine)
    if not allow_overlap:
        any_label = _Intervals((m.start, m.end) for m in mine)
        return lambda sp: any_label.overlaps(sp.start, sp.end)
    by_label: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for m in mine:
        by_label[m.label].append((m.start, m.end))
    same_label = {label: _Intervals(v) for label, v in by_label.items()}
    offsets = {(m.start, m.end) for m in mine}

    def decided(sp: Span) -> bool:
        if (sp.start, sp.end) in offsets:
            return True
        iv = same_label.get(sp.label)
        return iv is not None and iv.overlaps(sp.start, sp.end)

    return decided


def undecided(
    candidates: Iterable[Span], mine: Iterable[Span], rejected: Iterable[tuple[int, int, str]],
    allow_overlap: bool = False, threshold: float | None = None,
) -> list[Span]:
    """The ``candidates`` neither rejected (``(start, end, label)`` in ``rejected``) nor decided
    by one of the person's spans ``mine`` (see the module docstring), nor scoring below
    ``threshold`` (:func:`strong_enough`). Pure: the window calls it on its cached candidates
    after each edit."""
    rejected = set(rejected)
    decided = _decider(mine, allow_overlap)
    return [sp for sp in candidates
            if sp.key not in rejected and strong_enough(sp, threshold) and not decided(sp)]


def pending_suggestions(store: Store, doc_id: int, annotator: str) -> list[Span]:
    """The suggestions ``annotator`` still has to decide on in one document.

    :func:`suggestion_candidates` less the decided ones (:func:`undecided`): neither rejected
    nor overlapping a span of the person, nor weaker than the project's ``suggestion_threshold``.
    Suggestions overlapping each other are all included (the window shows them). By position.
    """
    candidates = suggestion_candidates(store, doc_id, annotator)
    if not candidates:
        return []
    rejected = {(s, e, label) for _, s, e, label in store.rejections(annotator, doc_id)}
    allow = allows_overlap(store)
    return undecided(candidates, store.spans(doc_id, annotator), rejected, allow, suggestion_threshold(store))


def _person_span(suggestion: Span, annotator: str, source: str = "accepted") -> Span:
    if not annotator or not is_person_layer(annotator):
        raise AnnotationError(f"{annotator!r} is not a person's layer")
    return Span(
        doc_id=suggestion.doc_id, layer=annotator, start=suggestion.start, end=suggestion.end,
        label=suggestion.label, source=f"{source}:{suggestion.layer}", score=suggestion.score,
    )


def accept_edit(store: Store, suggestion: Span, annotator: str) -> Edit:
    """The edit that accepts ``suggestion``: a copy in ``annotator``'s layer, source
    ``accepted:<suggester layer>``. Not applied: the caller applies it (and undoes it).

    Raises :class:`AnnotationError` when it overlaps one of the person's spans and the project
    does not allow overlapping spans, or when the person already has exactly that span.
    """
    span = _person_span(suggestion, annotator)
    if any(sp.key == span.key for sp in store.spans(span.doc_id, annotator, label=span.label)):
        raise AnnotationError(
            f"document {span.doc_id}: {span.label} {span.start}-{span.end} is already in {annotator}'s layer"
        )
    if not allows_overlap(store):
        # one indexed lookup (the window accepts on a keystroke, among thousands of spans)
        other = store.first_overlapping_span(span.doc_id, annotator, span.start, span.end)
        if other is not None:
            raise AnnotationError(
                f"document {span.doc_id}: cannot accept {span.label} {span.start}-{span.end}: it overlaps "
                f"{other.label} {other.start}-{other.end} in {annotator}'s layer (overlapping spans are "
                "off in this project)"
            )
    # the rules were checked above: the edit need not check them again
    return AddSpan(span, check=False, description=f"Accept {span.label}")


def accept_corrected_edit(
    store: Store, suggestion: Span, annotator: str, start: int, end: int, label: str,
) -> Edit:
    """Accept ``suggestion`` corrected (relabelled and/or resized to ``start``-``end``): one
    undo step that adds the corrected span to the person's layer (source
    ``corrected:<suggester layer>``) and rejects the original, so the original never comes
    back, even when the corrected span is deleted later.

    Raises :class:`AnnotationError` for empty or out-of-order offsets, a label outside the
    project's entity labels, or an overlap with another span of the person when overlaps are
    off.
    """
    if not (0 <= start < end):
        raise AnnotationError(f"document {suggestion.doc_id}: a span needs 0 <= start < end, not {start}-{end}")
    labels = set(store.label_names("entity"))
    if label not in labels:
        raise AnnotationError(f"{label!r} is not an entity label of the project")
    if (start, end, label) == (suggestion.start, suggestion.end, suggestion.label):
        return accept_edit(store, suggestion, annotator)
    span = Span(
        doc_id=suggestion.doc_id, layer=annotator, start=start, end=end, label=label,
        source=f"corrected:{suggestion.layer}", score=suggestion.score,
    )
    _person_span(suggestion, annotator)  # refuses a layer that is not a person's
    check_overlap(store, span)
    what = "Relabel" if (start, end) == (suggestion.start, suggestion.end) else "Correct"
    return Batch(
        (reject_edit(store, suggestion, annotator), AddSpan(span, check=False)),
        description=f"{what} suggestion as {label}",
    )


def reject_edit(store: Store, suggestion: Span, annotator: str) -> Edit:
    """The edit that rejects ``suggestion`` for ``annotator``: it is remembered and no suggester
    (model, patterns or propagation) shows that span with that label to them again. Undo forgets
    the rejection."""
    return Reject(
        suggestion.doc_id, annotator, suggestion.start, suggestion.end, suggestion.label,
        description=f"Reject {suggestion.label}",
    )


def delete_span_edit(store: Store, span: Span, annotator: str) -> Edit:
    """Delete one of the person's spans (and its relations), keeping the decision made.

    One :class:`~annotator.edits.Batch`: the :class:`~annotator.edits.DeleteSpan`, then a
    :class:`~annotator.edits.Reject` for every suggestion candidate of the document that the
    span decided (overlapping it; with ``allow_overlap``, of the same label or the same offsets)
    and that is not already rejected. So a deleted accepted (or corrected) suggestion is neither
    shown again nor re-added by :func:`accept_all_edit`. One undo step restores the span and
    forgets those rejections. Raises :class:`AnnotationError` for a span without an id or of
    another layer.
    """
    if span.id is None:
        raise AnnotationError("cannot delete a span that is not stored (no id)")
    if span.layer != annotator:
        raise AnnotationError(f"span {span.id} is in layer {span.layer!r}, not in {annotator}'s")
    allow = allows_overlap(store)
    decided = _decider([span], allow)
    rejected = {(s, e, label) for _, s, e, label in store.rejections(annotator, span.doc_id)}
    rejects = tuple(
        reject_edit(store, sp, annotator)
        for sp in suggestion_candidates(store, span.doc_id, annotator)
        if decided(sp) and sp.key not in rejected
    )
    return Batch((DeleteSpan(span.id, description=f"Delete {span.label}"), *rejects), description=f"Delete {span.label}")


def accept_all_edit(store: Store, doc_id: int, annotator: str) -> Edit:
    """One :class:`~annotator.edits.Batch` accepting every pending suggestion of a document.

    Decided suggestions are never taken (:func:`pending_suggestions`). Unless the project allows
    overlapping spans, among suggestions overlapping each other the one that sorts first by
    :func:`suggestion_priority` is taken (longest, then patterns > match > model). One undo step
    takes the whole batch back.
    """
    pending = pending_suggestions(store, doc_id, annotator)
    allow = allows_overlap(store)
    if allow:
        mine = {sp.key for sp in store.spans(doc_id, annotator)}
        chosen = [sp for sp in pending if sp.key not in mine]
    else:
        taken: list[Span] = []
        chosen = []
        for sp in sorted(pending, key=suggestion_priority):
            if any(sp.overlaps(o) for o in taken):
                continue
            taken.append(sp)
            chosen.append(sp)
        chosen.sort(key=lambda s: (s.start, s.end))
    edits = tuple(AddSpan(_person_span(sp, annotator), check=False) for sp in chosen)
    return Batch(edits, description=f"Accept {len(edits)} suggestions")
