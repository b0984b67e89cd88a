"""The incremental layout: one edit re-lays out only what it touched. No Qt.

The result equals a full :meth:`~ui.view.layout.DocumentLayout.relayout`: the tags of the lines
the changed spans are on, the nesting of the spans they overlap, the arcs of the relations at
their ends; the rows below move when a row changed height.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ui.view.model import ItemKey, ViewRelation, ViewSpan
from ui.view.routes import assign_depths

if TYPE_CHECKING:  # pragma: no cover
    from ui.view.layout import DocumentLayout, Repaint

__all__ = ["apply_update"]


def _swap_items(lay: DocumentLayout, remove: list[ItemKey], add: list[ViewSpan]) -> tuple[list, list]:
    by_key, by_id = lay.by_key, lay.span_by_id
    removed: list[ViewSpan] = []
    for key in remove:
        sp = by_key.pop(key, None)
        if sp is None:
            continue
        lay.remove_item(sp)
        if sp.id is not None and not sp.suggestion and by_id.get(sp.id) is sp:
            del by_id[sp.id]
        removed.append(sp)
    added: list[ViewSpan] = []
    for sp in add:
        old = by_key.get(sp.key)
        if old is not None:  # replaced without being named in ``remove``
            lay.remove_item(old)
            removed.append(old)
        by_key[sp.key] = sp
        lay.insert_item(sp)
        if sp.id is not None and not sp.suggestion:
            by_id[sp.id] = sp
        added.append(sp)
    lay._shown = None
    return removed, added


def _swap_relations(lay: DocumentLayout, remove_relations: list[int], add_relations: list[ViewRelation]):
    """The relations after the change (one whose end is gone goes with it); the ids gone and
    the document y of what they covered."""
    old_rels = {r.id: r for r in lay.relations}
    new_ids = {r.id for r in add_relations}
    drop = set(remove_relations) | new_ids
    rels = [r for r in lay.relations if r.id not in drop]
    rels.extend(add_relations)
    rels = [r for r in rels if lay.has_ends(r)]
    lay.relations = rels
    kept = {r.id for r in rels}
    gone = {rid for rid in old_rels if rid not in kept or rid in new_ids}
    gone_ys = []
    for rid in gone:
        r = old_rels[rid]
        if r.bounds is not None:
            gone_ys.append((r.bounds.y, r.bounds.bottom))
        if r.lo_line is not None:
            gone_ys.append((r.lo_line.top, r.hi_line.bottom))
    return rels, gone, gone_ys


def _replace_tags(lay: DocumentLayout, removed: list[ViewSpan], added: list[ViewSpan]):
    """Take removed spans off their lines and put added ones on; the lines touched and the
    offsets covered."""
    show_sugg = lay.show_suggestions
    tag_lines: set[int] = set()
    box_lines: set[int] = set()
    lo_pos = hi_pos = None
    for sp in removed:
        if (sp.suggestion and not show_sugg) or not sp.frags:
            continue
        li = sp.frags[0][0]
        bucket = lay.line_spans.get(li)
        if bucket:
            for k, o in enumerate(bucket):
                if o is sp:
                    del bucket[k]
                    break
        tag_lines.add(li)
        box_lines.update(f[0] for f in sp.frags)
        lo_pos = sp.start if lo_pos is None else min(lo_pos, sp.start)
        hi_pos = sp.end if hi_pos is None else max(hi_pos, sp.end)
    for sp in added:
        frags = lay.frags_of(sp)
        if sp.suggestion and not show_sugg:
            continue
        if frags:
            li = frags[0][0]
            lay.line_spans.setdefault(li, []).append(sp)
            tag_lines.add(li)
            box_lines.update(f[0] for f in frags)
        else:
            sp.tag_x = -1.0
            sp.tag_line = None
        lo_pos = sp.start if lo_pos is None else min(lo_pos, sp.start)
        hi_pos = sp.end if hi_pos is None else max(hi_pos, sp.end)
    return tag_lines, box_lines, lo_pos, hi_pos


def _relations_touched(lay: DocumentLayout, rels, gone, add_relations, changed_ids, changed_keys,
                       heights: dict, remember: Callable[[int], None]) -> set[int]:
    """Lay out again the arcs of the relations at the ends of what changed; their ids."""
    lines = lay.lines
    if lay.relation_filter != "all" or lay.preview is not None:
        old = {li: (ln.arc_levels, ln.tag_levels) for li, ln in enumerate(lines)}
        heights.update({**old, **heights})
        lay.layout_relations()
        return {r.id for r in lay.visible_relations()}
    inval: set[int] = set()
    rel_dirty = set(gone) | {r.id for r in add_relations}
    if changed_ids or changed_keys:
        rel_dirty.update(r.id for r in rels if r.head in changed_ids or r.child in changed_ids
                         or (r.head_key is not None and r.head_key in changed_keys)
                         or (r.child_key is not None and r.child_key in changed_keys))
    arc_lines: set[int] = set()
    for rid in rel_dirty:
        arc_lines |= lay.remove_segments(rid)
    present = {r.id: r for r in (rels if lay.show_suggestions else lay.visible_relations())}
    for rid in rel_dirty:
        r = present.get(rid)
        if r is not None:
            arc_lines |= lay.add_segments(r)
    for li in arc_lines:
        remember(li)
        lay.layout_arcs(li)
        inval.update(s[2].id for s in lay.line_segs.get(li, ()))
    inval |= rel_dirty
    if rel_dirty:
        inval |= lay.assign_lanes()
    return inval


def apply_update(lay: DocumentLayout, remove: list[ItemKey], add: list[ViewSpan], remove_relations: list[int],
                 add_relations: list[ViewRelation], view_width: float,
                 on_change: Callable[[], None] | None) -> Repaint | None:
    """See :meth:`DocumentLayout.update`."""
    if not (remove or add or remove_relations or add_relations):
        return [], False
    full = not lay.lines or lay.needs_relayout(view_width)
    removed, added = _swap_items(lay, remove, add)
    rels, gone, gone_ys = _swap_relations(lay, remove_relations, add_relations)
    changed = [sp for sp in (*removed, *added)]
    changed_ids = {sp.id for sp in changed if sp.id is not None and not sp.suggestion}
    changed_keys = {sp.key for sp in changed}
    if on_change is not None:
        on_change()
    if full:
        lay.relayout(view_width)
        return None
    lines = lay.lines
    tag_lines, box_lines, lo_pos, hi_pos = _replace_tags(lay, removed, added)
    if lo_pos is not None:  # nesting of the spans overlapping what changed
        cluster = lay.cluster(lo_pos, hi_pos)
        before = [s.depth for s in cluster]
        assign_depths(cluster)
        for s, d in zip(cluster, before):
            if s.depth != d:
                box_lines.update(f[0] for f in s.frags)
                changed_keys.add(s.key)
                if s.id is not None and not s.suggestion:
                    changed_ids.add(s.id)
    heights: dict[int, tuple[int, int]] = {}

    def remember(li: int) -> None:
        if li not in heights:
            heights[li] = (lines[li].arc_levels, lines[li].tag_levels)

    for li in tag_lines:
        remember(li)
        lay.layout_tags(li)
    inval = _relations_touched(lay, rels, gone, add_relations, changed_ids, changed_keys, heights, remember)
    # rows: move everything below a row that changed height
    first_shift = None
    for li, hw in heights.items():
        ln = lines[li]
        if (ln.arc_levels, ln.tag_levels) != hw and (first_shift is None or li < first_shift):
            first_shift = li
    if first_shift is not None:
        lay.position_lines(first_shift)
        for rid, (r, _h, _c) in lay.rel_plan.items():
            if r.line_range[1] >= first_shift:
                inval.add(rid)
    # what to repaint (document y), before the invalidated routes forget their bounds
    ys = [(lines[li].top, lines[li].bottom) for li in (*box_lines, *tag_lines, *heights)]
    for r in lay.visible_relations():
        if r.id in inval:
            if r.bounds is not None:
                ys.append((r.bounds.y, r.bounds.bottom))
            if r.lo_line is not None:
                ys.append((r.lo_line.top, r.hi_line.bottom))
            r.points = r.bounds = None
    return ys + gone_ys, first_shift is not None
