"""Drawing a computed :class:`~ui.view.layout.DocumentLayout` with a ``QPainter`` (visible rows only).

Colours follow the widget's palette (a dark desktop gives a dark view): the text and background
are the palette's; label fills are blended more lightly on a dark background so that the text
stays readable; the selection is a blue chosen to differ from every default label colour
(tests/view/test_view_palette.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPolygonF,
    QStaticText,
)

from ui.style import text_on
from ui.view.colors import SELECTION, SELECTION_FILL
from ui.view.layout import DocumentLayout
from ui.view.model import Rect, ViewRelation, ViewSpan

__all__ = ["Theme", "PaintState", "paint_document", "SELECTION", "SELECTION_FILL", "HINT_FILL"]

HINT_FILL = "#ffd400"
HEAD = "#d62728"


def qrect(r: Rect) -> QRectF:
    return QRectF(r.x, r.y, r.w, r.h)


@dataclass
class Theme:
    """The view's colours, from a palette."""

    base: QColor
    text: QColor
    dim: QColor
    dark: bool

    @classmethod
    def from_palette(cls, pal: QPalette) -> Theme:
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        dark = base.lightness() < 128
        dim = QColor(text)
        dim.setAlpha(150)
        return cls(base, text, dim, dark)

    @property
    def select(self) -> QColor:
        """The selection's outline: the selection blue, lighter on a dark background."""
        return QColor("#7ea6ff") if self.dark else QColor(SELECTION)

    @property
    def picked(self) -> QColor:
        """The background of a picked relation's label."""
        return QColor("#2a3f6e") if self.dark else QColor("#dbe6fd")

    def line_colour(self, c: QColor) -> QColor:
        """A relation's line colour: darker on white, lighter on a dark background."""
        return c.lighter(150) if self.dark else c.darker(170)


@dataclass
class PaintState:
    """What the widget adds to the layout: selection, drags, relation mode, hints."""

    selected: ViewSpan | None = None
    selection: tuple[int, int] | None = None
    drag: tuple[int, int] | None = None
    edge_preview: tuple[int, int] | None = None
    relation_head: int | None = None
    selected_rel: int | None = None
    hints: dict[str, tuple[float, float]] = field(default_factory=dict)  # hint -> document (x, y)
    placeholder: str = ""
    #: shaped text of the lines drawn so far (line index -> QStaticText); the widget empties it
    #: when the lines or the font change
    text_cache: dict = field(default_factory=dict)
    #: label -> hatch pattern (a second cue for labels of too similar colours)
    patterns: dict[str, int] = field(default_factory=dict)


