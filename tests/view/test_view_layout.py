"""The document layout without a widget: a fake monospace font, plain numbers out."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from ui.view.hints import hint_labels
from ui.view.layout import DocumentLayout
from ui.view.model import Metrics, ViewRelation, ViewSpan
from ui.view.textlines import TextLines, break_text

CHAR = 10.0  # the fake font: every character 10 px wide
TAG = 6.0
M = Metrics(line_height=20.0)
WIDTH = 300.0  # the view: text width = 300 - left - gutter = 240 px = 24 characters


def mono(s: str) -> float:
    return CHAR * len(s)


def tag(s: str) -> float:
    return TAG * len(s)


def words(text: str) -> tuple:
    out, i = [], 0
    for w in text.split(" "):
        if w:
            out.append((i, i + len(w)))
        i += len(w) + 1
    return tuple(out)


def make(text: str, spans=(), relations=()) -> DocumentLayout:
    lay = DocumentLayout(mono, tag, M)
    lay.set_text(text, words(text))
    lay.set_annotations(list(spans), list(relations))
    lay.relayout(WIDTH)
    return lay


def span(text: str, needle: str, label: str = "PERSON", sid: int = 1, nth: int = 0, suggestion=False) -> ViewSpan:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    key = ("sugg", "m", i, i + len(needle), label) if suggestion else ("span", sid)
    return ViewSpan(key=key, start=i, end=i + len(needle), label=label, color="#ff9999", layer="a",
                    id=None if suggestion else sid, suggestion=suggestion)


TEXT = "Antony Blinken met Mohammed al-Sudani in Baghdad on Monday and then flew to Amman"


def test_lines_break_after_words_and_fit_the_width():
    lay = make(TEXT)
    assert len(lay.lines) > 2
    for ln in lay.lines:
        shown = TEXT[ln.start:ln.end].rstrip()
        assert mono(shown) <= WIDTH - M.left - M.gutter
        assert ln.end == len(TEXT) or TEXT[ln.end - 1] == " "  # never inside a word
    # the lines cover the text, in order, without gaps
    assert lay.lines[0].start == 0 and lay.lines[-1].end == len(TEXT)
    assert all(a.end == b.start for a, b in zip(lay.lines, lay.lines[1:]))
    # x of a position is the width of the line's text before it
    li = lay.line_of(TEXT.index("Baghdad"))
    ln = lay.lines[li]
    assert lay.x_of(TEXT.index("Baghdad"), li) == M.left + mono(TEXT[ln.start:TEXT.index("Baghdad")])


def test_cursor_at_x_rounds_to_the_nearer_boundary():
    tl = TextLines("abcdef", mono, 1000, left=5)
    assert tl.cursor_at_x(0, 5 + 14) == 1
    assert tl.cursor_at_x(0, 5 + 16) == 2
    assert tl.cursor_at_x(0, 0) == 0 and tl.cursor_at_x(0, 999) == 6
    assert tl.char_at_x(0, 5 + 16) == 1 and tl.char_at_x(0, 5 + 61) is None


def test_blank_lines_take_a_short_row():
    lay = make("One line.\n\n\nAnother line.")
    assert [ln.blank for ln in lay.lines] == [False, True, True, False]
    full = lay.lines[0].bottom - lay.lines[0].top
    blank = lay.lines[1].bottom - lay.lines[1].top
    assert blank < full / 2
    assert lay.lines[3].top == lay.lines[2].bottom


def test_span_boxes_follow_lines_and_tags_stack_when_they_collide():
    text = "aa bb cc dd ee ff gg hh ii jj kk ll mm nn"
    long = ViewSpan(key=("span", 1), start=0, end=len(text), label="ORGANISATION", color="#55bbee", layer="a", id=1)
    a = ViewSpan(key=("span", 2), start=0, end=2, label="PERSON", color="#ff9999", layer="a", id=2)
    b = ViewSpan(key=("span", 3), start=3, end=5, label="GPE", color="#99cc88", layer="a", id=3)
    lay = make(text, [long, a, b])
    assert len(long.frags) == len(lay.lines) > 1  # one box per line
    assert [f[0] for f in long.frags] == list(range(len(lay.lines)))
    assert long.depth > a.depth == 0  # the outer span is drawn larger
    # three tags start near the left of line 0: they are stacked on different levels
    levels = {s.key: s.tag_level for s in (long, a, b)}
    assert len(set(levels.values())) >= 2
    assert lay.lines[0].tag_levels >= 2
    for s, o in ((long, a), (a, b), (long, b)):
        r1, r2 = s.tag_rect, o.tag_rect
        overlap_x = r1.x < r2.right and r2.x < r1.right
        assert not overlap_x or s.tag_level != o.tag_level


def test_relation_on_one_line_is_an_arc_above_the_text_labelled_between_its_ends():
    text = "Blinken met Sudani today"
    h, c = span(text, "Blinken", sid=1), span(text, "Sudani", sid=2)
    r = ViewRelation(id=7, head=1, child=2, label="MET_WITH")
    lay = make(text, [h, c], [r])
    lay.ensure_route(r)
    ln = lay.lines[0]
    assert ln.arc_levels == 1
    assert r.gutter is None and len(r.label_rects) == 1
    label = r.label_rects[0]
    assert ln.top <= label.y and label.bottom <= ln.text_y  # in the arc zone above the text
    hx, cx = (h.frags[0][1] + h.frags[0][2]) / 2, (c.frags[0][1] + c.frags[0][2]) / 2
    assert hx < label.center[0] < cx
    assert r.points[0][0] == hx and r.points[-1][0] == cx  # from the head down to the child
    assert r.arrow[0] == (cx, lay.box_top(0, c.depth))


def test_relations_between_lines_go_through_the_gutter_and_arcs_do_not_collide():
    text = "Blinken met Sudani in Baghdad and then the minister flew on to Amman with Sudani"
    h = span(text, "Blinken", sid=1)
    c = span(text, "Amman", sid=2)
    m = span(text, "Sudani", sid=3)
    b = span(text, "Baghdad", sid=4)
    rels = [ViewRelation(id=1, head=1, child=2, label="LOCATED_IN"),
            ViewRelation(id=2, head=1, child=3, label="MET_WITH"),
            ViewRelation(id=3, head=1, child=4, label="LOCATED_IN")]
    lay = make(text, [h, c, m, b], rels)
    for r in rels:
        lay.ensure_route(r)
    far = rels[0]
    assert far.gutter is not None and len(far.label_rects) == 2
    assert far.gutter[0] > lay.right  # right of the text
    # the arcs on Blinken's line: no two labels overlap
    boxes = [lr for r in rels for lr in r.label_rects if lr.y < lay.lines[0].text_y]
    for i, p in enumerate(boxes):
        for q in boxes[i + 1:]:
            assert not (p.x < q.right and q.x < p.right and p.y < q.bottom and q.y < p.bottom)
    assert lay.lines[0].arc_levels >= 2


def test_a_suggested_relation_links_suggestions_by_key_and_a_preview_has_its_own_arc():
    text = "Blinken met Sudani today"
    h = span(text, "Blinken", suggestion=True)
    c = span(text, "Sudani", sid=2)
    r = ViewRelation(id=3, head=-1, child=2, label="MET_WITH", suggestion=True, head_key=h.key)
    lay = make(text, [h, c], [r])
    assert lay.visible_relations() == [r]
    lay.ensure_route(r)
    assert r.points is not None
    lay.preview = ViewRelation(id=-1, head=2, child=-1, label="?", preview=True, child_key=h.key)
    lay.relayout_relations(WIDTH)
    assert lay.visible_relations()[-1] is lay.preview
    lay.ensure_route(lay.preview)
    assert lay.preview.points is not None and lay.lines[0].arc_levels == 2


def test_a_megabyte_token_is_cut_in_linear_work():
    calls, chars = [0], [0]

    def counting(s: str) -> float:
        calls[0] += 1
        chars[0] += len(s)
        return CHAR * len(s)

    n = 1_000_000
    text = "x" * n
    lines = break_text(text, counting, 240.0)
    per_line = int(240 * 0.97 // CHAR)  # a cut keeps a small margin
    assert len(lines) == -(-n // per_line)
    assert all(counting(text[ln.start:ln.end]) <= 240.0 for ln in lines[:50])
    assert "".join(text[ln.start:ln.end] for ln in lines) == text
    calls[0] = chars[0] = 0
    break_text(text, counting, 240.0)
    assert calls[0] <= 40 and chars[0] <= 200  # each character measured once, not each line
    # a token of many different characters: still one measure per distinct character
    calls[0] = 0
    mixed = "".join(chr(0x4E00 + i % 500) for i in range(n))
    lines = break_text(mixed, counting, 240.0)
    assert calls[0] <= 600 and len(lines) == -(-n // per_line)


def test_a_word_end_is_where_line_breaking_measured_it_not_measured_again():
    calls = [0]

    def kerned(s: str) -> float:  # not a sum of character widths
        return CHAR * len(s) + (0.5 if "w" in s else 0.0)

    def counting(s: str) -> float:
        calls[0] += 1
        return kerned(s)

    text = "Alice wrote to Bob, then went away.\n\nBob wrote back."
    tl = TextLines(text, counting, 240.0, left=7.0)
    calls[0] = 0
    ends = [(a, b) for a, b in words(text.replace("\n", " "))]
    for a, b in ends:
        assert tl.x_of(b) == pytest.approx(tl.x_of(a) + kerned(text[a:b]))
    assert calls[0] == 0  # every word end was measured once, while breaking the lines
    assert tl.x_of(ends[0][0] + 3) == pytest.approx(tl.x_of(ends[0][0]) + kerned("Ali"))
    assert calls[0] == 1  # inside a word: measured then


def test_a_long_token_among_words_keeps_the_words_whole():
    text = "before " + "y" * 100 + " after words"
    lines = break_text(text, mono, 240.0)
    shown = [text[ln.start:ln.end] for ln in lines]
    assert shown[0] == "before "
    assert "".join(shown) == text
    assert shown[-1].endswith("after words") or shown[-1] == "words"
    assert all(mono(s.rstrip()) <= 240.0 for s in shown)


def _random_items(text: str, rng: random.Random, n: int, first_id: int) -> list[ViewSpan]:
    toks = words(text)
    out = []
    for k in range(n):
        i = rng.randrange(len(toks))
        j = min(len(toks) - 1, i + rng.choice([0, 0, 1, 2]))
        sugg = rng.random() < 0.3
        sid = first_id + k
        key = ("sugg", "m", toks[i][0], toks[j][1], "ORG") if sugg else ("span", sid)
        out.append(ViewSpan(key=key, start=toks[i][0], end=toks[j][1], label=rng.choice(["PERSON", "ORG", "GPE"]),
                            color="#ff9999", layer="a", id=None if sugg else sid, suggestion=sugg))
    return out


def snapshot(lay: DocumentLayout) -> tuple:
    r2 = lambda v: round(v, 2)  # noqa: E731
    for r in lay.visible_relations():
        lay.ensure_route(r)
    return ([(ln.start, ln.end, ln.arc_levels, ln.tag_levels, r2(ln.top), r2(ln.bottom)) for ln in lay.lines],
            [(s.key, s.depth, s.tag_level, r2(s.tag_x), r2(s.tag_y), tuple(s.frags)) for s in lay.shown],
            sorted((r.id, lay.rel_lanes.get(r.id), tuple(r.label_rects), tuple(r.points or ())) for r in lay.visible_relations()),
            r2(lay.height))


@pytest.mark.parametrize("seed,suggestions", [(1, True), (2, True), (3, False)])
def test_incremental_update_equals_a_full_layout(seed, suggestions):
    rng = random.Random(seed)
    text = " ".join(rng.choice(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"]) for _ in range(300))
    items = {s.key: s for s in _random_items(text, rng, 40, 1)}
    lay = make(text, list(items.values()))
    lay.set_show_suggestions(suggestions)
    lay.relayout(WIDTH)
    next_id, next_rel = 100, 1
    for _ in range(60):
        op = rng.choice(["add", "remove", "relation", "unrelation"])
        remove, add, rrem, radd = [], [], [], []
        spans = [s for s in lay.items if not s.suggestion]
        if op == "add":
            add = _random_items(text, rng, rng.randint(1, 2), next_id)
            next_id += 5
        elif op == "remove" and lay.items:
            remove = [rng.choice(lay.items).key]
        elif op == "relation" and len(spans) >= 2:
            a, b = rng.sample(spans, 2)
            sugg = [s for s in lay.items if s.suggestion]
            if sugg and rng.random() < 0.4:  # a suggested relation from a suggestion
                radd = [ViewRelation(id=next_rel, head=-1, child=b.id, label="IN", suggestion=True,
                                     head_key=rng.choice(sugg).key)]
            else:
                radd = [ViewRelation(id=next_rel, head=a.id, child=b.id, label=rng.choice(["MET_WITH", "IN"]))]
            next_rel += 1
        elif op == "unrelation" and lay.relations:
            rrem = [rng.choice(lay.relations).id]
        lay.update(remove, add, rrem, radd, WIDTH)
        incremental = snapshot(lay)
        lay.relayout(WIDTH)
        assert snapshot(lay) == incremental, op


def test_hint_labels_are_short_distinct_and_never_a_prefix_of_another():
    assert hint_labels(3) == ["a", "s", "d"]
    many = hint_labels(200)
    assert len(set(many)) == 200 and {len(h) for h in many} == {1, 2}
    assert not any(a != b and b.startswith(a) for a in many for b in many)
    assert sum(len(h) == 1 for h in hint_labels(29)) == 25
    assert hint_labels(0) == []


def test_the_layout_modules_do_not_import_qt():
    root = Path(__file__).resolve().parents[2]
    code = ("import sys; import ui.view.layout, ui.view.textlines, ui.view.caret, ui.view.hints, ui.view.colors; "
            "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'")
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


def test_hidden_suggestions_hide_their_suggested_relations():
    text = "Blinken met Sudani today"
    h = span(text, "Blinken", suggestion=True)
    c = span(text, "Sudani", sid=2)
    r = ViewRelation(id=3, head=-1, child=2, label="MET_WITH", suggestion=True, head_key=h.key)
    lay = make(text, [h, c], [r])
    assert lay.visible_relations() == [r] and lay.lines[0].arc_levels == 1
    lay.set_show_suggestions(False)
    lay.relayout(WIDTH)
    assert lay.visible_relations() == [] and lay.lines[0].arc_levels == 0
    assert lay.shown == [c]
