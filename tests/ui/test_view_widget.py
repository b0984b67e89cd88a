"""The document view's own features, through its public methods: zoom, blank lines, hints,
the relation being made, suggested relations, a dark palette, a megabyte token."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPalette, QWheelEvent
from PySide6.QtWidgets import QApplication

from annotator.tokenize import tokenize
from ui.document_view import DocumentView, ViewRelation, ViewSpan
from ui.view.layout import DocumentLayout
from ui.view.model import Metrics
from ui.view.painter import HINT_FILL

TEXT = ("Antony Blinken met Mohammed al-Sudani in Baghdad on Monday, then flew to Amman where he met "
        "King Abdullah. Washington and Baghdad agreed on a new round of talks about the region.")


def make_view(qtbot, text: str = TEXT, size=(720, 420)) -> DocumentView:
    view = DocumentView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    toks, _ = tokenize(text)
    view.set_document(text, toks)
    return view


def span(text: str, needle: str, sid: int, label: str = "PERSON", color: str = "#ff9999", nth: int = 0) -> ViewSpan:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return ViewSpan(key=("span", sid), id=sid, start=i, end=i + len(needle), label=label, color=color, layer="alice")


def inked(img, x1: int, x2: int, y: float, bg: QColor) -> float:
    """The share of pixels from x1 to x2 on the row(s) at ``y`` that differ from ``bg``."""
    n = hits = 0
    for x in range(x1, x2):
        n += 1
        for yy in (int(y), int(y) + 1):
            c = img.pixelColor(x, yy)
            if abs(c.red() - bg.red()) + abs(c.green() - bg.green()) + abs(c.blue() - bg.blue()) > 60:
                hits += 1
                break
    return hits / max(1, n)


def test_zoom_scales_the_text_and_reports_it(qtbot):
    view = make_view(qtbot)
    h0 = view.char_rect(0).height()
    seen: list[float] = []
    view.zoomChanged.connect(seen.append)
    view.zoom_in()
    assert view.zoom() > 1 and seen == [view.zoom()]
    assert view.char_rect(0).height() > h0
    view.set_zoom(10)
    assert view.zoom() == 3.0  # bounded
    view.set_zoom(1.0)
    assert view.char_rect(0).height() == h0
    view.zoom_out()
    assert view.zoom() < 1 and view.char_rect(0).height() < h0
    # Ctrl+wheel zooms too
    before = view.zoom()
    ev = QWheelEvent(QPointF(50, 50), QPointF(50, 50), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), ev)
    assert view.zoom() > before
    # hit-testing follows the zoom
    i = TEXT.index("Baghdad")
    assert view.char_at(view.point_for_char(i)) == i


def test_blank_lines_do_not_take_a_full_row(qtbot):
    blank = make_view(qtbot, "First paragraph.\n\n\nSecond paragraph.")
    lines = make_view(qtbot, "First paragraph.\nx\ny\nSecond paragraph.")
    gap_blank = blank.char_rect(blank.text.index("Second")).top() - blank.char_rect(0).top()
    gap_lines = lines.char_rect(lines.text.index("Second")).top() - lines.char_rect(0).top()
    row = gap_lines / 3
    assert gap_blank < row + 2 * 0.5 * row  # two blank lines together take less than one full row more


def test_hints_over_visible_words_and_spans(qtbot):
    view = make_view(qtbot)
    view.set_annotations([span(TEXT, "Antony Blinken", 1), span(TEXT, "Baghdad", 2, "GPE", "#99cc88")], [])
    hints = view.show_hints("words")
    words = [w for w in TEXT.replace(",", " ").replace(".", " ").split()]
    assert len(hints) >= len(words) - 2
    assert not any(a != b and b.startswith(a) for a in hints for b in hints)  # never a prefix
    for start, end in hints.values():
        assert not TEXT[start:end].isspace() and TEXT[start:end]
    assert view.hints() == hints
    img = view.viewport().grab().toImage()
    yellow = QColor(HINT_FILL)
    assert any(img.pixelColor(x, y) == yellow for x in range(0, img.width(), 2) for y in range(0, 120, 2))
    view.hide_hints()
    assert view.hints() == {}
    img = view.viewport().grab().toImage()
    assert not any(img.pixelColor(x, y) == yellow for x in range(0, img.width(), 2) for y in range(0, 120, 2))
    # typing a hint narrows the hints, then gives its target
    two = view.show_hints("words")
    first = next(h for h in two if len(h) == 2)  # more than 26 words on screen: some take two letters
    assert view.pick_hint(first[0]) is None
    assert view.hints() and all(h.startswith(first[0]) for h in view.hints())
    assert view.pick_hint(first) == two[first] and view.hints() == {}
    assert view.show_hints("words") and view.pick_hint("#") is None and view.hints() == {}
    spans = view.show_hints("spans")
    assert sorted(spans.values()) == [("span", 1), ("span", 2)]
    assert list(spans) == ["a", "s"]
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # Escape takes the hints away first
    assert view.hints() == {}


def test_preview_arc_for_the_relation_being_made(qtbot):
    view = make_view(qtbot)
    a, b = span(TEXT, "Antony Blinken", 1), span(TEXT, "Mohammed al-Sudani", 2)
    view.set_annotations([a, b], [])
    top = view.char_rect(0).top()
    view.set_preview_relation(1, None)  # the head picked, no child yet: no arc
    assert view.preview_relation() is None
    view.set_preview_relation(1, 2)
    prev = view.preview_relation()
    assert prev is not None and prev.preview
    assert view.char_rect(0).top() > top  # the row made room for the arc
    rects = view.relation_label_rects(-1)
    assert rects and view.relation_at(rects[0].center().toPoint()) is None  # not a relation to click
    assert view.relations == []  # not one of the document's relations
    view.set_preview_relation(None)
    assert view.preview_relation() is None and view.char_rect(0).top() == top


def test_relation_suggestions_are_drawn_dashed(qtbot):
    text = "Blinken " + "and others " * 4 + "met Sudani.\nAbdullah " + "and others " * 4 + "met Amman."
    view = make_view(qtbot, text, size=(900, 300))
    spans = [span(text, "Blinken", 1), span(text, "Sudani", 2), span(text, "Abdullah", 3), span(text, "Amman", 4, "GPE")]
    rels = [ViewRelation(id=1, head=1, child=2, label="MET_WITH", color="#e6550d"),
            ViewRelation(id=2, head=3, child=4, label="LOCATED_IN", color="#e6550d", suggestion=True)]
    view.set_annotations(spans, rels)
    img = view.viewport().grab().toImage()
    bg = view.palette().color(QPalette.ColorRole.Base)
    ratios = []
    for r in rels:
        lay = view.doc_layout()
        lay.ensure_route(r)
        (x1, y), (x2, _y) = r.points[1], r.points[2]
        ratios.append(inked(img, int(x1) + 4, int(x1 + (x2 - x1) * 0.3), y - view.verticalScrollBar().value(), bg))
    solid, dashed = ratios
    assert solid > 0.95 and dashed < 0.8


def test_a_dark_palette_gives_a_dark_view_with_light_text(qtbot):
    view = make_view(qtbot, "Plain words here and there.")
    pal = view.palette()
    pal.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    pal.setColor(QPalette.ColorRole.Text, QColor("#e8e8e8"))
    view.setPalette(pal)
    img = view.viewport().grab().toImage()
    assert img.pixelColor(img.width() - 60, img.height() - 5).lightness() < 50
    r = view.char_rect(0)
    light = [img.pixelColor(x, y).lightness() for x in range(r.left(), r.left() + 80) for y in range(r.top(), r.bottom())]
    assert max(light) > 180


def test_a_megabyte_token_opens_in_bounded_work(qtbot):
    n = 1_000_000
    text = "x" * n
    view = make_view(qtbot, "placeholder")
    calls, chars = [0], [0]
    fm = QFontMetricsF(view.font())

    def counting(s: str) -> float:
        calls[0] += 1
        chars[0] += len(s)
        return fm.horizontalAdvance(s)

    lay = DocumentLayout(counting, counting, Metrics(line_height=fm.height()))
    lay.set_text(text, ((0, n),))
    lay.relayout(700)
    per_line = len(range(lay.lines[0].start, lay.lines[0].end))
    assert len(lay.lines) >= n // per_line
    assert calls[0] <= 8 * len(lay.lines) and chars[0] <= 10 * n  # linear, not quadratic
    # the widget opens it, shows its end and hit-tests there
    view.set_document(text, ((0, n),))
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    assert view.char_at(QPoint(view.viewport().width() // 3, view.viewport().height() - 40)) > n - 1000
    assert not view.viewport().grab().isNull()


def test_labels_of_close_colours_are_told_apart_by_a_hatch(qtbot):
    text = "Alpha beta gamma delta"
    view = make_view(qtbot, text)
    view.set_annotations([span(text, "Alpha", 1, "PERSON", "#ff9999"), span(text, "gamma", 2, "VICTIM", "#ff9a9a")], [])
    plain = view.viewport().grab().toImage()
    view.set_label_colours({"PERSON": "#ff9999", "VICTIM": "#ff9a9a"})
    assert view.label_pattern("PERSON") == 0 and view.label_pattern("VICTIM") == 1
    hatched = view.viewport().grab().toImage()

    def changed(key) -> int:
        r = view.span_rects(key)[0].toRect()
        return sum(plain.pixelColor(x, y) != hatched.pixelColor(x, y)
                   for x in range(r.left(), r.right()) for y in range(r.top(), r.bottom()))

    assert changed(("span", 1)) == 0 and changed(("span", 2)) > 30
