"""Nesting of overlapping spans, arc levels per line and the route of a relation. No Qt."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ui.view.model import Rect, ViewRelation, ViewSpan

if TYPE_CHECKING:  # pragma: no cover
    from ui.view.layout import DocumentLayout

__all__ = ["assign_depths", "layout_arcs", "route"]


def assign_depths(spans: Sequence[ViewSpan]) -> None:
    """Nesting depth of overlapping spans (the longer one is drawn larger), capped at 3.

    ``spans`` are in view order and hold whole clusters of overlapping spans.
    """
    active: list[ViewSpan] = []
    nested = False
    for sp in spans:
        sp.depth = 0
        if active:
            start = sp.start
            active = [a for a in active if a.end > start]
            if active:
                nested = True
                for a in active:
                    a.depth = 1
        active.append(sp)
    if not nested:
        return
    # a second pass so chains of three nest visibly (inner spans follow their outer one)
    n = len(spans)
    for i, sp in enumerate(spans):
        if not sp.depth:
            continue
        length = sp.end - sp.start
        inner = []
        j = i + 1
        while j < n and spans[j].start < sp.end:
            o = spans[j]
            if o.end <= sp.end and (o.end - o.start) < length:
                inner.append(o)
            j += 1
        if inner:
            sp.depth = 1 + max(o.depth for o in inner) if len(inner) < 8 else 2
        sp.depth = min(sp.depth, 3)


def _seg_order(seg: tuple) -> tuple:
    x1, x2, r, part = seg
    return (x2 - x1, x1, r.id, part)


def layout_arcs(segs: Sequence[tuple], li: int, levels: dict, tag_width: Callable[[str], float]) -> int:
    """Arc levels of the relation segments on line ``li`` (short ones low, no two labels
    collide), written to ``levels``; returns how many levels the line needs."""
    placed: list[list[tuple[float, float]]] = []
    for x1, x2, r, part in sorted(segs, key=_seg_order):
        # the label needs room around the middle of short arcs too
        half = (tag_width(r.label) + 10) / 2
        mid = (x1 + x2) / 2
        lo = min(x1, mid - half) - 3
        hi = max(x2, mid + half) + 3
        lvl = 0
        while lvl < len(placed) and any(not (hi < a or lo > b) for a, b in placed[lvl]):
            lvl += 1
        if lvl == len(placed):
            placed.append([])
        placed[lvl].append((lo, hi))
        levels[(r.id, li, part)] = lvl
    return len(placed)


def route(lay: DocumentLayout, r: ViewRelation, h: ViewSpan, c: ViewSpan, lane: int) -> None:
    """The relation's elbow line, arrow head and label boxes (document coordinates)."""
    lines, m = lay.lines, lay.metrics
    hl, hx = h.frags[0][0], (h.frags[0][1] + h.frags[0][2]) / 2
    cl, cx = c.frags[0][0], (c.frags[0][1] + c.frags[0][2]) / 2
    lw = lay.tag_width(r.label) + 10
    lh = m.arc_h * 13 / 15  # label box height

    def level_y(li: int, part: int) -> float:
        lvl = lay.rel_levels.get((r.id, li, part), 0)
        return lines[li].text_y - m.arc_pad / 2 - 2 - lvl * m.arc_h - m.arc_h / 2

    hy0 = lay.box_top(hl, h.depth)
    cy0 = lay.box_top(cl, c.depth)
    r.gutter = None
    if hl == cl:
        ly = level_y(hl, 0)
        pts = [(hx, hy0), (hx, ly), (cx, ly), (cx, cy0 - 1)]
        r.label_rects = [Rect((hx + cx) / 2 - lw / 2, ly - lh / 2, lw, lh)]
    else:
        right = lay.right
        y1, y2 = level_y(hl, 1), level_y(cl, 2)
        gx = right + 8 + (lane % 6) * 6
        r.gutter = (gx, min(y1, y2), max(y1, y2))
        pts = [(hx, hy0), (hx, y1), (gx, y1), (gx, y2), (cx, y2), (cx, cy0 - 1)]
        child_x = max(cx + 6, m.left)
        if cx + 6 + lw > right:
            child_x = cx - 6 - lw
        r.label_rects = [Rect(min(hx + 6, right - lw), y1 - lh / 2, lw, lh), Rect(child_x, y2 - lh / 2, lw, lh)]
    r.points = pts
    r.arrow = ((cx, cy0), (cx - 3.5, cy0 - 6), (cx + 3.5, cy0 - 6))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    b = Rect(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    for lr in r.label_rects:
        b = b.united(lr)
    r.bounds = Rect(b.x - 4, b.y - 4, b.w + 8, b.h + 8)
