"""One edit re-lays out only what it changed: the result must equal laying out everything afresh.

A seeded random person labels, relabels, deletes, accepts and rejects suggestions, draws and
deletes relations, undoes and redoes; after every step the view (spans, nesting, tags, rows,
relation arcs and lanes) and the tables are compared with a full re-read and re-layout.
"""

from __future__ import annotations

import random

import pytest
from conftest import add_suggestions, make_project, open_window


SUGGESTIONS = [("Antony Blinken", "PERSON"), ("US", "GPE"), ("Iraq", "GPE"), ("Middle East", "LOC"),
               ("Israel", "GPE"), ("Hamas", "ORG"), ("West Bank", "LOC"), ("Baghdad", "GPE"),
               ("Mohammed al-Sudani", "PERSON"), ("Washington", "GPE"), ("Gaza", "GPE"), ("Turkey", "GPE"),
               ("Secretary of State", "ORG")]


def layout(view) -> tuple:
    """Everything the view computed, in document coordinates (comparable across layouts)."""
    r2 = lambda v: round(v, 2)  # noqa: E731
    lay = view.doc_layout()
    lines = [(ln.start, ln.end, ln.arc_levels, ln.tag_levels, r2(ln.top), r2(ln.text_y), r2(ln.bottom))
             for ln in lay.lines]
    items = [(s.key, s.start, s.end, s.label, s.suggestion, s.depth,
              (s.tag_level, r2(s.tag_x), r2(s.tag_y)) if s.tag_rect is not None else None,
              tuple((li, r2(a), r2(b)) for li, a, b in s.frags)) for s in view.items]
    rels = []
    for r in sorted(lay.visible_relations(), key=lambda r: r.id):
        lay.ensure_route(r)
        ys = [p[1] for p in r.points] if r.points is not None else None
        rels.append((r.id, r.head, r.child, r.label, lay.rel_lanes.get(r.id),
                     [(r2(q.x), r2(q.y), r2(q.w)) for q in r.label_rects],
                     None if ys is None else (r2(min(ys)), r2(max(ys)))))
    return lines, items, rels, r2(lay.height)


def tables(win) -> tuple:
    spans = [s.key for s in win.tables.spans.rows]
    rels = [(r.id, win.tables.relations.names.get(r.head), win.tables.relations.names.get(r.child))
            for r in win.tables.relations.rows]
    return spans, sorted(rels)


def check_against_full_layout(win) -> None:
    incremental = layout(win.view), tables(win), win.doc_info.text()
    # the same document read and laid out from scratch
    win.reload_annotations()
    win.view.doc_layout().relayout(win.view.viewport().width())
    full = layout(win.view), tables(win), win.doc_info.text()
    assert incremental == full


def make_window(qtbot, path, filter_mode="all"):
    w = open_window(qtbot, path, size=(1000, 700), exposed=True)
    if filter_mode == "selected":
        w.act_rel_sel.setChecked(True)
    return w


def step(win, rng: random.Random) -> str:
    view = win.view
    text = view.text
    mine = [s for s in view.items if not s.suggestion]
    sugg = [s for s in view.items if s.suggestion]
    toks = [t for t in win.document.tokens if not text[t[0]:t[1]].isspace()]
    what = rng.choice(["label"] * 5 + ["relabel", "delete", "accept", "reject", "relation", "relation",
                                       "delete-relation", "undo", "undo", "redo", "resize"])
    if what == "label":
        i = rng.randrange(len(toks) - 3)
        j = i + rng.choice([0, 0, 1, 2])
        view.set_text_selection(toks[i][0], toks[j][1], snap=False)
        win.label_key(rng.choice("12345"))
    elif what == "relabel" and mine:
        view.select_item(rng.choice(mine).key)
        win.label_key(rng.choice("12345"))
    elif what == "delete" and mine:
        view.select_item(rng.choice(mine).key)
        win.delete_selected()
    elif what in ("accept", "reject") and sugg:
        view.select_item(rng.choice(sugg).key)
        (win.accept_selected if what == "accept" else win.reject_selected)()
    elif what == "relation" and len(mine) >= 2:
        head, child = rng.sample(mine, 2)
        view.select_item(head.key)
        win.start_relation()
        view.select_item(child.key)
        win.activate()
        win.label_key(rng.choice("123"))
    elif what == "delete-relation" and view.relations:
        view.select_relation(rng.choice(view.relations).id)
        win.delete_selected()
    elif what == "undo":
        win.undo()
    elif what == "redo":
        win.redo()
    elif what == "resize" and mine and hasattr(win, "resize_selected"):
        view.select_item(rng.choice(mine).key)
        win.resize_selected(rng.choice(["start", "end"]), rng.choice([-1, 1]))
    else:
        return "skip"
    return what


@pytest.mark.parametrize("overlap,filter_mode", [(False, "all"), (True, "all"), (True, "selected")])
def test_incremental_layout_equals_full_layout(qtbot, tmp_path, overlap, filter_mode):
    path = make_project(tmp_path / "p.db", overlap=overlap)
    add_suggestions(path, 1, SUGGESTIONS)
    win = make_window(qtbot, path, filter_mode)
    assert win.doc_id == 1
    rng = random.Random(11 if overlap else 5)
    done = []
    lay = win.view.doc_layout()
    for _ in range(70):
        before = lay.full_layouts
        what = step(win, rng)
        if what == "skip":
            continue
        done.append(what)
        assert lay.full_layouts == before, f"{what} laid out the whole document again"
        try:
            check_against_full_layout(win)
        except AssertionError:
            raise AssertionError(f"after {done}") from None
    # the walk did exercise the kinds of edits
    assert {"label", "accept", "relation", "undo"} <= set(done)
    assert win.view.relations or "delete-relation" in done
