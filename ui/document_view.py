"""The document view: an article as plain text with spans, suggestions and relations.

A custom ``QAbstractScrollArea`` over our own line layout:

* every paragraph (text between newlines) is laid out once with a ``QTextLayout`` (plain text:
  markup is never interpreted, ``<b>`` shows as ``<b>``);
* each visual line gets a *row*: an arc zone above the text (relations), the text, and a tag
  zone below it (the small label tags of the spans);
* spans are rounded boxes behind their text in the label colour; suggestions are faded with a
  dashed outline; overlapping spans nest (the longer one drawn larger) and their tags are stacked
  so they never collide;
* relations are elbow lines above the text, labelled in the middle; a relation between two lines
  is routed through the right-hand gutter, labelled at both ends;
* only the visible rows are painted; the layout is redone on resize and on annotation changes
  (positions only; the text itself is shaped once).

The view knows nothing about the store: the window hands it :class:`ViewSpan` and
:class:`ViewRelation` lists and listens to its signals. Its hit-testing API
(:meth:`char_at`, :meth:`char_rect`, :meth:`point_for_char`, :meth:`span_rects`,
:meth:`item_at`) is what tests and the window use.
"""

from __future__ import annotations


import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QWidget

from corpus.model import snap_to_tokens, token_index_at

__all__ = ["DocumentView", "ViewSpan", "ViewRelation"]

ItemKey = tuple


@dataclass(slots=True)
class ViewSpan:
    """A span or suggestion as the view shows it."""

    key: ItemKey  # ("span", id) or ("sugg", layer, start, end, label)
    start: int
    end: int
    label: str
    color: str
    layer: str
    source: str = ""
    score: float | None = None
    suggestion: bool = False
    id: int | None = None
    # layout results
    frags: list[tuple[int, float, float]] | tuple = ()  # (line index, x1, x2)
    depth: int = 0
    tag_level: int = 0
    tag_x: float = -1.0  # tag box left (x) and width; -1 when the span has no tag
    tag_w: float = 0.0
    tag_y: float = 0.0

    @property
    def tag_rect(self) -> QRectF | None:
        """The label tag's box (document coordinates)."""
        if self.tag_x < 0:
            return None
        return QRectF(self.tag_x, self.tag_y, self.tag_w, TAG_H - 2)


@dataclass
class ViewRelation:
    """A relation as the view shows it (head and child are span ids)."""

    id: int
    head: int
    child: int
    label: str
    color: str = "#555555"
    path: QPainterPath | None = None
    label_rects: list[QRectF] = field(default_factory=list)
    bounds: QRectF | None = None
    arrow: QPolygonF | None = None


@dataclass
class _Line:
    layout_index: int
    line_no: int  # index of the QTextLine within its layout
    start: int  # document offsets
    end: int
    arc_levels: int = 0
    tag_levels: int = 1
    top: float = 0.0  # row top (document y)
    text_y: float = 0.0  # top of the text
    bottom: float = 0.0  # row bottom


LEFT = 14.0
GUTTER = 46.0
ARC_H = 15.0
ARC_PAD = 6.0
TAG_H = 14.0
ROW_GAP = 3.0


def _darker(c: QColor, f: int = 160) -> QColor:
    return c.darker(f)