def paint_document(p: QPainter, lay: DocumentLayout, st: PaintState, theme: Theme, font: QFont, tag_font: QFont,
                   clip: QRectF, dy: float, view_h: float) -> None:
    """Paint the rows of ``lay`` in ``clip`` (document coordinates; the painter is translated)."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.fillRect(clip.translated(0, -dy), theme.base)
    if not lay.lines:
        p.setPen(theme.dim)
        p.drawText(clip.translated(0, -dy), Qt.AlignmentFlag.AlignCenter, st.placeholder)
        return
    p.translate(0, -dy)
    first, last = lay.row_at_y(clip.top()), lay.row_at_y(clip.bottom())
    visible = lay.items_between(lay.lines[first].start, lay.lines[last].end)
    for sp in sorted(visible, key=lambda s: (-s.depth, s.suggestion is False)):  # nested ones on top
        _paint_boxes(p, lay, sp, first, last, sp is st.selected, sp.id is not None and sp.id == st.relation_head
                     and not sp.suggestion, theme, st.patterns.get(sp.label, 0))
    if st.selection is not None:
        _paint_range(p, lay, st.selection, first, last, QColor(*SELECTION_FILL), QColor(SELECTION))
    if st.drag is not None:
        a, b = st.drag
        fill = QColor(*SELECTION_FILL)
        fill.setAlpha(50)
        _paint_range(p, lay, (min(a, b), max(a, b)), first, last, fill, None)
    if st.edge_preview is not None:  # where a dragged edge will put the span
        _paint_range(p, lay, st.edge_preview, first, last, QColor(31, 79, 209, 45), QColor(SELECTION))
    p.setFont(font)
    p.setPen(theme.text)
    disp, left, cache = lay.tl.disp, lay.metrics.left, st.text_cache
    for li in range(first, last + 1):
        ln = lay.lines[li]
        if ln.blank:
            continue
        text = cache.get(li)
        if text is None:  # shaped once, drawn at every paint (plain text: markup stays characters)
            text = cache[li] = QStaticText(disp[ln.start:ln.end])
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
        p.drawStaticText(QPointF(left, ln.text_y), text)
    p.setFont(tag_font)
    for sp in visible:
        _paint_tag(p, lay, sp, sp is st.selected, theme)
    _paint_relations(p, lay, st, theme, clip, dy, view_h)
    if st.hints:
        _paint_hints(p, st.hints, tag_font)


def _paint_range(p: QPainter, lay: DocumentLayout, rng: tuple[int, int], first: int, last: int, fill: QColor,
                 edge: QColor | None) -> None:
    s, e = rng
    for li in range(first, last + 1):
        ln = lay.lines[li]
        a, b = max(s, ln.start), min(e, ln.end)
        if b <= a:
            continue
        x1, x2 = lay.x_of(a, li), lay.x_of(b, li)
        r = QRectF(x1 - 1, ln.text_y - 1, x2 - x1 + 2, lay.metrics.line_height + 2)
        p.fillRect(r, fill)
        if edge is not None:
            p.setPen(QPen(edge, 1))
            p.drawLine(r.bottomLeft(), r.bottomRight())


_HATCH = (Qt.BrushStyle.BDiagPattern, Qt.BrushStyle.FDiagPattern, Qt.BrushStyle.DiagCrossPattern)


def _paint_boxes(p: QPainter, lay: DocumentLayout, sp: ViewSpan, first: int, last: int, selected: bool,
                 head: bool, theme: Theme, pattern: int = 0) -> None:
    base = QColor(sp.color)
    fill = QColor(base)
    if sp.suggestion:
        fill.setAlpha(55 if theme.dark else 70)
        pen = QPen(theme.line_colour(base), 1.2, Qt.PenStyle.DashLine)
    else:
        fill.setAlpha((120 if theme.dark else 235) if sp.depth == 0 else (90 if theme.dark else 150))
        pen = QPen(base.lighter(120) if theme.dark else base.darker(135), 1.0)
    if selected:
        pen = QPen(theme.select, 2.2,
                   Qt.PenStyle.DashLine if sp.suggestion else Qt.PenStyle.SolidLine)
    if head:
        pen = QPen(QColor(HEAD), 2.4)
    p.setPen(pen)
    p.setBrush(QBrush(fill))
    hatch = None
    if pattern:
        ink = base.darker(190)
        ink.setAlpha(150 if not sp.suggestion else 80)
        hatch = QBrush(ink, _HATCH[min(pattern, len(_HATCH)) - 1])
    for frag in sp.frags:
        if first <= frag[0] <= last:
            box = qrect(lay.frag_rect(sp, frag))
            p.drawRoundedRect(box, 3.5, 3.5)
            if hatch is not None:  # a second cue: this label's colour is close to another's
                p.fillRect(box.adjusted(1.5, 1.5, -1.5, -1.5), hatch)
    p.setBrush(Qt.BrushStyle.NoBrush)


def _paint_tag(p: QPainter, lay: DocumentLayout, sp: ViewSpan, selected: bool, theme: Theme) -> None:
    tr = sp.tag_rect
    if tr is None:
        return
    base = QColor(sp.color)
    r = qrect(tr)
    if sp.suggestion:
        bg = QColor(base)
        bg.setAlpha(90)
        p.setPen(QPen(theme.line_colour(base), 1, Qt.PenStyle.DashLine))
        p.setBrush(bg)
    else:
        p.setPen(QPen(base.darker(150), 1))
        p.setBrush(base)
    if selected:
        p.setPen(QPen(theme.select, 1.6))
    if sp.tag_level and sp.frags:  # a thin stem joins a stacked tag to its box
        ln = lay.lines[sp.frags[0][0]]
        p.save()
        p.setPen(QPen(base.darker(150), 1))
        x = r.left() + 3
        p.drawLine(QPointF(x, ln.text_y + lay.metrics.line_height), QPointF(x, r.top()))
        p.restore()
    p.drawRoundedRect(r, 3, 3)
    p.setPen(theme.dim if sp.suggestion else text_on(base))  # readable on a dark label colour
    p.drawText(r, Qt.AlignmentFlag.AlignCenter, sp.label)
    p.setBrush(Qt.BrushStyle.NoBrush)


def _relation_order(st: PaintState, sel_id: int | None):
    def key(r: ViewRelation) -> tuple:
        return (r.preview, r.id == st.selected_rel, sel_id is not None and (r.head == sel_id or r.child == sel_id))

    return key


def _paint_relations(p: QPainter, lay: DocumentLayout, st: PaintState, theme: Theme, clip: QRectF, dy: float,
                     view_h: float) -> None:
    rels = lay.visible_relations()
    if not rels:
        return
    sel = st.selected
    sel_id = sel.id if sel is not None and not sel.suggestion else None
    for r in sorted(rels, key=_relation_order(st, sel_id)):  # the selected span's on top
        yr = r.y_range
        if yr is None or yr[1] < clip.top() - 40 or yr[0] > clip.bottom() + 40:
            continue
        lay.ensure_route(r)
        if r.points is None or r.bounds is None or not qrect(r.bounds).intersects(clip):
            continue
        picked = r.id == st.selected_rel and not r.preview
        hot = r.preview or picked or (sel_id is not None and (r.head == sel_id or r.child == sel_id))
        col = QColor(r.color) if r.color else QColor("#555555")
        line_col = theme.select if hot else theme.line_colour(col)
        dashed = r.suggestion or r.preview
        pen = QPen(line_col, 2.8 if picked else 2.0 if hot else 1.3)
        if dashed:  # long gaps: told apart from a drawn relation at a glance
            pen.setDashPattern([3.0, 3.0])
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        path = QPainterPath()
        path.moveTo(*r.points[0])
        for pt in r.points[1:]:
            path.lineTo(*pt)
        p.drawPath(path)
        p.setBrush(line_col)
        p.setPen(Qt.PenStyle.NoPen)
        if r.arrow is not None:
            p.drawPolygon(QPolygonF([QPointF(*a) for a in r.arrow]))
        for lr in r.label_rects:
            box = QPen(line_col, 1.6 if picked else 1)
            if dashed:
                box.setStyle(Qt.PenStyle.DashLine)
            p.setPen(box)
            p.setBrush(theme.picked if picked else theme.base)
            p.drawRoundedRect(qrect(lr), 6, 6)
            p.setPen(QColor(SELECTION) if hot and not theme.dark else theme.dim if r.suggestion else theme.text)
            # a pixel up: an underscore stays clear of the box's bottom edge (same colour when picked)
            p.drawText(qrect(lr).adjusted(0, -1, 0, -1), Qt.AlignmentFlag.AlignCenter, r.label)
        gutter = lay.gutter_label(r, dy, dy + view_h)
        if gutter is not None:
            _paint_gutter_label(p, gutter, line_col, picked, hot, theme)
    p.setBrush(Qt.BrushStyle.NoBrush)


def _paint_gutter_label(p: QPainter, gutter: tuple[Rect, str], line_col: QColor, picked: bool, hot: bool,
                        theme: Theme) -> None:
    rect, text = qrect(gutter[0]), gutter[1]
    p.save()
    p.setPen(QPen(line_col, 1.6 if picked else 1))
    p.setBrush(theme.picked if picked else theme.base)
    p.drawRoundedRect(rect, 6, 6)
    # the text runs down the line, read with the head tilted right
    p.translate(rect.center())
    p.rotate(90)
    box = QRectF(-rect.height() / 2, -rect.width() / 2, rect.height(), rect.width())
    p.setPen(QColor(SELECTION) if hot and not theme.dark else theme.text)
    elided = QFontMetricsF(p.font()).elidedText(text, Qt.TextElideMode.ElideRight, box.width() - 8)
    p.drawText(box, Qt.AlignmentFlag.AlignCenter, elided)
    p.restore()


def _paint_hints(p: QPainter, hints: dict[str, tuple[float, float]], tag_font: QFont) -> None:
    """Short letter hints on the top edge of their targets (dark on yellow, like a browser's
    link hints), small enough to leave most of each word readable."""
    f = QFont(tag_font)
    f.setBold(True)
    p.setFont(f)
    fm = QFontMetricsF(f)
    fill = QColor(HINT_FILL)
    for hint, (x, y) in hints.items():
        w, h = fm.horizontalAdvance(hint.upper()) + 4, fm.height()
        r = QRectF(x - 1, y - h / 2, w, h)
        p.setPen(QPen(QColor("#6b5800"), 1))
        p.setBrush(fill)
        p.drawRoundedRect(r, 2.5, 2.5)
        p.setPen(QColor("#111111"))
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, hint.upper())
    p.setBrush(Qt.BrushStyle.NoBrush)
