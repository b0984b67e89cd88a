"""How many keys does it take to turn the suggestions for an article into its gold annotation?

    python benchmarks/effort.py --text ARTICLE.txt --gold GOLD.jsonl [--db OUT.db] [--json]

Builds a project with the article (default labels plus any the gold uses), runs the project's
suggesters on it, opens the real window offscreen and plays a keyboard session as a person who
knows the keymap would: at each step the shortest key sequence (sent as key events with QTest,
through Qt's shortcut handling; no edit function is called), then checks the stored layer
``effort`` against the gold. With ``--db`` the finished project is left there (the document
marked done with Ctrl+D).

The session: every suggestion is decided where the selection lands (A accepts a gold one, a
label key relabels one with the gold's words and another label, X rejects the rest; accept,
reject and relabel move on to the next one, N reaches one the flow skipped). An entity the
model missed is reached with arrows when it is two tokens away or less, else with letter hints
(J, Page Down first when it is off screen), widened with Shift+Right and labelled with its key.
A relation: the head is selected (already, or Shift+J and its hint), R, the child's hint (no
key when R proposed it), the relation label's key. The matching job after each label (the
window's background propagation) is run to its end before the next key, as when a person is
slower than its 1.2 s delay. JSON: keys, entity_decisions, relations, keys_per_entity,
keys_per_relation, keys_per_missed_entity, ghosts_left, matches_gold (and the counts behind them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator import suggest as suggest_mod  # noqa: E402
from annotator.tokenize import tokenize  # noqa: E402
from corpus.model import Document, Label, LabelKind  # noqa: E402
from corpus.resources import default_labels  # noqa: E402
from corpus.store import Store  # noqa: E402

LAYER = "effort"
NO, SHIFT, CTRL = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier
Key = Qt.Key


def read_gold(path: Path) -> tuple[str, set[tuple[int, int, str]], list[tuple[tuple[int, int], tuple[int, int], str]]]:
    """The first record of a Prodigy JSONL file: text, spans, relations (by span offsets)."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            spans = {(int(s["start"]), int(s["end"]), str(s["label"])) for s in rec.get("spans", [])}
            rels = [((int(r["head_span"]["start"]), int(r["head_span"]["end"])),
                     (int(r["child_span"]["start"]), int(r["child_span"]["end"])), str(r["label"]))
                    for r in rec.get("relations", [])]
            return str(rec["text"]), spans, rels
        except (KeyError, TypeError, ValueError) as exc:
            raise SystemExit(f"{path}:{n}: not a Prodigy record with spans and relations ({exc})") from None
    raise SystemExit(f"{path}: no record")


def build_project(db: Path, text: str, gold_spans, gold_rels) -> int:
    """A project holding the article, suggested by the project's suggesters; the document id."""
    with Store(db) as st:
        labels = default_labels()
        have = {(lab.name, lab.kind) for lab in labels}
        extra = [Label(name=lab, kind=LabelKind.ENTITY) for lab in sorted({s[2] for s in gold_spans})
                 if (lab, LabelKind.ENTITY) not in have]
        extra += [Label(name=lab, kind=LabelKind.RELATION) for lab in sorted({r[2] for r in gold_rels})
                  if (lab, LabelKind.RELATION) not in have]
        st.set_labels([*labels, *extra])
        toks, sents = tokenize(text)
        st.add_documents([Document(text=text, name="article", tokens=toks, sents=sents)])
        d = st.document_ids()[0]
        for _ in suggest_mod.suggest_job(st):
            pass
    return d


class Player:
    """Sends keys to the window and counts them."""

    def __init__(self, win) -> None:
        self.win = win
        self.view = win.view
        self.keys = 0

    def press(self, k, mod=NO) -> None:
        QTest.keyClick(self.view, k, mod)
        self.keys += 1
        self.settle()

    def settle(self) -> None:
        """Run a scheduled matching job to its end (a person slower than its delay)."""
        jobs = self.win.jobs
        QApplication.processEvents()
        if jobs._timer.isActive():  # noqa: SLF001 - the benchmark waits for the window's own timer
            jobs._timer.stop()  # noqa: SLF001
            jobs.propagate_now()
        while jobs.propagate_job is not None:
            QTest.qWait(5)
        QApplication.processEvents()

    def label_key(self, name: str) -> None:
        keys = {v: k for k, v in self.win.palette_widget.keys.items()}
        k = keys.get(name)
        if k is None:
            raise SystemExit(f"label {name} has no key")
        mod = SHIFT if k.startswith("Shift+") else NO
        self.press(getattr(Key, f"Key_{k[-1]}"), mod)

    def type_hint(self, target) -> bool:
        hint = next((h for h, t in self.view.hints().items() if t == target), None)
        if hint is None:
            return False
        for ch in hint:
            self.press(getattr(Key, f"Key_{ch.upper()}"))
        return True


