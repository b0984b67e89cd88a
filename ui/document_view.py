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
from collections.abc import Iterable, Sequence
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
from ui.style import text_on

__all__ = ["DocumentView", "ViewSpan", "ViewRelation", "item_order"]

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
    tag_line: _Line | None = None  # the row the tag hangs under, and its offset below the text top
    tag_dy: float = 0.0

    @property
    def tag_y(self) -> float:
        return self.tag_line.text_y + self.tag_dy if self.tag_line is not None else 0.0

    @property
    def tag_rect(self) -> QRectF | None:
        """The label tag's box (document coordinates; follows its row when rows move)."""
        if self.tag_x < 0 or self.tag_line is None:
            return None
        return QRectF(self.tag_x, self.tag_line.text_y + self.tag_dy, self.tag_w, TAG_H - 2)


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
    # layout: the rows of its two ends (top first) and their line numbers
    lo_line: _Line | None = None
    hi_line: _Line | None = None
    line_range: tuple[int, int] = (0, 0)
    gutter: tuple[float, float, float] | None = None  # (x, y top, y bottom) of its line in the gutter

    @property
    def y_range(self) -> tuple[float, float] | None:
        """Document y from the top of its upper row to the bottom of its lower row."""
        if self.lo_line is None or self.hi_line is None:
            return None
        return (self.lo_line.top, self.hi_line.bottom)


@dataclass(slots=True)
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


def item_order(s: ViewSpan) -> tuple:
    """The view's order of spans and suggestions: by start, longer first (tables use it too)."""
    return (s.start, -s.end, s.suggestion, s.label)


_item_order = item_order


def _item_start(s: ViewSpan) -> int:
    return s.start


def _tag_order(s: ViewSpan) -> tuple:
    return (s.frags[0][1], -s.end, s.suggestion, s.label)


def _seg_order(seg: tuple) -> tuple:
    x1, x2, r, part = seg
    return (x2 - x1, x1, r.id, part)


