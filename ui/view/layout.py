"""The document layout: lines, span boxes, tags, nesting, relation arcs and rows. No Qt.

:class:`DocumentLayout` holds what is shown (the spans, suggestions and relations) and where it
goes. It is given the text, its tokens, a width, a text-measuring function for the text and one
for the tags (and :class:`~ui.view.model.Metrics`), and computes:

* the visual lines (:mod:`ui.view.textlines`; long unbroken runs are cut for display only);
* each span's boxes, one per line (``frags``), and its nesting depth among overlapping spans;
* the label tags under the first box of each span, stacked when they collide;
* the relation arcs: an elbow above the text when both ends are on one line, else a line
  through the right-hand gutter labelled at both ends; arc levels per line so that no two labels
  collide, and gutter lanes;
* the rows: an arc zone, the text, a tag zone (blank lines get a short row).

:meth:`DocumentLayout.update` changes some items and lays out again only what they touch; the
result equals a full :meth:`DocumentLayout.relayout` (tests/ui/test_incremental.py).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence

from ui.view.model import ItemKey, Line, Metrics, Rect, ViewRelation, ViewSpan, item_order
from ui.view.routes import assign_depths, layout_arcs, route
from ui.view.textlines import Measure, TextLines

__all__ = ["DocumentLayout", "Repaint"]

#: document y ranges to repaint, and whether everything below them moved
Repaint = tuple[list[tuple[float, float]], bool]


def _item_start(s: ViewSpan) -> int:
    return s.start


def _tag_order(s: ViewSpan) -> tuple:
    return (s.frags[0][1], -s.end, s.suggestion, s.label)


class DocumentLayout:
    """Everything the view shows and where (document coordinates)."""

    def __init__(self, measure: Measure, tag_measure: Measure, metrics: Metrics | None = None) -> None:
        self.measure = measure
        self.tag_measure = tag_measure
        self.metrics = metrics or Metrics()
        self.text = ""
        self.tokens: Sequence[tuple[int, int]] = ()
        self.width = -1.0
        self.tl: TextLines | None = None
        self.lines: list[Line] = []
        self.tops: list[float] = []
        self.height = 0.0
        self.items: list[ViewSpan] = []
        self.by_key: dict[ItemKey, ViewSpan] = {}
        self.span_by_id: dict[int, ViewSpan] = {}
        self.relations: list[ViewRelation] = []
        self.preview: ViewRelation | None = None
        self.show_suggestions = True
        self.relation_filter = "all"  # all | selected | none
        self.focus_ids: set[int] = set()  # spans whose relations "selected" shows
        self.focus_keys: set[ItemKey] = set()
        self.focus_rel: int | None = None
        self._shown: list[ViewSpan] | None = None
        self._max_len = 0
        self._frag_cache: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
        self._tag_w: dict[str, float] = {}
        self.line_spans: dict[int, list[ViewSpan]] = {}
        self.line_segs: dict[int, list[tuple]] = {}
        self.rel_levels: dict[tuple[int, int, int], int] = {}
        self.rel_lanes: dict[int, int] = {}
        self.rel_plan: dict[int, tuple] = {}
        self._rel_seg_lines: dict[int, set[int]] = {}
        self.right = 0.0
        self.full_layouts = 0  # how many times everything was laid out (tests count them)
        self.lines_version = 0  # changes whenever the lines are made again (painters cache by it)

    # -- content -------------------------------------------------------------------------------
    def set_text(self, text: str, tokens: Sequence[tuple[int, int]] = ()) -> None:
        """Another text: clears the annotations; lines are made at the next :meth:`relayout`."""
        self.text = text
        # any sequence of (start, end) tuples is kept as it is (a document read from a project
        # decodes its tokens when one is first asked for); lists of lists become tuples
        self.tokens = tuple(map(tuple, tokens)) if isinstance(tokens, list) or not isinstance(tokens, Sequence) \
            else tokens
        self.items, self.relations = [], []
        self.by_key, self.span_by_id = {}, {}
        self.preview = None
        self._shown = None
        self._max_len = 0
        self.tl = None

    def set_measures(self, measure: Measure, tag_measure: Measure, metrics: Metrics) -> None:
        """New fonts or sizes (zoom): everything is laid out again at the next relayout."""
        self.measure, self.tag_measure, self.metrics = measure, tag_measure, metrics
        self._tag_w = {}
        self.tl = None

    def set_annotations(self, items: Sequence[ViewSpan], relations: Sequence[ViewRelation]) -> None:
        self.items = sorted(items, key=item_order)
        self._shown = None
        self.by_key = {s.key: s for s in self.items}
        self.span_by_id = {s.id: s for s in self.items if s.id is not None and not s.suggestion}
        self._max_len = max((s.end - s.start for s in self.items), default=0)
        self.relations = [r for r in relations if self.has_ends(r)]

    def end_items(self, r: ViewRelation) -> tuple[ViewSpan | None, ViewSpan | None]:
        """The relation's head and child items (``None`` for an end that is not shown)."""
        h = self.by_key.get(r.head_key) if r.head_key is not None else self.span_by_id.get(r.head)
        c = self.by_key.get(r.child_key) if r.child_key is not None else self.span_by_id.get(r.child)
        return h, c

    def has_ends(self, r: ViewRelation) -> bool:
        h, c = self.end_items(r)
        return h is not None and c is not None

    @property
    def shown(self) -> list[ViewSpan]:
        """The spans (and suggestions, when shown) in view order; cached, do not modify."""
        if self._shown is None:
            self._shown = self.items if self.show_suggestions else [s for s in self.items if not s.suggestion]
        return self._shown

    def set_show_suggestions(self, on: bool) -> None:
        self.show_suggestions = bool(on)
        self._shown = None

    def visible_relations(self) -> list[ViewRelation]:
        """The relations drawn under the current filter (and the preview of one being made)."""
        extra = [self.preview] if self.preview is not None and self._ends_shown(self.preview) else []
        if self.relation_filter == "none":
            return extra
        rels = self.relations if self.show_suggestions else [r for r in self.relations if self._ends_shown(r)]
        if self.relation_filter == "selected":
            ids, keys = self.focus_ids, self.focus_keys
            return [r for r in rels if r.head in ids or r.child in ids or r.id == self.focus_rel
                    or (r.head_key is not None and r.head_key in keys)
                    or (r.child_key is not None and r.child_key in keys)] + extra
        return rels + extra if extra else rels

    def _ends_shown(self, r: ViewRelation) -> bool:
        """Both ends of ``r`` are shown (a hidden suggestion hides its relations)."""
        h, c = self.end_items(r)
        return h is not None and c is not None and (self.show_suggestions or not (h.suggestion or c.suggestion))

    # -- geometry helpers ----------------------------------------------------------------------
    def line_of(self, pos: int) -> int:
        return self.tl.line_of(pos) if self.tl is not None else 0

    def x_of(self, pos: int, li: int | None = None) -> float:
        return self.tl.x_of(pos, li) if self.tl is not None else 0.0

    def row_at_y(self, y: float) -> int:
        return max(0, min(len(self.lines) - 1, bisect.bisect_right(self.tops, y) - 1))

    def text_width(self, view_width: float) -> float:
        m = self.metrics
        return max(120.0, view_width - m.left - m.gutter)

    def tag_width(self, label: str) -> float:
        w = self._tag_w.get(label)
        if w is None:
            w = self._tag_w[label] = self.tag_measure(label)
        return w

    def frag_rect(self, sp: ViewSpan, frag: tuple[int, float, float]) -> Rect:
        li, x1, x2 = frag
        ln = self.lines[li]
        pad = 1.5 + 2 * sp.depth
        return Rect(x1 - 1.5 - sp.depth, ln.text_y - pad, (x2 - x1) + 3 + 2 * sp.depth,
                    self.metrics.line_height + 2 * pad)

    def box_top(self, li: int, depth: int) -> float:
        return self.lines[li].text_y - 1 - 2 * depth

    def items_between(self, start: int, end: int) -> list[ViewSpan]:
        """The shown items touching ``start..end``, in order (a bisection, not a scan)."""
        items = self.shown
        lo = bisect.bisect_left(items, start - self._max_len, key=_item_start)
        hi = bisect.bisect_right(items, end, key=_item_start)
        return [s for s in items[lo:hi] if s.end >= start]

    def needs_relayout(self, view_width: float) -> bool:
        return self.tl is None or self.width != view_width

    # -- the full layout -----------------------------------------------------------------------
    def relayout(self, view_width: float) -> None:
        """Lay out everything: lines (when the width or text changed), tags, nesting, arcs, rows."""
        self.full_layouts += 1
        if self.tl is None or self.width != view_width:
            self.tl = TextLines(self.text, self.measure, self.text_width(view_width), self.metrics.left)
            self.lines = self.tl.lines
            self.lines_version += 1
            self.width = view_width
            self._frag_cache = {}
        shown = self.shown
        line_spans: dict[int, list[ViewSpan]] = {}
        frags_of = self.frags_of
        for sp in shown:
            frags = frags_of(sp)
            if frags:
                bucket = line_spans.get(frags[0][0])
                if bucket is None:
                    line_spans[frags[0][0]] = [sp]
                else:
                    bucket.append(sp)
            else:
                sp.tag_x = -1.0
                sp.tag_line = None
        self.line_spans = line_spans
        assign_depths(shown)
        for ln in self.lines:
            ln.tag_levels = 1
        for li in line_spans:
            self.layout_tags(li)
        self.layout_relations()
        self.position_lines(0)

    def relayout_relations(self, view_width: float) -> None:
        """Only which relations are drawn changed (the filter, the focus, the preview)."""
        if self.needs_relayout(view_width):
            self.relayout(view_width)
            return
        self.layout_relations()
        self.position_lines(0)

    def frags_of(self, sp: ViewSpan) -> list[tuple[int, float, float]]:
        """The span's boxes, one per visual line (cached by offsets until the lines change)."""
        fk = (sp.start, sp.end)
        frags = self._frag_cache.get(fk)
        if frags is None:
            frags = self._frag_cache[fk] = self._fragments(sp.start, sp.end)
        sp.frags = frags
        return frags

    def _fragments(self, start: int, end: int) -> list[tuple[int, float, float]]:
        out = []
        tl = self.tl
        lines, text = self.lines, self.text
        l1 = tl.line_of(start)
        l2 = tl.line_of(max(start, end - 1))
        for li in range(l1, l2 + 1):
            ln = lines[li]
            a, b = max(start, ln.start), min(end, ln.end)
            while b > a and text[b - 1] in " \n":  # not the trailing space of a wrapped line
                b -= 1
            if b > a:
                out.append((li, tl.x_of(a, li), tl.x_of(b, li)))
        return out

    def layout_tags(self, li: int) -> None:
        """Tags of the spans starting on line ``li``: below their first box, stacked when they collide."""
        ln = self.lines[li]
        sps = self.line_spans.get(li)
        if not sps:
            ln.tag_levels = 1
            return
        if len(sps) > 1:
            sps.sort(key=_tag_order)
        m = self.metrics
        base = m.line_height + 3
        level_ends: list[float] = []
        for sp in sps:
            x = sp.frags[0][1]
            w = self.tag_width(sp.label) + 8 * m.tag_h / 14
            lvl = 0
            while lvl < len(level_ends) and level_ends[lvl] > x:
                lvl += 1
            if lvl == len(level_ends):
                level_ends.append(0.0)
            level_ends[lvl] = x + w + 2
            sp.tag_level, sp.tag_x, sp.tag_w, sp.tag_line = lvl, x, w, ln
            sp.tag_dy = base + lvl * m.tag_h
            sp.tag_h = m.tag_h - 2
        ln.tag_levels = max(1, len(level_ends))

    def layout_relations(self) -> None:
        """Which relations are drawn, their segments per line, arc levels and gutter lanes."""
        for ln in self.lines:
            ln.arc_levels = 0
        self.line_segs, self._rel_seg_lines, self.rel_plan = {}, {}, {}
        self.rel_levels, self.rel_lanes = {}, {}
        self.right = self.metrics.left + self.text_width(self.width)
        for r in self.relations:
            r.points = r.bounds = None
            r.lo_line = r.hi_line = None
        if self.preview is not None:
            self.preview.points = self.preview.bounds = None
        for r in self.visible_relations():
            self.add_segments(r)
        for li in self.line_segs:
            self.layout_arcs(li)
        self.assign_lanes()

    def add_segments(self, r: ViewRelation) -> set[int]:
        """Plan one relation: its segments on the lines of its two ends. Returns those lines."""
        h, c = self.end_items(r)
        r.points = r.bounds = None
        if h is None or c is None or not h.frags or not c.frags:
            r.lo_line = r.hi_line = None
            return set()
        self.rel_plan[r.id] = (r, h, c)
        hl, hx = h.frags[0][0], (h.frags[0][1] + h.frags[0][2]) / 2
        cl, cx = c.frags[0][0], (c.frags[0][1] + c.frags[0][2]) / 2
        segs = self.line_segs
        if hl == cl:
            segs.setdefault(hl, []).append((min(hx, cx), max(hx, cx), r, 0))
            lines = {hl}
        else:
            segs.setdefault(hl, []).append((hx, self.right + 4, r, 1))
            segs.setdefault(cl, []).append((cx, self.right + 4, r, 2))
            lines = {hl, cl}
        self._rel_seg_lines[r.id] = lines
        lo, hi = (hl, cl) if hl <= cl else (cl, hl)
        r.lo_line, r.hi_line = self.lines[lo], self.lines[hi]
        r.line_range = (lo, hi)
        return lines

    def remove_segments(self, rid: int) -> set[int]:
        lines = self._rel_seg_lines.pop(rid, set())
        for li in lines:
            segs = self.line_segs.get(li)
            if segs:
                self.line_segs[li] = [s for s in segs if s[2].id != rid]
            for part in (0, 1, 2):
                self.rel_levels.pop((rid, li, part), None)
        plan = self.rel_plan.pop(rid, None)
        if plan is not None:
            plan[0].lo_line = plan[0].hi_line = None
        self.rel_lanes.pop(rid, None)
        return lines

    def layout_arcs(self, li: int) -> None:
        self.lines[li].arc_levels = layout_arcs(self.line_segs.get(li) or (), li, self.rel_levels, self.tag_width)

    def assign_lanes(self) -> set[int]:
        """Gutter lanes of the relations between lines (by line numbers, so rows can move).

        Returns the relations whose lane changed.
        """
        cross = sorted((r.line_range[0], r.line_range[1], rid) for rid, (r, h, c) in self.rel_plan.items()
                       if h.frags[0][0] != c.frags[0][0])
        lanes: dict[int, int] = {}
        lane_ends: list[int] = []
        for lo, hi, rid in cross:
            lane = 0
            while lane < len(lane_ends) and lane_ends[lane] >= lo:
                lane += 1
            if lane == len(lane_ends):
                lane_ends.append(hi)
            else:
                lane_ends[lane] = hi
            lanes[rid] = lane
        old = self.rel_lanes
        changed = {rid for rid in lanes.keys() | old.keys() if lanes.get(rid) != old.get(rid)}
        self.rel_lanes = lanes
        return changed

    def position_lines(self, first: int) -> None:
        """Row positions from line ``first`` down (the rows above it did not move)."""
        lines, m = self.lines, self.metrics
        if not lines:
            self.tops, self.height = [], 0.0
            return
        tops = self.tops
        if len(tops) != len(lines):
            tops = self.tops = [0.0] * len(lines)
            first = 0
        fixed = m.line_height + 3 + m.row_gap
        blank_h = m.line_height * m.blank_ratio
        y = lines[first].top if first > 0 else 6.0
        for li in range(first, len(lines)):
            ln = lines[li]
            ln.top = tops[li] = y
            if ln.blank and not ln.arc_levels:
                ln.text_y = y
                ln.bottom = y = y + blank_h
                continue
            ln.text_y = ty = y + m.arc_pad + ln.arc_levels * m.arc_h
            ln.bottom = y = ty + fixed + ln.tag_levels * m.tag_h
        self.height = y + 10

    def ensure_route(self, r: ViewRelation) -> None:
        """Compute the relation's line, arrow and label boxes (lazily, when first drawn)."""
        if r.points is not None:
            return
        plan = self.rel_plan.get(r.id)
        if plan is not None:
            route(self, r, plan[1], plan[2], self.rel_lanes.get(r.id, 0))

    # -- the incremental update ----------------------------------------------------------------
    def update(self, remove: Iterable[ItemKey] = (), add: Iterable[ViewSpan] = (),
               remove_relations: Iterable[int] = (), add_relations: Iterable[ViewRelation] = (),
               view_width: float | None = None, on_change: Callable[[], None] | None = None) -> Repaint | None:
        """Change some items and relations; lay out again only what they touch.

        ``on_change`` runs once the content changed and before any layout (the widget drops a
        stale selection there). Returns what to repaint, or ``None`` after a full layout.
        """
        from ui.view.incremental import apply_update

        return apply_update(self, list(remove), list(add), list(remove_relations), list(add_relations),
                            self.width if view_width is None else view_width, on_change)

    def remove_item(self, sp: ViewSpan) -> None:
        items = self.items
        i = bisect.bisect_left(items, item_order(sp), key=item_order)
        while i < len(items):
            if items[i] is sp:
                del items[i]
                return
            if items[i].start != sp.start:
                break
            i += 1
        try:  # pragma: no cover - the order key changed under us; fall back to a scan
            items.remove(sp)
        except ValueError:
            pass

    def insert_item(self, sp: ViewSpan) -> None:
        bisect.insort(self.items, sp, key=item_order)
        self._max_len = max(self._max_len, sp.end - sp.start)
        self._shown = None

    def cluster(self, start: int, end: int) -> list[ViewSpan]:
        """The shown spans overlapping ``start..end`` and everything overlapping those, in order."""
        items = self.shown
        while True:
            lo = bisect.bisect_left(items, start - self._max_len, key=_item_start)
            hi = bisect.bisect_left(items, end, key=_item_start)
            found = [s for s in items[lo:hi] if s.end > start]
            if not found:
                return []
            a = min(start, found[0].start)
            b = max(end, max(s.end for s in found))
            if a == start and b == end:
                return found
            start, end = a, b

    # -- the gutter ----------------------------------------------------------------------------
    def gutter_label(self, r: ViewRelation, view_top: float, view_bottom: float) -> tuple[Rect, str] | None:
        """Where a relation between two lines is labelled in the gutter when neither of its end
        labels is on screen (``view_top``..``view_bottom``, document y): a vertical box on the
        visible part of its gutter line, reading "LABEL: head → child" downwards. ``None`` when
        an end label can be seen or too little of the line is visible.
        """
        if r.gutter is None or not r.label_rects:
            return None
        top, bottom = view_top + 6.0, view_bottom - 6.0
        if any(top - 6 <= lr.center[1] <= bottom + 6 for lr in r.label_rects):
            return None
        gx, y1, y2 = r.gutter
        a, b = max(y1, top), min(y2, bottom)
        if b - a < 40:
            return None
        h, c = self.end_items(r)

        def name(sp: ViewSpan | None) -> str:
            if sp is None:
                return "?"
            t = " ".join(self.text[sp.start:sp.end].split())
            return t if len(t) <= 24 else t[:23] + "\u2026"

        down = c is not None and h is not None and c.start > h.start
        # the text runs down the page, so "→" points down to a child below, "←" up to one above
        text = f"{r.label}: {name(h)} {chr(0x2192) if down else chr(0x2190)} {name(c)}"
        length = min(self.tag_measure(text) + 14, b - a - 4)
        # parallel lines (neighbouring lanes) put their boxes at different heights
        slot = (self.rel_lanes.get(r.id, 0) % 3 + 1) / 4
        mid = a + (b - a) * slot
        y0 = max(a + 2, min(mid - length / 2, b - 2 - length))
        return Rect(max(gx - 7, self.right + 3), y0, 14, length), text