class DocumentView(QAbstractScrollArea):
    """Plain text with annotation boxes, tags and relation arcs; mouse and keyboard selection."""

    #: the selection changed (a span/suggestion, or a text range, or nothing)
    selectionChanged = Signal()
    #: Enter/Return on the view (accept, or pick in relation mode)
    activated = Signal()
    #: a span or suggestion was clicked (its key)
    itemClicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.setObjectName("documentView")
        font = QFont(self.font())
        font.setPointSizeF(max(11.0, font.pointSizeF()))
        self._font = font
        tag_font = QFont(font)
        tag_font.setPointSizeF(font.pointSizeF() * 0.68)
        tag_font.setBold(True)
        self._tag_font = tag_font
        self._tag_fm = QFontMetricsF(tag_font)
        self._fm = QFontMetricsF(font)
        self._text = ""
        self._tokens: tuple[tuple[int, int], ...] = ()
        self._layouts: list[tuple[int, QTextLayout]] = []
        self._lines: list[_Line] = []
        self._line_starts: list[int] = []
        self._line_tops: list[float] = []
        self._items: list[ViewSpan] = []
        self._shown: list[ViewSpan] | None = None
        self._by_key: dict[ItemKey, ViewSpan] = {}
        self._span_by_id: dict[int, ViewSpan] = {}
        self._relations: list[ViewRelation] = []
        self._show_suggestions = True
        self._relation_filter = "all"  # all | selected | none
        self._selected: ItemKey | None = None
        self._sel: tuple[int, int] | None = None  # text selection (snapped)
        self._anchor: int | None = None  # token caret anchor (keyboard)
        self._drag_from: int | None = None
        self._drag_raw: tuple[int, int] | None = None
        self._relation_head: int | None = None  # span id while picking a child
        self._selected_rel: int | None = None  # a relation picked by its label
        self._width = 0
        self._height = 0.0
        self._placeholder = "No document open"
        self._layout_dirty = True
        self._frag_cache: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
        self._tag_w: dict[str, float] = {}
        self._rel_levels: dict[tuple[int, int, int], int] = {}
        self._rel_lanes: dict[int, int] = {}
        self._right = 0.0
        self._rel_plan: dict[int, tuple] = {}

    # ------------------------------------------------------------------------------------------
    # content
    # ------------------------------------------------------------------------------------------
    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.viewport().update()

    def set_document(self, text: str, tokens: Sequence[tuple[int, int]] = ()) -> None:
        """Show another text (clears annotations and selection; scrolls to the top)."""
        self._text = text
        self._tokens = tuple(tuple(t) for t in tokens)  # type: ignore[misc]
        self._items, self._relations = [], []
        self._shown = None
        self._by_key, self._span_by_id = {}, {}
        self._selected = None
        self._sel = None
        self._anchor = None
        self._relation_head = None
        self._shape_text()
        self._layout_dirty = True
        self._relayout()
        self.verticalScrollBar().setValue(0)
        self.viewport().update()

    def set_annotations(self, items: Sequence[ViewSpan], relations: Sequence[ViewRelation]) -> None:
        """Replace the spans/suggestions and relations shown (keeps the selection when it exists)."""
        self._items = sorted(items, key=lambda s: (s.start, -s.end, s.suggestion, s.label))
        self._shown = None
        self._by_key = {s.key: s for s in self._items}
        self._span_by_id = {s.id: s for s in self._items if s.id is not None and not s.suggestion}
        self._relations = [r for r in relations if r.head in self._span_by_id and r.child in self._span_by_id]
        dropped = False
        if self._selected is not None and self._selected not in self._by_key:
            self._selected = None
            dropped = True
        if self._relation_head is not None and self._relation_head not in self._span_by_id:
            self._relation_head = None
        if self._selected_rel is not None and not any(r.id == self._selected_rel for r in self._relations):
            self._selected_rel = None
            dropped = True
        self._relayout()
        self.viewport().update()
        if dropped:
            self.selectionChanged.emit()

    @property
    def text(self) -> str:
        return self._text

    @property
    def items(self) -> list[ViewSpan]:
        """Every span and suggestion shown (suggestions only when visible), by position.

        The list is cached until the annotations or the suggestion toggle change; do not modify it.
        """
        if self._shown is None:
            self._shown = self._items if self._show_suggestions else [s for s in self._items if not s.suggestion]
        return self._shown

    @property
    def relations(self) -> list[ViewRelation]:
        return list(self._relations)

    def item(self, key: ItemKey) -> ViewSpan | None:
        return self._by_key.get(key)

    # ------------------------------------------------------------------------------------------
    # options
    # ------------------------------------------------------------------------------------------
    def set_show_suggestions(self, on: bool) -> None:
        self._show_suggestions = bool(on)
        self._shown = None
        if not on and self._selected is not None and self._selected[0] == "sugg":
            self._selected = None
            self.selectionChanged.emit()
        self._relayout()
        self.viewport().update()

    def show_suggestions(self) -> bool:
        return self._show_suggestions

    def set_relation_filter(self, mode: str) -> None:
        """``"all"`` relations, only the ``"selected"`` span's, or ``"none"``."""
        self._relation_filter = mode
        self._relayout()
        self.viewport().update()

    def relation_filter(self) -> str:
        return self._relation_filter

    def set_relation_head(self, span_id: int | None) -> None:
        """Mark the head span while the window waits for the child of a new relation."""
        self._relation_head = span_id
        self.viewport().update()

    # ------------------------------------------------------------------------------------------
    # selection
    # ------------------------------------------------------------------------------------------
    def selected_key(self) -> ItemKey | None:
        return self._selected

    def selected_item(self) -> ViewSpan | None:
        return self._by_key.get(self._selected) if self._selected is not None else None

    def text_selection(self) -> tuple[int, int] | None:
        """The selected text range (token-snapped unless made with Alt), or ``None``."""
        return self._sel

    def selected_relation(self) -> ViewRelation | None:
        """The relation picked by clicking its label (or in the relations table)."""
        if self._selected_rel is None:
            return None
        return next((r for r in self._relations if r.id == self._selected_rel), None)

    def select_relation(self, rel_id: int | None) -> None:
        rel = next((r for r in self._relations if r.id == rel_id), None)
        self._selected_rel = rel.id if rel is not None else None
        self._selected = None
        self._sel = None
        if rel is not None:
            head = self._span_by_id.get(rel.head)
            if head is not None:
                self.ensure_visible(head.start, head.end)
            if self._relation_filter == "selected":
                self._relayout()
        self.viewport().update()
        self.selectionChanged.emit()

    def relation_at(self, point: QPoint | QPointF) -> ViewRelation | None:
        """The relation whose label is under ``point`` (viewport coordinates)."""
        pt = QPointF(point.x(), point.y() + self._dy())
        for r in self._visible_relations():
            yr = getattr(r, "y_range", None)
            if yr is None or not (yr[0] - 20 <= pt.y() <= yr[1] + 20):
                continue
            self._ensure_route(r)
            if any(lr.contains(pt) for lr in r.label_rects):
                return r
        return None

    def select_item(self, key: ItemKey | None, ensure_visible: bool = True) -> None:
        if key is not None and key not in self._by_key:
            key = None
        self._selected_rel = None
        self._selected = key
        self._sel = None
        item = self._by_key.get(key) if key is not None else None
        if item is not None:
            self._anchor = item.start
            if ensure_visible:
                self.ensure_visible(item.start, item.end)
        if self._relation_filter == "selected":
            self._relayout()
        self.viewport().update()
        self.selectionChanged.emit()

    def select_span_id(self, span_id: int) -> None:
        self.select_item(("span", span_id))

    def set_text_selection(self, start: int, end: int, snap: bool = True) -> None:
        """Select text (snapped to tokens unless ``snap`` is false)."""
        start, end = max(0, min(start, end)), min(len(self._text), max(start, end))
        if end <= start:
            self.clear_selection()
            return
        if snap:
            start, end = self._snap(start, end)
        self._sel = (start, end)
        self._selected = None
        self._selected_rel = None
        self._anchor = start
        self.ensure_visible(start, end)
        self.viewport().update()
        self.selectionChanged.emit()

    def clear_selection(self) -> None:
        changed = self._sel is not None or self._selected is not None or self._selected_rel is not None
        self._sel = None
        self._selected = None
        self._selected_rel = None
        if self._relation_filter == "selected":
            self._relayout()
        self.viewport().update()
        if changed:
            self.selectionChanged.emit()

    def _snap(self, start: int, end: int) -> tuple[int, int]:
        text = self._text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            return (start, start)
        return snap_to_tokens(self._tokens, start, end) if self._tokens else (start, end)

    def next_item(self, forward: bool = True, spans_only: bool = False) -> None:
        """Select the next (or previous) span or suggestion after the current position.

        ``spans_only`` skips suggestions (picking the child of a relation).
        """
        items = [s for s in self.items if not s.suggestion] if spans_only else self.items
        if not items:
            return
        cur = self.selected_item()
        if cur is not None:
            try:
                i = items.index(cur)
            except ValueError:
                i = -1
            j = (i + (1 if forward else -1)) % len(items)
        else:
            pos = self._sel[0] if self._sel else (self._anchor if self._anchor is not None else -1)
            starts = [s.start for s in items]
            if forward:
                j = bisect.bisect_right(starts, pos) if pos >= 0 else 0
                j = j % len(items)
            else:
                j = bisect.bisect_left(starts, max(pos, 0)) - 1
        self.select_item(items[j].key)

    # token caret (keyboard creation of spans) ------------------------------------------------
    def _token_bounds(self) -> list[tuple[int, int]]:
        return [t for t in self._tokens if not self._text[t[0]:t[1]].isspace()]

    def move_token(self, step: int, extend: bool = False) -> None:
        """Move the token caret (or extend the selection) by ``step`` tokens."""
        toks = self._token_bounds()
        if not toks:
            return
        starts = [t[0] for t in toks]
        if self._sel is not None:
            s, e = self._sel
        elif self.selected_item() is not None:
            it = self.selected_item()
            s, e = it.start, it.end  # type: ignore[union-attr]
        elif self._anchor is not None:
            s = e = self._anchor
        else:
            first = self._first_visible_token(toks)
            self.set_text_selection(*toks[first], snap=False)
            return
        if extend:
            if step > 0:
                j = bisect.bisect_left(starts, e)
                if j < len(toks):
                    e = toks[j][1]
            else:
                j = bisect.bisect_left(starts, s) - 1
                # shrink from the right when the selection holds more than one token
                inner = [t for t in toks if s <= t[0] and t[1] <= e]
                if len(inner) > 1:
                    e = inner[-2][1]
                elif j >= 0:
                    s = toks[j][0]
            self.set_text_selection(s, e, snap=False)
            return
        if step > 0:
            j = bisect.bisect_left(starts, e if e > s else s + 1)
            j = min(j, len(toks) - 1)
        else:
            j = bisect.bisect_left(starts, s) - 1
            j = max(j, 0)
        self.set_text_selection(*toks[j], snap=False)

    def move_line(self, step: int) -> None:
        """Move the token caret to the line above or below."""
        toks = self._token_bounds()
        if not toks or not self._lines:
            return
        pos = self._sel[0] if self._sel else (self.selected_item().start if self.selected_item() else None)  # type: ignore[union-attr]
        if pos is None:
            self.move_token(1)
            return
        li = self._line_of(pos)
        x = self._x_of(pos)
        lj = max(0, min(len(self._lines) - 1, li + step))
        line = self._lines[lj]
        p = self._cursor_at_x(lj, x)
        p = max(line.start, min(p, max(line.start, line.end - 1)))
        k = min(token_index_at(self._tokens, p), len(self._tokens) - 1)
        t = self._tokens[k]
        if self._text[t[0]:t[1]].isspace():
            k2 = bisect.bisect_left([a for a, _ in toks], t[1])
            t = toks[min(k2, len(toks) - 1)]
        self.set_text_selection(t[0], t[1], snap=False)

    def _first_visible_token(self, toks: list[tuple[int, int]]) -> int:
        y = self.verticalScrollBar().value()
        li = max(0, bisect.bisect_right(self._line_tops, y) - 1)
        if li < len(self._lines):
            start = self._lines[li].start
            return min(bisect.bisect_left([t[0] for t in toks], start), len(toks) - 1)
        return 0

    # ------------------------------------------------------------------------------------------
    # layout
    # ------------------------------------------------------------------------------------------
    def _shape_text(self) -> None:
        self._layouts = []
        opt = QTextOption()
        opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        opt.setFlags(QTextOption.Flag.IncludeTrailingSpaces)
        pos = 0
        for para in self._text.split("\n"):
            lay = QTextLayout(para.replace("\t", " "), self._font)
            lay.setTextOption(opt)
            lay.setCacheEnabled(True)
            self._layouts.append((pos, lay))
            pos += len(para) + 1
        self._width = -1

    def _text_width(self) -> float:
        return max(120.0, self.viewport().width() - LEFT - GUTTER)

    def _break_lines(self) -> None:
        width = self._text_width()
        self._lines = []
        for li, (offset, lay) in enumerate(self._layouts):
            lay.beginLayout()
            n = 0
            while True:
                line = lay.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width)
                line.setPosition(QPointF(0, 0))
                s = line.textStart()
                self._lines.append(_Line(li, n, offset + s, offset + s + line.textLength()))
                n += 1
            lay.endLayout()
            if n == 0:  # pragma: no cover - QTextLayout always makes one line
                self._lines.append(_Line(li, 0, offset, offset))
        self._line_starts = [ln.start for ln in self._lines]
        self._width = self.viewport().width()
        self._frag_cache = {}

    def _qline(self, li: int):
        ln = self._lines[li]
        return self._layouts[ln.layout_index][1].lineAt(ln.line_no)

    def _line_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self._line_starts, pos) - 1)

    def _x_of(self, pos: int, li: int | None = None) -> float:
        if li is None:
            li = self._line_of(pos)
        ln = self._lines[li]
        offset = self._layouts[ln.layout_index][0]
        x, _ = self._qline(li).cursorToX(pos - offset)
        return LEFT + x

    def _cursor_at_x(self, li: int, x: float) -> int:
        ln = self._lines[li]
        offset = self._layouts[ln.layout_index][0]
        c = self._qline(li).xToCursor(x - LEFT, QTextLine_CursorBetween)
        return offset + c

    def _relayout(self) -> None:
        if not self._layouts:
            self._lines = []
            self._height = 0
            self._update_scrollbar()
            return
        if self._width != self.viewport().width() or self._layout_dirty:
            self._break_lines()
            self._layout_dirty = False
        lines = self._lines
        tag_levels: dict[int, int] = {}
        arc_levels: dict[int, int] = {}
        # span fragments ----------------------------------------------------------------------
        shown = self.items
        per_line: dict[int, list[ViewSpan]] = {}
        cache = self._frag_cache
        # fragments and nesting depth in one pass (longer overlapping spans are drawn larger)
        active: list[ViewSpan] = []
        nested = False
        for sp in shown:
            fk = (sp.start, sp.end)
            frags = cache.get(fk)
            if frags is None:
                frags = self._fragments(sp.start, sp.end)
                cache[fk] = frags
            sp.frags = frags
            if frags:
                li = frags[0][0]
                bucket = per_line.get(li)
                if bucket is None:
                    per_line[li] = [sp]
                else:
                    bucket.append(sp)
            sp.depth = 0
            if active:
                start = sp.start
                active = [a for a in active if a.end > start]
                if active:
                    nested = True
                    for a in active:
                        a.depth = 1
            active.append(sp)
        if nested:
            # a second pass so chains of three nest visibly
            for sp in shown:
                if not sp.depth:
                    continue
                inner = [o for o in shown if o is not sp and o.start >= sp.start and o.end <= sp.end
                         and (o.end - o.start) < (sp.end - sp.start)]
                if inner:
                    sp.depth = 1 + max(o.depth for o in inner) if len(inner) < 8 else 2
                sp.depth = min(sp.depth, 3)
        # tags: below their first fragment, stacked when they would collide ----------------
        for li, sps in per_line.items():
            level_ends: list[float] = []
            if len(sps) > 1:
                sps.sort(key=lambda s: s.frags[0][1])
            for sp in sps:
                x = sp.frags[0][1]
                w = self._tag_width(sp.label) + 8
                lvl = 0
                while lvl < len(level_ends) and level_ends[lvl] > x:
                    lvl += 1
                if lvl == len(level_ends):
                    level_ends.append(0.0)
                level_ends[lvl] = x + w + 2
                sp.tag_level = lvl
                sp.tag_x = x
                sp.tag_w = w
            tag_levels[li] = max(1, len(level_ends))
        # relations: choose which, then arc levels per line ----------------------------------
        self._rel_plan = {}
        rels = self._visible_relations()
        segs_per_line: dict[int, list[tuple[float, float, ViewRelation, int]]] = {}
        right = LEFT + self._text_width()
        plan: list[tuple[ViewRelation, ViewSpan, ViewSpan]] = []
        for r in rels:
            h, c = self._span_by_id.get(r.head), self._span_by_id.get(r.child)
            if h is None or c is None or not h.frags or not c.frags:
                continue
            plan.append((r, h, c))
            hl, hx = h.frags[0][0], (h.frags[0][1] + h.frags[0][2]) / 2
            cl, cx = c.frags[0][0], (c.frags[0][1] + c.frags[0][2]) / 2
            if hl == cl:
                segs_per_line.setdefault(hl, []).append((min(hx, cx), max(hx, cx), r, 0))
            else:
                segs_per_line.setdefault(hl, []).append((hx, right + 4, r, 1))
                segs_per_line.setdefault(cl, []).append((cx, right + 4, r, 2))
        levels: dict[tuple[int, int, int], int] = {}
        label_w = {r.id: self._tag_width(r.label) + 10 for r, _, _ in plan}
        for li, segs in segs_per_line.items():
            placed: list[list[tuple[float, float]]] = []
            for x1, x2, r, part in sorted(segs, key=lambda s: (s[1] - s[0], s[0])):
                # the label needs room around the middle of short arcs too
                mid = (x1 + x2) / 2
                lo = min(x1, mid - label_w[r.id] / 2) - 3
                hi = max(x2, mid + label_w[r.id] / 2) + 3
                lvl = 0
                while lvl < len(placed) and any(not (hi < a or lo > b) for a, b in placed[lvl]):
                    lvl += 1
                if lvl == len(placed):
                    placed.append([])
                placed[lvl].append((lo, hi))
                levels[(r.id, li, part)] = lvl
            arc_levels[li] = len(placed)
        # vertical positions ----------------------------------------------------------------
        lh = self._fm.height()
        y = 6.0
        tops = []
        append = tops.append
        fixed = lh + 3 + ROW_GAP
        arc_get, tag_get = arc_levels.get, tag_levels.get
        for li, ln in enumerate(lines):
            a = arc_get(li, 0)
            t = tag_get(li, 1)
            ln.arc_levels = a
            ln.tag_levels = t
            ln.top = y
            ln.text_y = ty = y + ARC_PAD + a * ARC_H
            ln.bottom = y = ty + fixed + t * TAG_H
            append(ln.top)
        self._line_tops = tops
        self._height = y + 10
        base = lh + 3
        for sp in shown:
            if sp.frags:
                sp.tag_y = lines[sp.frags[0][0]].text_y + base + sp.tag_level * TAG_H
            else:
                sp.tag_x = -1.0
        # relations: gutter lanes now (cheap), paths when first painted --------------------
        self._rel_levels = levels
        self._right = right
        self._rel_lanes = {}
        self._rel_plan = {r.id: (r, h, c) for r, h, c in plan}
        cross = []
        for r, h, c in plan:
            r.path = None
            r.bounds = None
            hl, cl = h.frags[0][0], c.frags[0][0]
            lo, hi = (hl, cl) if hl <= cl else (cl, hl)
            r.y_range = (lines[lo].top, lines[hi].bottom)  # type: ignore[attr-defined]
            if hl != cl:
                cross.append((lines[lo].text_y, lines[hi].text_y, r.id))
        lane_ends: list[float] = []
        for top, bot, rid in sorted(cross):
            lane = 0
            while lane < len(lane_ends) and lane_ends[lane] >= top - 3:
                lane += 1
            if lane == len(lane_ends):
                lane_ends.append(bot)
            else:
                lane_ends[lane] = bot
            self._rel_lanes[rid] = lane
        self._update_scrollbar()

    def _ensure_route(self, r: ViewRelation) -> None:
        if r.path is not None:
            return
        plan = self._rel_plan.get(r.id)
        if plan is None:
            return
        _r, h, c = plan
        self._route(r, h, c, self._rel_levels, self._right, self._rel_lanes.get(r.id, 0))

    def _fragments(self, start: int, end: int) -> list[tuple[int, float, float]]:
        out = []
        lines = self._lines
        l1 = self._line_of(start)
        l2 = self._line_of(max(start, end - 1))
        for li in range(l1, l2 + 1):
            ln = lines[li]
            a = max(start, ln.start)
            b = min(end, ln.end)
            # do not box the trailing space of a wrapped line
            while b > a and self._text[b - 1] in " \n":
                b -= 1
            if b <= a:
                continue
            out.append((li, self._x_of(a, li), self._x_of(b, li)))
        return out

    def _tag_width(self, label: str) -> float:
        w = self._tag_w.get(label)
        if w is None:
            w = self._tag_w[label] = self._tag_fm.horizontalAdvance(label)
        return w

    def _box_top(self, li: int, depth: int) -> float:
        return self._lines[li].text_y - 1 - 2 * depth

    def _route(self, r: ViewRelation, h: ViewSpan, c: ViewSpan, levels: dict, right: float, lane: int) -> None:
        lines = self._lines
        hl, hx = h.frags[0][0], (h.frags[0][1] + h.frags[0][2]) / 2
        cl, cx = c.frags[0][0], (c.frags[0][1] + c.frags[0][2]) / 2
        path = QPainterPath()
        r.label_rects = []
        lw = self._tag_width(r.label) + 10

        def level_y(li: int, part: int) -> float:
            lvl = levels.get((r.id, li, part), 0)
            return lines[li].text_y - ARC_PAD / 2 - 2 - lvl * ARC_H - ARC_H / 2

        hy0 = self._box_top(hl, h.depth)
        cy0 = self._box_top(cl, c.depth)
        if hl == cl:
            ly = level_y(hl, 0)
            path.moveTo(hx, hy0)
            path.lineTo(hx, ly)
            path.lineTo(cx, ly)
            path.lineTo(cx, cy0 - 1)
            mid = (hx + cx) / 2
            r.label_rects.append(QRectF(mid - lw / 2, ly - 6.5, lw, 13))
        else:
            y1 = level_y(hl, 1)
            y2 = level_y(cl, 2)
            gx = right + 8 + (lane % 6) * 6
            path.moveTo(hx, hy0)
            path.lineTo(hx, y1)
            path.lineTo(gx, y1)
            path.lineTo(gx, y2)
            path.lineTo(cx, y2)
            path.lineTo(cx, cy0 - 1)
            r.label_rects.append(QRectF(min(hx + 6, right - lw), y1 - 6.5, lw, 13))
            r.label_rects.append(QRectF(max(cx + 6, LEFT), y2 - 6.5, lw, 13))
            if cx + 6 + lw > right:
                r.label_rects[-1].moveLeft(cx - 6 - lw)
        arrow = QPolygonF([QPointF(cx, cy0), QPointF(cx - 3.5, cy0 - 6), QPointF(cx + 3.5, cy0 - 6)])
        r.path = path
        r.arrow = arrow
        b = path.boundingRect()
        for lr in r.label_rects:
            b = b.united(lr)
        r.bounds = b.adjusted(-4, -4, 4, 4)

    def _visible_relations(self) -> list[ViewRelation]:
        if self._relation_filter == "none":
            return []
        if self._relation_filter == "selected":
            item = self.selected_item()
            ids = set()
            if item is not None and item.id is not None and not item.suggestion:
                ids.add(item.id)
            if self._relation_head is not None:
                ids.add(self._relation_head)
            return [r for r in self._relations if r.head in ids or r.child in ids or r.id == self._selected_rel]
        return self._relations

    def _update_scrollbar(self) -> None:
        vs = self.verticalScrollBar()
        vh = self.viewport().height()
        vs.setPageStep(max(1, vh))
        vs.setSingleStep(int(self._fm.height() * 2))
        vs.setRange(0, max(0, int(self._height - vh)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self._layouts and self._width != self.viewport().width():
            self._relayout()
        else:
            self._update_scrollbar()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(720, 520)

    # ------------------------------------------------------------------------------------------
    # hit testing (viewport coordinates)
    # ------------------------------------------------------------------------------------------
    def _dy(self) -> int:
        return self.verticalScrollBar().value()

    def _row_at_y(self, y: float) -> int:
        return max(0, min(len(self._lines) - 1, bisect.bisect_right(self._line_tops, y) - 1))

    def char_at(self, point: QPoint | QPointF) -> int:
        """The text position (between characters) nearest ``point``."""
        if not self._lines:
            return 0
        li = self._row_at_y(point.y() + self._dy())
        ln = self._lines[li]
        p = self._cursor_at_x(li, point.x())
        return max(ln.start, min(p, ln.end))

    def char_rect(self, pos: int) -> QRect:
        """The box of the character at ``pos`` in viewport coordinates."""
        li = self._line_of(pos)
        ln = self._lines[li]
        x1 = self._x_of(pos, li)
        x2 = self._x_of(min(pos + 1, ln.end), li) if pos + 1 <= ln.end else x1 + 4
        if x2 <= x1:
            x2 = x1 + 4
        y = ln.text_y - self._dy()
        return QRectF(x1, y, x2 - x1, self._fm.height()).toRect()

    def point_for_char(self, pos: int) -> QPoint:
        """A point (viewport coordinates) whose nearest position is just before character ``pos``."""
        li = self._line_of(pos)
        ln = self._lines[li]
        x = self._x_of(pos, li)
        return QPoint(int(round(x)), int(ln.text_y - self._dy() + self._fm.height() / 2))

    def span_rects(self, key: ItemKey) -> list[QRectF]:
        """The boxes drawn for a span or suggestion (viewport coordinates)."""
        sp = self._by_key.get(key)
        if sp is None:
            return []
        return [self._frag_rect(sp, f).translated(0, -self._dy()) for f in sp.frags]

    def tag_rect(self, key: ItemKey) -> QRectF | None:
        sp = self._by_key.get(key)
        r = sp.tag_rect if sp is not None else None
        return None if r is None else r.translated(0, -self._dy())

    def relation_label_rects(self, rel_id: int) -> list[QRectF]:
        for r in self._visible_relations():
            if r.id == rel_id:
                self._ensure_route(r)
                return [QRectF(x).translated(0, -self._dy()) for x in r.label_rects]
        return []

    def item_at(self, point: QPoint | QPointF) -> ViewSpan | None:
        """The span (or, failing that, the suggestion) under ``point`` (the innermost)."""
        pt = QPointF(point.x(), point.y() + self._dy())
        best: ViewSpan | None = None
        for sp in self.items:
            hit = any(self._frag_rect(sp, f).contains(pt) for f in sp.frags) or (
                sp.tag_rect is not None and sp.tag_rect.contains(pt)
            )
            if hit:
                if best is None or (best.suggestion and not sp.suggestion) or (
                    best.suggestion == sp.suggestion and (sp.end - sp.start) < (best.end - best.start)
                ):
                    best = sp
        return best

    def ensure_visible(self, start: int, end: int | None = None) -> None:
        if not self._lines:
            return
        li = self._line_of(start)
        ln = self._lines[li]
        vs = self.verticalScrollBar()
        top, bottom = ln.top, ln.bottom
        vh = self.viewport().height()
        if top < vs.value():
            vs.setValue(int(top))
        elif bottom > vs.value() + vh:
            vs.setValue(int(bottom - vh + 8))

    def _frag_rect(self, sp: ViewSpan, frag: tuple[int, float, float]) -> QRectF:
        li, x1, x2 = frag
        ln = self._lines[li]
        pad = 1.5 + 2 * sp.depth
        return QRectF(x1 - 1.5 - sp.depth, ln.text_y - pad, (x2 - x1) + 3 + 2 * sp.depth,
                      self._fm.height() + 2 * pad)

    # ------------------------------------------------------------------------------------------
    # painting (visible rows only)
    # ------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(event.rect(), QColor("#ffffff"))
        if not self._lines:
            p.setPen(QColor("#888888"))
            p.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            return
        dy = self._dy()
        clip = QRectF(event.rect()).translated(0, dy)
        p.translate(0, -dy)
        first = self._row_at_y(clip.top())
        last = self._row_at_y(clip.bottom())
        # spans overlapping visible rows
        vis_start = self._lines[first].start
        vis_end = self._lines[last].end
        visible = [s for s in self.items if s.end >= vis_start and s.start <= vis_end]
        # larger (deeper) boxes first so nested ones sit on top
        selected = self.selected_item()
        for sp in sorted(visible, key=lambda s: (-s.depth, s.suggestion is False)):
            self._paint_span_boxes(p, sp, first, last, sp is selected)
        # text selection
        if self._sel is not None:
            self._paint_range(p, self._sel, first, last, QColor(51, 153, 255, 90), QColor(51, 120, 220))
        if self._drag_raw is not None:
            a, b = self._drag_raw
            self._paint_range(p, (min(a, b), max(a, b)), first, last, QColor(51, 153, 255, 50), None)
        # text
        p.setPen(QColor("#1a1a1a"))
        for li in range(first, last + 1):
            ln = self._lines[li]
            self._qline(li).draw(p, QPointF(LEFT, ln.text_y))
        # tags
        p.setFont(self._tag_font)
        for sp in visible:
            self._paint_tag(p, sp, sp is selected)
        # relations
        self._paint_relations(p, clip)

    def _paint_range(self, p: QPainter, rng: tuple[int, int], first: int, last: int, fill: QColor,
                     edge: QColor | None) -> None:
        s, e = rng
        for li in range(first, last + 1):
            ln = self._lines[li]
            a, b = max(s, ln.start), min(e, ln.end)
            if b <= a:
                continue
            x1, x2 = self._x_of(a, li), self._x_of(b, li)
            r = QRectF(x1 - 1, ln.text_y - 1, x2 - x1 + 2, self._fm.height() + 2)
            p.fillRect(r, fill)
            if edge is not None:
                p.setPen(QPen(edge, 1))
                p.drawLine(r.bottomLeft(), r.bottomRight())

    def _paint_span_boxes(self, p: QPainter, sp: ViewSpan, first: int, last: int, selected: bool) -> None:
        base = QColor(sp.color)
        if sp.suggestion:
            fill = QColor(base)
            fill.setAlpha(70)
            pen = QPen(_darker(base, 150), 1.2, Qt.PenStyle.DashLine)
        else:
            fill = QColor(base)
            fill.setAlpha(235 if sp.depth == 0 else 150)
            pen = QPen(_darker(base, 135), 1.0)
        if selected:
            pen = QPen(QColor("#1f4fd1"), 2.2, Qt.PenStyle.DashLine if sp.suggestion else Qt.PenStyle.SolidLine)
        if sp.id is not None and sp.id == self._relation_head and not sp.suggestion:
            pen = QPen(QColor("#d62728"), 2.4)
        p.setPen(pen)
        p.setBrush(QBrush(fill))
        for frag in sp.frags:
            if first <= frag[0] <= last:
                p.drawRoundedRect(self._frag_rect(sp, frag), 3.5, 3.5)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_tag(self, p: QPainter, sp: ViewSpan, selected: bool) -> None:
        if sp.tag_rect is None:
            return
        base = QColor(sp.color)
        r = sp.tag_rect
        if sp.suggestion:
            bg = QColor(base)
            bg.setAlpha(90)
            p.setPen(QPen(_darker(base, 170), 1, Qt.PenStyle.DashLine))
            p.setBrush(bg)
        else:
            p.setPen(QPen(_darker(base, 150), 1))
            p.setBrush(base)
        if selected:
            p.setPen(QPen(QColor("#1f4fd1"), 1.6))
        # a thin stem joins a stacked tag to its box
        if sp.tag_level and sp.frags:
            ln = self._lines[sp.frags[0][0]]
            stem = QPen(_darker(base, 150), 1)
            p.save()
            p.setPen(stem)
            x = r.left() + 3
            p.drawLine(QPointF(x, ln.text_y + self._fm.height()), QPointF(x, r.top()))
            p.restore()
        p.drawRoundedRect(r, 3, 3)
        p.setPen(QColor("#5a5a5a") if sp.suggestion else QColor("#202020"))
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, sp.label)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_relations(self, p: QPainter, clip: QRectF) -> None:
        rels = self._visible_relations()
        if not rels:
            return
        sel = self.selected_item()
        sel_id = sel.id if sel is not None and not sel.suggestion else None
        p.setFont(self._tag_font)
        # plain ones first, the selected span's on top
        sel_rel = self._selected_rel
        ordered = sorted(rels, key=lambda r: (r.id == sel_rel, sel_id is not None and (r.head == sel_id or r.child == sel_id)))
        for r in ordered:
            yr = getattr(r, "y_range", None)
            if yr is None or yr[1] < clip.top() - 40 or yr[0] > clip.bottom() + 40:
                continue
            self._ensure_route(r)
            if r.path is None or r.bounds is None or not r.bounds.intersects(clip):
                continue
            picked = r.id == sel_rel
            hot = picked or (sel_id is not None and (r.head == sel_id or r.child == sel_id))
            col = QColor(r.color) if r.color else QColor("#555555")
            line_col = _darker(col, 170) if not hot else QColor("#1f4fd1")
            p.setPen(QPen(line_col, 2.8 if picked else 2.0 if hot else 1.3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(r.path)
            p.setBrush(line_col)
            p.setPen(Qt.PenStyle.NoPen)
            if r.arrow is not None:
                p.drawPolygon(r.arrow)
            for lr in r.label_rects:
                p.setPen(QPen(line_col, 1.6 if picked else 1))
                p.setBrush(QColor("#dbe6fd") if picked else QColor("#ffffff"))
                p.drawRoundedRect(lr, 6, 6)
                p.setPen(QColor("#202020") if not hot else QColor("#1f4fd1"))
                p.drawText(lr, Qt.AlignmentFlag.AlignCenter, r.label)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt API
        self.viewport().update()

    # ------------------------------------------------------------------------------------------
    # mouse
    # ------------------------------------------------------------------------------------------
    def mousePressEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if e.button() != Qt.MouseButton.LeftButton or not self._lines:
            return super().mousePressEvent(e)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = e.position().toPoint()
        self._drag_from = self.char_at(pos)
        self._drag_raw = None
        self._press_point = pos

    def mouseMoveEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._drag_from is None:
            return super().mouseMoveEvent(e)
        pos = e.position().toPoint()
        if (pos - self._press_point).manhattanLength() < 3:
            return
        cur = self.char_at(pos)
        self._drag_raw = (self._drag_from, cur)
        self.viewport().update()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if e.button() != Qt.MouseButton.LeftButton or self._drag_from is None:
            return super().mouseReleaseEvent(e)
        pos = e.position().toPoint()
        start = self._drag_from
        end = self.char_at(pos)
        self._drag_from = None
        self._drag_raw = None
        moved = (pos - self._press_point).manhattanLength() >= 3
        if moved and end != start:
            precise = bool(e.modifiers() & Qt.KeyboardModifier.AltModifier)
            s, t = min(start, end), max(start, end)
            if precise:
                self.set_text_selection(s, t, snap=False)
            else:
                s, t = self._snap(s, t)
                if t > s:
                    self.set_text_selection(s, t, snap=False)
                else:
                    self.clear_selection()
            return
        item = self.item_at(pos)
        rel = self.relation_at(pos) if item is None else None
        if rel is not None:
            self.select_relation(rel.id)
        elif item is not None:
            self.select_item(item.key, ensure_visible=False)
            self.itemClicked.emit(item.key)
        else:
            # a click on a word selects that token (click + number key labels one word)
            self._anchor = start
            tok = self._token_under(pos)
            if tok is not None:
                self.set_text_selection(tok[0], tok[1], snap=False)
            else:
                self.clear_selection()
        self.viewport().update()

    def _token_under(self, point: QPoint) -> tuple[int, int] | None:
        """The (non-space) token whose characters are under ``point``, if any."""
        if not self._tokens or not self._lines:
            return None
        li = self._row_at_y(point.y() + self._dy())
        ln = self._lines[li]
        offset = self._layouts[ln.layout_index][0]
        c = offset + self._qline(li).xToCursor(point.x() - LEFT, QTextLine_CursorOnCharacter)
        if not (ln.start <= c < ln.end):
            return None
        k = token_index_at(self._tokens, c)
        if k >= len(self._tokens):
            return None
        s, t = self._tokens[k]
        if not (s <= c < t) or self._text[s:t].isspace():
            return None
        # the point must be over the glyphs, not in the margin after the line
        if point.x() > self._x_of(t, li) + 1 or point.x() < self._x_of(s, li) - 1:
            return None
        return (s, t)

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if not self._lines:
            return
        pos = self.char_at(e.position().toPoint())
        if self._tokens:
            k = min(token_index_at(self._tokens, pos), len(self._tokens) - 1)
            s, t = self._tokens[k]
            if not self._text[s:t].isspace():
                self.set_text_selection(s, t, snap=False)

    def event(self, e: QEvent) -> bool:  # noqa: D401 - Qt API
        if e.type() == QEvent.Type.ToolTip:
            pos = self.viewport().mapFromGlobal(e.globalPos())
            item = self.item_at(pos)
            if item is not None:
                QToolTip.showText(e.globalPos(), self.tooltip_for(item), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)

    def tooltip_for(self, item: ViewSpan) -> str:
        """The tooltip of a span or suggestion (label, text, layer, source, score). Plain text."""
        text = self._text[item.start:item.end]
        if len(text) > 60:
            text = text[:57] + "..."
        lines = [f"{item.label}: \u201c{text}\u201d"]
        if item.suggestion:
            lines.append(f"Suggestion from {item.layer}")
            if item.score is not None:
                lines.append(f"score {item.score:.2f}")
            lines.append("Enter/A accept \u00b7 X reject")
        else:
            lines.append(f"Layer: {item.layer}")
            if item.source:
                lines.append(f"Source: {item.source}")
        lines.append(f"characters {item.start}\u2013{item.end}")
        # the article's text is data: escaped, so Qt never interprets it as markup
        return "<p style='white-space:pre'>" + _html_escape("\n".join(lines)) + "</p>"

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = e.key()
        # the window's view-only actions (Tab, arrows...) when the shortcut map did not fire,
        # e.g. while the window is not the active one
        seq = QKeySequence(e.keyCombination())
        top = self.window()
        for act in [*self.actions(), *(top.actions() if top is not self else [])]:
            if act.isEnabled() and any(sc.matches(seq) == QKeySequence.SequenceMatch.ExactMatch for sc in act.shortcuts()):
                act.trigger()
                return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.clear_selection()
            return
        super().keyPressEvent(e)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802,A002 - Qt API
        return False  # Tab moves between spans, not out of the view


def _html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


# QTextLine.CursorPosition enum, looked up once
from PySide6.QtGui import QTextLine as _QTextLine  # noqa: E402

QTextLine_CursorBetween = _QTextLine.CursorPosition.CursorBetweenCharacters
QTextLine_CursorOnCharacter = _QTextLine.CursorPosition.CursorOnCharacter
