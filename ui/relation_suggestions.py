"""Relation suggestions in the window: drawn dashed, reached with Tab, decided with A / Enter / X.

The rule (which are still to decide) and the edits are :mod:`annotator.suggesters.relations`'s;
the session keeps them current (:attr:`annotator.session.DocumentSession.pending_relations`).
Here: the view objects (:func:`relation_suggestion_items`: a dashed :class:`ViewRelation`
between the person's spans or the entity suggestions shown at the same offsets), the Tab order
(a relation suggestion comes right after its head), what the keys do and the status message
of a selected relation, with a suggestion's model score (:class:`RelationSuggestionKeys`,
used by :class:`ui.controller.LabelController`).
"""

from __future__ import annotations

from collections.abc import Callable

from annotator.session import DocumentSession
from annotator.suggesters.relations import SuggestedRelation, accept_relation_edit, reject_relation_edit
from corpus.errors import AnnotationError
from ui.view.model import ItemKey, ViewRelation, item_order

__all__ = ["relation_suggestion_items", "end_keys", "RelationSuggestionKeys"]


def end_keys(session: DocumentSession, sugg: SuggestedRelation, suggestion_key: Callable) -> tuple[ItemKey, ItemKey] | None:
    """The view keys of a relation suggestion's ends: the person's span with those offsets and
    label, else the entity suggestion shown there (``None`` when an end is not shown)."""
    mine = {(r[2], r[3], r[4]): r[0] for r in session.rows.values()}
    keys = []
    for end in (sugg.head, sugg.child):
        sid = mine.get(end.key)
        if sid is not None:
            keys.append(("span", sid))
            continue
        shown = session.pending.get(end.key)
        if shown is None:
            return None
        keys.append(suggestion_key(shown))
    return keys[0], keys[1]


def relation_suggestion_items(session: DocumentSession, colors: dict[str, str], default: str,
                              suggestion_key: Callable) -> list[ViewRelation]:
    """Dashed relations for every relation suggestion still to decide in the session."""
    out = []
    for sugg in session.pending_relation_list():
        keys = end_keys(session, sugg, suggestion_key)
        if keys is None:
            continue
        out.append(ViewRelation(id=sugg.id, head=-1, child=-1, label=sugg.label, color=colors.get(sugg.label, default),
                                suggestion=True, head_key=keys[0], child_key=keys[1]))
    return out


class RelationSuggestionKeys:
    """What Tab, A / Enter, X and a label key do with relation suggestions on screen.

    ``view``: the document view; ``session``: gives the open :class:`DocumentSession`;
    ``state``: the open project; ``apply(edit, texts)``: the window's one-undo-step apply.
    """

    def __init__(self, view, session: Callable[[], DocumentSession | None], state: Callable,
                 apply: Callable, message: Callable[[str], None], refuse: Callable[[str], None]) -> None:
        self.view = view
        self._session = session
        self._state = state
        self._apply = apply
        self._message = message
        self._refuse = refuse

    # -- questions -------------------------------------------------------------------------
    def selected(self) -> SuggestedRelation | None:
        """The relation suggestion selected in the view (``None``: none is)."""
        rel = self.view.selected_relation()
        s = self._session()
        if rel is None or not rel.suggestion or s is None:
            return None
        return next((r for r in s.pending_relations.values() if r.id == rel.id), None)

    def selection_message(self) -> str:
        """The status message for the relation selected in the view: a suggestion's label, its
        model score when it has one, its layer and the keys deciding it; else the keys editing
        one of the person's relations."""
        rel = self.view.selected_relation()
        if rel is None or not rel.suggestion:
            return "Relation selected: a number key relabels it, Delete removes it, Esc deselects"
        sugg = self.selected()
        label = sugg.label if sugg is not None else rel.label
        score = f" (score {sugg.score:.2f})" if sugg is not None and sugg.score is not None else ""
        where = f" from {sugg.layer}" if sugg is not None else ""
        return f"Suggested relation {label}{score}{where}: A/Enter accept \u00b7 X reject \u00b7 a number key accepts as that label"

    def _stops(self) -> list[tuple[str, object]]:
        """Tab's stops: every item shown, each relation suggestion right after its head."""
        items = self.view.items
        after: dict[ItemKey, list[ViewRelation]] = {}
        for r in self.view.relations:
            if r.suggestion and r.head_key is not None and self.view.item(r.head_key) is not None:
                after.setdefault(r.head_key, []).append(r)
        stops: list[tuple[str, object]] = []
        for it in items:
            stops.append(("item", it.key))
            for r in sorted(after.get(it.key, ()), key=lambda r: item_order(self.view.item(r.child_key))):
                stops.append(("rel", r.id))
        return stops

    # -- keys ------------------------------------------------------------------------------
    def tab(self, forward: bool) -> bool:
        """Move to the next stop when relation suggestions are shown (``False``: not handled,
        the view's own Tab applies)."""
        if not any(r.suggestion for r in self.view.relations):
            return False
        rel, key = self.view.selected_relation(), self.view.selected_key()
        here = ("rel", rel.id) if rel is not None else ("item", key) if key is not None else None
        stops = self._stops()
        if here not in stops:
            return False
        i = (stops.index(here) + (1 if forward else -1)) % len(stops)
        kind, what = stops[i]
        if kind == "rel":
            self.view.select_relation(what)
        else:
            self.view.select_item(what)
        return True

    def accept(self, label: str | None = None) -> bool:
        """A / Enter (or a relation label key) on a selected relation suggestion (``False``:
        none is selected)."""
        sugg, st = self.selected(), self._state()
        if sugg is None or st is None:
            return False
        try:
            ok = self._apply(accept_relation_edit(sugg, st.annotator, label), None)
        except AnnotationError as exc:  # an end overlaps one of the person's spans
            self._refuse(str(exc))
            return True
        if ok:
            self._message(f"Accepted relation {label or sugg.label} (Ctrl+Z takes it back)")
            self._select_next(sugg)
        return True

    def reject(self) -> bool:
        """X (or Delete) on a selected relation suggestion (``False``: none is selected)."""
        sugg, st = self.selected(), self._state()
        if sugg is None or st is None:
            return False
        if self._apply(reject_relation_edit(sugg, st.annotator), None):
            self._select_next(sugg)
        return True

    def _select_next(self, done: SuggestedRelation) -> None:
        """Keep going: the next relation suggestion, else the next entity suggestion."""
        for r in self.view.relations:
            it = self.view.item(r.head_key) if r.suggestion and r.head_key is not None else None
            if it is not None and it.start >= done.head.start:
                self.view.select_relation(r.id)
                return
        nxt = next((it for it in self.view.items if it.suggestion and it.start >= done.head.start), None)
        if nxt is not None:
            self.view.select_item(nxt.key)
        else:
            self.view.clear_selection()