def _words(view) -> list[tuple[int, int]]:
    from ui.view.caret import word_tokens

    lay = view.doc_layout()
    return word_tokens(lay.text, lay.tokens)


def _visible(view, pos: int) -> bool:
    r = view.char_rect(pos)
    return view.viewport().rect().contains(r.center()) and r.bottom() < view.viewport().height()


def decide_suggestions(p: Player, gold) -> int:
    """Decide every pending suggestion; returns how many."""
    view, n = p.view, 0
    by_offsets = {(s, e): lab for s, e, lab in gold}
    while True:
        pending = [it for it in view.items if it.suggestion]
        if not pending:
            return n
        sel = view.selected_item()
        if sel is None or not sel.suggestion:
            p.press(Key.Key_N)
            continue
        if (sel.start, sel.end, sel.label) in gold:
            p.press(Key.Key_A)
        elif (sel.start, sel.end) in by_offsets:
            p.label_key(by_offsets[(sel.start, sel.end)])
        else:
            p.press(Key.Key_X)
        n += 1


def add_missed(p: Player, target: tuple[int, int, str]) -> None:
    """Select the words of ``target`` and label them."""
    view = p.view
    s, e, label = target
    words = _words(view)
    starts = [a for a, _ in words]
    ti = starts.index(s)
    sel = view.text_selection() or ((view.selected_item().start, view.selected_item().end) if view.selected_item() else None)
    cur = next((i for i, (a, _b) in enumerate(words) if sel is not None and a == sel[0]), None)
    if cur is not None and abs(ti - cur) <= 2:
        for _ in range(abs(ti - cur)):
            p.press(Key.Key_Right if ti > cur else Key.Key_Left)
        if abs(ti - cur) == 0 and view.text_selection() != words[ti]:
            p.press(Key.Key_Right)
            p.press(Key.Key_Left)
    else:
        while not _visible(view, s):
            before = view.verticalScrollBar().value()
            p.press(Key.Key_PageDown if view.char_rect(s).top() > 0 else Key.Key_PageUp)
            if view.verticalScrollBar().value() == before:
                break
        p.press(Key.Key_J)
        if not p.type_hint(words[ti]):
            p.press(Key.Key_Escape)
            raise SystemExit(f"no hint for {view.text[s:e]!r}")
    while view.text_selection() is not None and view.text_selection()[1] < e:
        p.press(Key.Key_Right, SHIFT)
    p.label_key(label)


def _tab_distance(view, from_key, to_key, skip=None) -> int | None:
    """Signed Tab presses between two of the person's spans (``None``: one is not a span);
    ``skip``: a span Tab passes over (the head, in relation mode)."""
    keys = [it.key for it in view.items if not it.suggestion and (it.key == from_key or it.key != skip)]
    if from_key not in keys or to_key not in keys:
        return None
    return keys.index(to_key) - keys.index(from_key)


def _hint_cost(view) -> int:
    """Letters of a span hint now (at most 26 targets: one letter; up to 676: one or two)."""
    n = sum(1 for it in view.items if _visible(view, it.start))
    return 1 if n <= 26 else 2


def _go(p: Player, target, hint_cost: int, show_hints: bool, skip=None) -> None:
    """Select the span ``target`` by Tab / Shift+Tab or by its hint, whichever is fewer keys."""
    view = p.view
    sel = view.selected_item()
    dist = _tab_distance(view, sel.key, target, skip) if sel is not None else None
    if dist == 0:
        if show_hints:
            return
        view.hide_hints()  # nothing typed: the hints R showed stay unused
        return
    if dist is not None and abs(dist) <= hint_cost + (1 if show_hints else 0):
        for _ in range(abs(dist)):
            p.press(Key.Key_Tab, NO if dist > 0 else SHIFT)
        return
    if show_hints:
        p.press(Key.Key_J, SHIFT)
    if not p.type_hint(target):
        raise SystemExit("a relation's span has no hint on screen")