class DocumentView(QAbstractScrollArea):
    """Plain text with annotation boxes, tags and relation arcs; mouse and keyboard selection."""

    #: the selection changed (a span/suggestion, or a text range, or nothing)
    selectionChanged = Signal()
    #: Enter/Return on the view (accept, or pick in relation mode)
    activated = Signal()
    #: a span or suggestion was clicked (its key)
    itemClicked = Signal(object)
    #: a span's edge was dragged: (span id, new start, new end), snapped to tokens unless Alt
    resizeRequested = Signal(int, int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.setObjectName("documentView")
        # always there, so that a row growing past the bottom never narrows (and re-wraps) the text
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
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
        self._edge_drag: tuple[ViewSpan, str] | None = None  # (span, "start" | "end") while dragging an edge
        self._edge_preview: tuple[int, int] | None = None
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
        self._line_spans: dict[int, list[ViewSpan]] = {}  # spans whose tag hangs under each line
        self._line_segs: dict[int, list[tuple]] = {}  # relation segments on each line
        self._rel_seg_lines: dict[int, set[int]] = {}
        self._max_len = 0  # the longest span (bounds the search for spans overlapping a range)

    # ------------------------------------------------------------------------------------------
    # content
    # ------------------------------------------------------------------------------------------
    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.viewport().update()

    def set_document(self, text: str, tokens: Sequence[tuple[int, int]] = ()) -> None:
        """Show another text (clears annotations and selection; scrolls to the top)."""
        self._text = text
        # stored documents already carry tuples of tuples: no copy of 20,000 pairs per open
        self._tokens = tokens if isinstance(tokens, tuple) else tuple(map(tuple, tokens))  # type: ignore[assignment]
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
        self._items = sorted(items, key=_item_order)
        self._shown = None
        self._by_key = {s.key: s for s in self._items}
        self._span_by_id = {s.id: s for s in self._items if s.id is not None and not s.suggestion}
        self._max_len = max((s.end - s.start for s in self._items), default=0)
        self._relations = [r for r in relations if r.head in self._span_by_id and r.child in self._span_by_id]
        dropped = self._drop_stale_selection()
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
        self._relayout_relations()
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
                self._relayout_relations()
        self.viewport().update()
        self.selectionChanged.emit()

    def relation_at(self, point: QPoint | QPointF) -> ViewRelation | None:
        """The relation whose label is under ``point`` (viewport coordinates)."""
        pt = QPointF(point.x(), point.y() + self._dy())
        for r in self._visible_relations():
            yr = r.y_range
            if yr is None or not (yr[0] - 20 <= pt.y() <= yr[1] + 20):
                continue
            self._ensure_route(r)
            if any(lr.contains(pt) for lr in r.label_rects):
                return r
            gutter = self._gutter_label(r)
            if gutter is not None and gutter[0].contains(pt):
                return r
        return None

    def gutter_label_rect(self, rel_id: int) -> QRectF | None:
        """The gutter label of a relation whose ends are both off screen (viewport coordinates)."""
        for r in self._visible_relations():
            if r.id == rel_id:
                self._ensure_route(r)
                g = self._gutter_label(r)
                return None if g is None else g[0].translated(0, -self._dy())
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
            self._relayout_relations()
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
            self._relayout_relations()
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

    def resized_bounds(self, item: ViewSpan, edge: str, step: int) -> tuple[int, int] | None:
        """``item``'s offsets with its ``edge`` ("start" or "end") moved by ``step`` tokens.

        ``None`` when it cannot move that way (the start of the text, or a span of one token
        that would become empty).
        """
        toks = self._token_bounds()
        if not toks:
            return None
        starts = [t[0] for t in toks]
        s, e = item.start, item.end
        if edge == "end":
            if step > 0:
                j = bisect.bisect_left(starts, e)
                if j >= len(toks):
                    return None
                e = toks[j][1]
            else:
                j = bisect.bisect_left(starts, e) - 1  # the last token inside
                if j < 1 or toks[j - 1][1] <= s:
                    return None
                e = toks[j - 1][1]
        else:
            if step < 0:
                j = bisect.bisect_right(starts, s - 1) - 1
                if j < 0 or toks[j][0] >= s:
                    return None
                s = toks[j][0]
            else:
                j = bisect.bisect_right(starts, s)
                if j >= len(toks) or toks[j][0] >= e:
                    return None
                s = toks[j][0]
        return (s, e)

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
        """Lay out everything: line breaks (when the width changed), tags, nesting, arcs, rows."""
        if not self._layouts:
            self._lines = []
            self._line_tops = []
            self._height = 0
            self._update_scrollbar()
            return
        if self._width != self.viewport().width() or self._layout_dirty:
            self._break_lines()
            self._layout_dirty = False
        shown = self.items
        line_spans: dict[int, list[ViewSpan]] = {}
        frags_of = self._frags_of
        for sp in shown:
            frags = frags_of(sp)
            if frags:
                li = frags[0][0]
                bucket = line_spans.get(li)
                if bucket is None:
                    line_spans[li] = [sp]
                else:
                    bucket.append(sp)
            else:
                sp.tag_x = -1.0
                sp.tag_line = None
        self._line_spans = line_spans
        self._assign_depths(shown)
        for ln in self._lines:
            ln.tag_levels = 1
        for li in line_spans:
            self._layout_tags(li)
        self._layout_relations()
        self._position_lines(0)
        self._update_scrollbar()

    def _relayout_relations(self) -> None:
        """Only the relations changed which are drawn (the filter, or the selection it follows)."""
        if not self._lines or self._layout_dirty or self._width != self.viewport().width():
            self._relayout()
            return
        self._layout_relations()
        self._position_lines(0)
        self._update_scrollbar()

    # -- pieces of the layout (each one is also used by the incremental update) ---------------
    def _frags_of(self, sp: ViewSpan) -> list[tuple[int, float, float]]:
        """The span's boxes, one per visual line (cached by offsets until the width changes)."""
        fk = (sp.start, sp.end)
        frags = self._frag_cache.get(fk)
        if frags is None:
            frags = self._frag_cache[fk] = self._fragments(sp.start, sp.end)
        sp.frags = frags
        return frags

    @staticmethod
    def _assign_depths(spans: Sequence[ViewSpan]) -> None:
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

    def _layout_tags(self, li: int) -> None:
        """Tags of the spans starting on line ``li``: below their first box, stacked when they collide."""
        ln = self._lines[li]
        sps = self._line_spans.get(li)
        if not sps:
            ln.tag_levels = 1
            return
        if len(sps) > 1:
            sps.sort(key=_tag_order)
        base = self._fm.height() + 3
        level_ends: list[float] = []
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
            sp.tag_line = ln
            sp.tag_dy = base + lvl * TAG_H
        ln.tag_levels = max(1, len(level_ends))

    def _layout_relations(self) -> None:
        """Which relations are drawn, their segments per line, arc levels and gutter lanes."""
        for ln in self._lines:
            ln.arc_levels = 0
        self._line_segs = {}
        self._rel_seg_lines = {}
        self._rel_plan = {}
        self._rel_levels = {}
        self._rel_lanes = {}
        self._right = LEFT + self._text_width()
        for r in self._relations:
            r.path = None
            r.bounds = None
            r.lo_line = r.hi_line = None
        for r in self._visible_relations():
            self._add_segments(r)
        for li in self._line_segs:
            self._layout_arcs(li)
        self._assign_lanes()

    def _add_segments(self, r: ViewRelation) -> set[int]:
        """Plan one relation: its segments on the lines of its two ends. Returns those lines."""
        h, c = self._span_by_id.get(r.head), self._span_by_id.get(r.child)
        r.path = None
        r.bounds = None
        if h is None or c is None or not h.frags or not c.frags:
            r.lo_line = r.hi_line = None
            return set()
        self._rel_plan[r.id] = (r, h, c)
        hl, hx = h.frags[0][0], (h.frags[0][1] + h.frags[0][2]) / 2
        cl, cx = c.frags[0][0], (c.frags[0][1] + c.frags[0][2]) / 2
        segs = self._line_segs
        if hl == cl:
            segs.setdefault(hl, []).append((min(hx, cx), max(hx, cx), r, 0))
            lines = {hl}
        else:
            right = self._right
            segs.setdefault(hl, []).append((hx, right + 4, r, 1))
            segs.setdefault(cl, []).append((cx, right + 4, r, 2))
            lines = {hl, cl}
        self._rel_seg_lines[r.id] = lines
        lo, hi = (hl, cl) if hl <= cl else (cl, hl)
        r.lo_line, r.hi_line = self._lines[lo], self._lines[hi]
        r.line_range = (lo, hi)
        return lines

    def _remove_segments(self, rid: int) -> set[int]:
        lines = self._rel_seg_lines.pop(rid, set())
        for li in lines:
            segs = self._line_segs.get(li)
            if segs:
                self._line_segs[li] = [s for s in segs if s[2].id != rid]
            for part in (0, 1, 2):
                self._rel_levels.pop((rid, li, part), None)
        plan = self._rel_plan.pop(rid, None)
        if plan is not None:
            plan[0].lo_line = plan[0].hi_line = None
        self._rel_lanes.pop(rid, None)
        return lines

    def _layout_arcs(self, li: int) -> None:
        """Arc levels of the relation segments on line ``li`` (short ones low, no two labels collide)."""
        segs = self._line_segs.get(li) or ()
        placed: list[list[tuple[float, float]]] = []
        levels = self._rel_levels
        for x1, x2, r, part in sorted(segs, key=_seg_order):
            # the label needs room around the middle of short arcs too
            half = (self._tag_width(r.label) + 10) / 2
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
        self._lines[li].arc_levels = len(placed)

    def _assign_lanes(self) -> set[int]:
        """Gutter lanes of the relations between lines (by line numbers, so rows can move).

        Returns the relations whose lane changed.
        """
        cross = sorted((r.line_range[0], r.line_range[1], rid) for rid, (r, h, c) in self._rel_plan.items()
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
        old = self._rel_lanes
        changed = {rid for rid in lanes.keys() | old.keys() if lanes.get(rid) != old.get(rid)}
        self._rel_lanes = lanes
        return changed

    def _position_lines(self, first: int) -> None:
        """Row positions from line ``first`` down (the rows above it did not move)."""
        lines = self._lines
        tops = self._line_tops
        if len(tops) != len(lines):
            tops = self._line_tops = [0.0] * len(lines)
            first = 0
        fixed = self._fm.height() + 3 + ROW_GAP
        y = lines[first].top if first > 0 else 6.0
        for li in range(first, len(lines)):
            ln = lines[li]
            ln.top = tops[li] = y
            ln.text_y = ty = y + ARC_PAD + ln.arc_levels * ARC_H
            ln.bottom = y = ty + fixed + ln.tag_levels * TAG_H
        self._height = y + 10

    # -- the incremental update -------------------------------------------------------------
    def update_annotations(self, remove: Iterable[ItemKey] = (), add: Iterable[ViewSpan] = (),
                           remove_relations: Iterable[int] = (), add_relations: Iterable[ViewRelation] = ()) -> None:
        """Change some spans/suggestions and relations (a changed one is removed and added again).

        Only what changed is laid out again: the tags of the lines it is on, the nesting of the
        spans it overlaps, the arcs of the relations at its ends; the rows below move if a row
        changed height, and only the part of the view that changed is repainted.
        """
        remove, add = list(remove), list(add)
        remove_relations, add_relations = list(remove_relations), list(add_relations)
        if not (remove or add or remove_relations or add_relations):
            return
        full = not self._lines or self._layout_dirty or self._width != self.viewport().width()
        show_sugg = self._show_suggestions
        by_key, by_id, items = self._by_key, self._span_by_id, self._items
        removed: list[ViewSpan] = []
        for key in remove:
            sp = by_key.pop(key, None)
            if sp is None:
                continue
            self._remove_item(sp)
            if sp.id is not None and not sp.suggestion and by_id.get(sp.id) is sp:
                del by_id[sp.id]
            removed.append(sp)
        added: list[ViewSpan] = []
        for sp in add:
            old = by_key.get(sp.key)
            if old is not None:  # replaced without being named in ``remove``
                self._remove_item(old)
                removed.append(old)
            by_key[sp.key] = sp
            bisect.insort(items, sp, key=_item_order)
            if sp.id is not None and not sp.suggestion:
                by_id[sp.id] = sp
            if sp.end - sp.start > self._max_len:
                self._max_len = sp.end - sp.start
            added.append(sp)
        self._shown = None
        # relations: the list keeps its order; one whose end is gone goes with it
        old_rels = {r.id: r for r in self._relations}
        new_ids = {r.id for r in add_relations}
        drop = set(remove_relations) | new_ids
        rels = [r for r in self._relations if r.id not in drop]
        rels.extend(add_relations)
        rels = [r for r in rels if r.head in by_id and r.child in by_id]
        self._relations = rels
        kept = {r.id for r in rels}
        gone = {rid for rid in old_rels if rid not in kept or rid in new_ids}
        gone_ys = []
        for rid in gone:
            r = old_rels[rid]
            if r.bounds is not None:
                gone_ys.append((r.bounds.top(), r.bounds.bottom()))
            if r.lo_line is not None:
                gone_ys.append((r.lo_line.top, r.hi_line.bottom))
        changed_ids = {sp.id for sp in (*removed, *added) if sp.id is not None and not sp.suggestion}
        dropped = self._drop_stale_selection()
        if full:
            self._relayout()
            self.viewport().update()
            if dropped:
                self.selectionChanged.emit()
            return

        lines = self._lines
        tag_lines: set[int] = set()
        box_lines: set[int] = set()
        lo_pos, hi_pos = None, None
        for sp in removed:
            if (sp.suggestion and not show_sugg) or not sp.frags:
                continue
            li = sp.frags[0][0]
            bucket = self._line_spans.get(li)
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
            frags = self._frags_of(sp)
            if sp.suggestion and not show_sugg:
                continue
            if frags:
                li = frags[0][0]
                self._line_spans.setdefault(li, []).append(sp)
                tag_lines.add(li)
                box_lines.update(f[0] for f in frags)
            else:
                sp.tag_x = -1.0
                sp.tag_line = None
            lo_pos = sp.start if lo_pos is None else min(lo_pos, sp.start)
            hi_pos = sp.end if hi_pos is None else max(hi_pos, sp.end)
        # nesting of the spans overlapping what changed
        if lo_pos is not None:
            cluster = self._cluster(lo_pos, hi_pos)
            before = [s.depth for s in cluster]
            self._assign_depths(cluster)
            for s, d in zip(cluster, before):
                if s.depth != d:
                    box_lines.update(f[0] for f in s.frags)
                    if s.id is not None and not s.suggestion:
                        changed_ids.add(s.id)
        heights = {}

        def remember(li: int) -> None:
            if li not in heights:
                ln = lines[li]
                heights[li] = (ln.arc_levels, ln.tag_levels)

        for li in tag_lines:
            remember(li)
            self._layout_tags(li)
        # relations at the ends of what changed
        inval: set[int] = set()
        if self._relation_filter != "all":
            old = {li: (ln.arc_levels, ln.tag_levels) for li, ln in enumerate(lines)}
            heights = {**old, **heights}
            self._layout_relations()
            inval = {r.id for r in self._relations}
        else:
            rel_dirty = set(gone) | {r.id for r in add_relations}
            if changed_ids:
                rel_dirty.update(r.id for r in rels if r.head in changed_ids or r.child in changed_ids)
            arc_lines: set[int] = set()
            for rid in rel_dirty:
                arc_lines |= self._remove_segments(rid)
            present = {r.id: r for r in rels}
            for rid in rel_dirty:
                r = present.get(rid)
                if r is not None:
                    arc_lines |= self._add_segments(r)
            for li in arc_lines:
                remember(li)
                self._layout_arcs(li)
                inval.update(s[2].id for s in self._line_segs.get(li, ()))
            inval |= rel_dirty
            if rel_dirty:
                inval |= self._assign_lanes()
        # rows: move everything below a row that changed height
        first_shift = None
        for li, hw in heights.items():
            ln = lines[li]
            if (ln.arc_levels, ln.tag_levels) != hw and (first_shift is None or li < first_shift):
                first_shift = li
        if first_shift is not None:
            self._position_lines(first_shift)
            for rid, (r, _h, _c) in self._rel_plan.items():
                if r.line_range[1] >= first_shift:
                    inval.add(rid)
            self._update_scrollbar()
        # what to repaint (document y), before the invalidated routes forget their bounds
        ys = [(lines[li].top, lines[li].bottom) for li in (*box_lines, *tag_lines, *heights)]
        for r in self._relations:
            if r.id in inval:
                if r.bounds is not None:
                    ys.append((r.bounds.top(), r.bounds.bottom()))
                if r.lo_line is not None:
                    ys.append((r.lo_line.top, r.hi_line.bottom))
                r.path = None
                r.bounds = None
        self._repaint_rows(ys + gone_ys, to_end=first_shift is not None)
        if dropped:
            self.selectionChanged.emit()

    def _repaint_rows(self, ys: list[tuple[float, float]], to_end: bool = False) -> None:
        """Schedule a repaint of the document band covering ``ys`` (document y ranges)."""
        if not ys and not to_end:
            return
        dy = self._dy()
        vh = self.viewport().height()
        top = min((a for a, _ in ys), default=dy) - 10
        bottom = dy + vh if to_end else max(b for _, b in ys) + 10
        y1, y2 = max(0, int(top - dy)), min(vh, int(bottom - dy) + 1)
        if y2 > y1:
            self.viewport().update(QRect(0, y1, self.viewport().width(), y2 - y1))

    def _remove_item(self, sp: ViewSpan) -> None:
        items = self._items
        i = bisect.bisect_left(items, _item_order(sp), key=_item_order)
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

    def _cluster(self, start: int, end: int) -> list[ViewSpan]:
        """The shown spans overlapping ``start..end`` and everything overlapping those, in order."""
        items = self.items
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

    def _drop_stale_selection(self) -> bool:
        """Forget a selected span/relation that is gone; True when something was dropped."""
        dropped = False
        if self._selected is not None and self._selected not in self._by_key:
            self._selected = None
            dropped = True
        if self._relation_head is not None and self._relation_head not in self._span_by_id:
            self._relation_head = None
        if self._selected_rel is not None and not any(r.id == self._selected_rel for r in self._relations):
            self._selected_rel = None
            dropped = True
        return dropped

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
        r.gutter = None
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
            r.gutter = (gx, min(y1, y2), max(y1, y2))
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

    def find_item(self, start: int, end: int, label: str | None = None, suggestion: bool = False) -> ViewSpan | None:
        """The shown span (or suggestion) with exactly these offsets (and label, when given)."""
        for sp in self._items_between(start, start):
            if sp.start == start and sp.end == end and sp.suggestion == suggestion and label in (None, sp.label):
                return sp
        return None

    def edge_at(self, point: QPoint | QPointF) -> tuple[ViewSpan, str] | None:
        """A span (not a suggestion) whose start or end edge is under ``point`` (within 4 px)."""
        pt = QPointF(point.x(), point.y() + self._dy())
        if not self._lines:
            return None
        li = self._row_at_y(pt.y())
        ln = self._lines[li]
        best = None
        for sp in self._items_between(ln.start, ln.end):
            if sp.suggestion or not sp.frags:
                continue
            for edge, frag in (("start", sp.frags[0]), ("end", sp.frags[-1])):
                if frag[0] != li:
                    continue
                r = self._frag_rect(sp, frag)
                x = r.left() if edge == "start" else r.right()
                d = abs(pt.x() - x)
                if d <= 4 and r.top() <= pt.y() <= r.bottom() and (best is None or d < best[0]):
                    best = (d, sp, edge)
        return None if best is None else (best[1], best[2])

    def _edge_target(self, sp: ViewSpan, edge: str, point: QPoint | QPointF, precise: bool) -> tuple[int, int]:
        """The span's new offsets when its ``edge`` is dropped at ``point`` (token-snapped)."""
        c = self.char_at(point)
        s, e = sp.start, sp.end
        if edge == "end":
            e = max(c, s + 1)
            if not precise:
                _, e = self._snap(s, e)
                e = max(e, s + 1)
        else:
            s = min(c, e - 1)
            if not precise:
                s, _ = self._snap(s, e)
        return (s, e)

    def _items_between(self, start: int, end: int) -> list[ViewSpan]:
        """The shown spans and suggestions touching ``start..end`` (in order; a bisection, not a scan)."""
        items = self.items
        lo = bisect.bisect_left(items, start - self._max_len, key=_item_start)
        hi = bisect.bisect_right(items, end, key=_item_start)
        return [s for s in items[lo:hi] if s.end >= start]

    def item_at(self, point: QPoint | QPointF) -> ViewSpan | None:
        """The span (or, failing that, the suggestion) under ``point`` (the innermost)."""
        pt = QPointF(point.x(), point.y() + self._dy())
        best: ViewSpan | None = None
        if not self._lines:
            return None
        li = self._row_at_y(pt.y())
        near = self._items_between(self._lines[max(0, li - 1)].start, self._lines[min(len(self._lines) - 1, li + 1)].end)
        for sp in near:
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
        visible = self._items_between(self._lines[first].start, self._lines[last].end)
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
        if self._edge_preview is not None:  # where a dragged edge will put the span
            self._paint_range(p, self._edge_preview, first, last, QColor(31, 79, 209, 45), QColor("#1f4fd1"))
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
        p.setPen(QColor("#5a5a5a") if sp.suggestion else text_on(base))  # readable on a dark label colour
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
            yr = r.y_range
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
            gutter = self._gutter_label(r)
            if gutter is not None:
                self._paint_gutter_label(p, r, gutter, line_col, picked, hot)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def _gutter_label(self, r: ViewRelation) -> tuple[QRectF, str] | None:
        """Where a relation between two lines is labelled in the gutter when neither of its end
        labels is on screen (so a line running past the view still says what it is): a vertical
        box on the visible part of its gutter line, reading "LABEL: head → child" downwards. ``None``
        when an end label can be seen or too little of the line is visible.
        """
        if r.gutter is None or not r.label_rects:
            return None
        dy = self._dy()
        vh = self.viewport().height()
        top, bottom = dy + 6.0, dy + vh - 6.0
        if any(top - 6 <= lr.center().y() <= bottom + 6 for lr in r.label_rects):
            return None
        gx, y1, y2 = r.gutter
        a, b = max(y1, top), min(y2, bottom)
        if b - a < 40:
            return None
        h, c = self._span_by_id.get(r.head), self._span_by_id.get(r.child)

        def name(sp: ViewSpan | None) -> str:
            if sp is None:
                return "?"
            t = " ".join(self._text[sp.start:sp.end].split())
            return t if len(t) <= 24 else t[:23] + "\u2026"

        down = c is not None and h is not None and c.start > h.start
        # the text runs down the page, so "→" points down to a child below, "←" up to one above
        arrow = "\u2192" if down else "\u2190"
        text = f"{r.label}: {name(h)} {arrow} {name(c)}"
        fm = self._tag_fm
        length = min(fm.horizontalAdvance(text) + 14, b - a - 4)
        lane = self._rel_lanes.get(r.id, 0)
        # parallel lines (neighbouring lanes) put their boxes at different heights
        slot = (lane % 3 + 1) / 4
        mid = a + (b - a) * slot
        y0 = max(a + 2, min(mid - length / 2, b - 2 - length))
        return QRectF(max(gx - 7, self._right + 3), y0, 14, length), text

    def _paint_gutter_label(self, p: QPainter, r: ViewRelation, gutter: tuple[QRectF, str], line_col: QColor,
                            picked: bool, hot: bool) -> None:
        rect, text = gutter
        p.save()
        p.setPen(QPen(line_col, 1.6 if picked else 1))
        p.setBrush(QColor("#dbe6fd") if picked else QColor("#ffffff"))
        p.drawRoundedRect(rect, 6, 6)
        # the text runs down the line, read with the head tilted right
        p.translate(rect.center())
        p.rotate(90)
        box = QRectF(-rect.height() / 2, -rect.width() / 2, rect.height(), rect.width())
        p.setPen(QColor("#202020") if not hot else QColor("#1f4fd1"))
        elided = self._tag_fm.elidedText(text, Qt.TextElideMode.ElideRight, box.width() - 8)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, elided)
        p.restore()

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
        self._press_point = pos
        edge = self.edge_at(pos)
        if edge is not None:  # dragging a span's edge resizes it
            self._edge_drag = edge
            self._edge_preview = (edge[0].start, edge[0].end)
            self._drag_from = None
            return
        self._drag_from = self.char_at(pos)
        self._drag_raw = None

    def mouseMoveEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        pos = e.position().toPoint()
        if self._edge_drag is not None:
            sp, edge = self._edge_drag
            precise = bool(e.modifiers() & Qt.KeyboardModifier.AltModifier)
            self._edge_preview = self._edge_target(sp, edge, pos, precise)
            self.viewport().update()
            return
        if self._drag_from is None:
            over_edge = e.buttons() == Qt.MouseButton.NoButton and self.edge_at(pos) is not None
            self.viewport().setCursor(Qt.CursorShape.SizeHorCursor if over_edge else Qt.CursorShape.IBeamCursor)
            return super().mouseMoveEvent(e)
        if (pos - self._press_point).manhattanLength() < 3:
            return
        cur = self.char_at(pos)
        self._drag_raw = (self._drag_from, cur)
        self.viewport().update()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if e.button() == Qt.MouseButton.LeftButton and self._edge_drag is not None:
            sp, edge = self._edge_drag
            precise = bool(e.modifiers() & Qt.KeyboardModifier.AltModifier)
            s, t = self._edge_target(sp, edge, e.position().toPoint(), precise)
            self._edge_drag = None
            self._edge_preview = None
            self.viewport().update()
            if (s, t) != (sp.start, sp.end) and sp.id is not None:
                self.resizeRequested.emit(sp.id, s, t)
            elif (e.position().toPoint() - self._press_point).manhattanLength() < 3:
                self.select_item(sp.key, ensure_visible=False)  # a click on the edge selects
                self.itemClicked.emit(sp.key)
            return
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
            rel = self.relation_at(pos) if item is None else None
            if item is not None:
                QToolTip.showText(e.globalPos(), self.tooltip_for(item), self)
            elif rel is not None:
                h, c = self._span_by_id.get(rel.head), self._span_by_id.get(rel.child)
                ht = self._text[h.start:h.end] if h else "?"
                ct = self._text[c.start:c.end] if c else "?"
                tip = f"{rel.label}: \u201c{ht}\u201d \u2192 \u201c{ct}\u201d\nClick to select; a number key relabels it"
                QToolTip.showText(e.globalPos(), "<p style='white-space:pre'>" + _html_escape(tip) + "</p>", self)
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