def add_relation(p: Player, head_id: int, child_id: int, label: str) -> None:
    """Select the head (Tab or hint), R, pick the child (proposed, Tab or hint), the label key."""
    view = p.view
    _go(p, ("span", head_id), _hint_cost(view), show_hints=True)
    p.press(Key.Key_R)
    sel = view.selected_item()
    if sel is None or sel.key != ("span", child_id):
        hint = next((h for h, t in view.hints().items() if t == ("span", child_id)), "xx")
        _go(p, ("span", child_id), len(hint), show_hints=False, skip=("span", head_id))
    p.label_key(label)


def order_relations(view, ids, gold_rels):
    """The relations in the order that needs the fewest moves: those of the selected head first."""
    left = list(gold_rels)
    out = []
    cur = view.selected_item()
    head = cur.id if cur is not None else None
    while left:
        nxt = next((r for r in left if ids[r[0]] == head), None) or left[0]
        left.remove(nxt)
        out.append(nxt)
        head = ids[nxt[0]]
    return out


def play(db: Path, doc_id: int, gold, gold_rels) -> dict:
    from ui.main_window import MainWindow

    s = QSettings()
    s.clear()
    for k, v in (("annotator", LAYER), ("auto_suggest", False), ("auto_propagate", True)):
        s.setValue(k, v)
    win = MainWindow()
    win.resize(1280, 900)
    win.show()
    win.activateWindow()
    QTest.qWaitForWindowExposed(win)
    win.open_project(str(db))
    win.state.open_document(doc_id)
    win.view.setFocus()
    p = Player(win)
    decisions = decision_keys = missed = missed_keys = 0
    while True:
        k0 = p.keys
        got = decide_suggestions(p, gold)
        decisions += got
        decision_keys += p.keys - k0
        mine = {(sp.start, sp.end, sp.label) for sp in win.state.store.spans(doc_id, LAYER)}
        todo = sorted(gold - mine)
        if not todo:
            break
        k0 = p.keys
        add_missed(p, todo[0])
        missed += 1
        missed_keys += p.keys - k0
    k0 = p.keys
    ids = {(sp.start, sp.end): sp.id for sp in win.state.store.spans(doc_id, LAYER)}
    for (hs, he), (cs, ce), label in order_relations(win.view, ids, gold_rels):
        add_relation(p, ids[(hs, he)], ids[(cs, ce)], label)
    rel_keys = p.keys - k0
    ghosts = sum(1 for it in win.view.items if it.suggestion)
    p.press(Key.Key_D, CTRL)
    st = win.state.store
    spans = {(sp.start, sp.end, sp.label) for sp in st.spans(doc_id, LAYER)}
    by_id = {sp.id: (sp.start, sp.end) for sp in st.spans(doc_id, LAYER)}
    rels = {(by_id.get(r.head), by_id.get(r.child), r.label) for r in st.relations(doc_id, LAYER)}
    done = st.status(doc_id, LAYER).value
    win.close()
    return {
        "keys": p.keys, "entity_decisions": decisions, "relations": len(gold_rels),
        "keys_per_entity": round(decision_keys / decisions, 3) if decisions else None,
        "keys_per_relation": round(rel_keys / len(gold_rels), 3) if gold_rels else None,
        "keys_per_missed_entity": round(missed_keys / missed, 3) if missed else None,
        "missed_entities": missed, "gold_entities": len(gold), "ghosts_left": ghosts,
        "matches_gold": spans == gold and rels == set(gold_rels) and done == "done",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--text", required=True, type=Path)
    ap.add_argument("--gold", required=True, type=Path)
    ap.add_argument("--db", type=Path, help="leave the finished project here")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args(argv)
    text = a.text.read_text(encoding="utf-8")
    gtext, gold, gold_rels = read_gold(a.gold)
    if gtext != text:
        raise SystemExit(f"{a.gold}: its text is not the text of {a.text}")
    QStandardPaths.setTestModeEnabled(True)  # never the person's own settings
    QCoreApplication.setOrganizationName("corpuslabel-effort")
    QCoreApplication.setApplicationName("corpuslabel-effort")
    app = QApplication.instance() or QApplication([])  # noqa: F841 - kept alive
    tmp = None
    if a.db is None:
        tmp = tempfile.TemporaryDirectory()
        db = Path(tmp.name) / "effort.db"
    else:
        db = a.db
        if db.exists():
            db.unlink()
    d = build_project(db, text, gold, gold_rels)
    out = play(db, d, gold, gold_rels)
    if a.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:24} {v}")
    return 0 if out["matches_gold"] else 1


if __name__ == "__main__":
    sys.exit(main())
