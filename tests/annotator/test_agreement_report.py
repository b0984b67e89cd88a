"""The agreement report over a project (built through the Store API) and its command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import krippendorff
import numpy as np
import pytest

from annotator.agreement import (
    cohen_kappa,
    fleiss_kappa,
    relation_f1,
    span_f1,
    token_labels,
    unitizing_alpha,
)
from annotator.agreement_report import agreement_job, agreement_report, format_report
from annotator.progress import Progress
from annotator.tokenize import tokenize
from corpus.errors import ProjectError
from corpus.model import Document, DocumentStatus, Relation, Span
from corpus.store import Store

TEXTS = [
    "Alice works for Acme Corp in Paris.\n\nBob lives in Berlin.",
    "Carol met Dave at Globex in Rome yesterday.",
    "Eve joined Initech in Oslo.",
]

# (doc index) -> annotator -> spans; relations as (head index, child index, label) into that list
SPANS = {
    0: {
        "alice": [(0, 5, "PER"), (16, 25, "ORG"), (29, 34, "LOC"), (37, 40, "PER"), (50, 56, "LOC")],
        "bob": [(0, 5, "PER"), (16, 20, "ORG"), (29, 34, "LOC"), (37, 40, "PER"), (50, 56, "LOC")],
        "carol": [(0, 5, "PER"), (16, 25, "ORG"), (37, 40, "PER"), (50, 56, "ORG")],
    },
    1: {
        "alice": [(0, 5, "PER"), (10, 14, "PER"), (18, 24, "ORG"), (28, 32, "LOC")],
        "bob": [(0, 5, "PER"), (10, 14, "PER"), (18, 24, "ORG"), (28, 32, "PER")],
        "carol": [(0, 5, "PER")],
    },
    2: {
        "alice": [(0, 3, "PER"), (11, 18, "ORG")],
        "bob": [(0, 3, "PER")],
    },
}
RELATIONS = {
    0: {"alice": [(0, 1, "works_for")], "bob": [(0, 1, "works_for")], "carol": [(0, 1, "works_for")]},
    1: {"alice": [(0, 1, "met")], "bob": [(0, 1, "met")]},
}
DONE = {0: ["alice", "bob", "carol"], 1: ["alice", "bob"], 2: ["alice"]}


def _build(path: Path) -> tuple[Store, list[int]]:
    store = Store(path)
    docs = []
    for i, text in enumerate(TEXTS):
        tokens, sents = tokenize(text)
        docs.append(Document(text=text, name=f"doc{i}.txt", tokens=tokens, sents=sents))
    ids = [d for d, _ in store.add_documents(docs)]
    for name in ("alice", "bob", "carol"):
        store.add_annotator(name)
    for i, by_ann in SPANS.items():
        for ann, spans in by_ann.items():
            added = store.add_spans(Span(ids[i], ann, s, e, lab) for s, e, lab in spans)
            rels = RELATIONS.get(i, {}).get(ann, [])
            store.add_relations(Relation(ids[i], ann, added[h].id, added[c].id, lab) for h, c, lab in rels)  # type: ignore[arg-type]
    for i, anns in DONE.items():
        for ann in anns:
            store.set_status(ids[i], ann, DocumentStatus.DONE)
    store.set_status(ids[1], "carol", DocumentStatus.IN_PROGRESS)
    return store, ids


@pytest.fixture()
def project(tmp_path: Path) -> tuple[Store, list[int], Path]:
    path = tmp_path / "project.db"
    store, ids = _build(path)
    yield store, ids, path
    store.close()


def _nonspace_tokens(text: str) -> list[tuple[int, int]]:
    return [t for t in tokenize(text)[0] if not text[t[0] : t[1]].isspace()]


def test_report_contract_and_documents(project) -> None:
    store, ids, _ = project
    report = agreement_report(store)
    assert report["documents"] == 2  # doc 2 was finished by alice only
    assert report["annotators"] == ["alice", "bob", "carol"]
    assert set(report["overall"]) >= {
        "span_f1", "span_f1_overlap", "token_kappa_fleiss", "token_alpha", "unitizing_alpha", "relation_f1",
    }
    for p in report["pairs"]:
        assert set(p) >= {"a", "b", "documents", "span_f1", "span_f1_overlap", "token_kappa", "relation_f1"}
    assert {(p["a"], p["b"]): p["documents"] for p in report["pairs"]} == {
        ("alice", "bob"): 2, ("alice", "carol"): 1, ("bob", "carol"): 1,
    }
    assert set(report["per_label"]) == {"PER", "ORG", "LOC"}
    for v in report["per_label"].values():
        assert set(v) >= {"span_f1", "unitizing_alpha"}
    # JSON-ready: plain types only, no NaN
    text = json.dumps(report, allow_nan=False)
    assert json.loads(text) == report
    # the non-whitespace tokens of the two compared documents
    assert report["overall"]["tokens"] == len(_nonspace_tokens(TEXTS[0])) + len(_nonspace_tokens(TEXTS[1]))


def _spans(i: int, ann: str) -> list[tuple[int, int, int, str]]:
    return [(i, s, e, lab) for s, e, lab in SPANS[i].get(ann, [])]


def test_pair_span_and_relation_f1_match_pure_functions(project) -> None:
    store, _, _ = project
    report = agreement_report(store)
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    ab = pairs["alice", "bob"]
    exact = span_f1(_spans(0, "alice") + _spans(1, "alice"), _spans(0, "bob") + _spans(1, "bob"))
    overlap = span_f1(_spans(0, "alice") + _spans(1, "alice"), _spans(0, "bob") + _spans(1, "bob"), "overlap")
    assert ab["span_f1"] == pytest.approx(exact.f1)
    assert ab["span_f1_overlap"] == pytest.approx(overlap.f1)
    assert (ab["tp"], ab["fp"], ab["fn"]) == (7, 2, 2)
    assert ab["span_f1_overlap"] > ab["span_f1"]
    # alice-carol only on doc 0 (carol did not finish doc 1)
    ac = pairs["alice", "carol"]
    assert ac["span_f1"] == pytest.approx(span_f1(_spans(0, "alice"), _spans(0, "carol")).f1)
    # relations: doc 0 works_for(Alice, Acme Corp) vs bob's works_for(Alice, Acme): endpoint differs
    assert ab["relation_f1"] == pytest.approx(0.5)
    assert ac["relation_f1"] == 1.0
    assert pairs["bob", "carol"]["relation_f1"] == 0.0
    overall = report["overall"]
    assert overall["span_f1"] == pytest.approx(sum(p["span_f1"] for p in report["pairs"]) / 3)
    assert overall["relation_f1"] == pytest.approx(0.5)
    rel = relation_f1(
        [((0, 5, "PER"), (16, 25, "ORG"), "works_for")], [((0, 5, "PER"), (16, 20, "ORG"), "works_for")]
    )
    assert rel.f1 == 0.0


def test_token_measures_match_independent_computations(project) -> None:
    store, _, _ = project
    report = agreement_report(store)
    toks = [_nonspace_tokens(t) for t in TEXTS[:2]]
    labels = {
        (i, ann): token_labels(toks[i], SPANS[i][ann]) for i in range(2) for ann in ("alice", "bob", "carol")
    }
    # Fleiss: only doc 0 was finished by all three
    fleiss = fleiss_kappa([labels[0, a] for a in ("alice", "bob", "carol")])
    assert report["overall"]["token_kappa_fleiss"] == pytest.approx(fleiss.kappa)
    # Cohen per pair over the documents both finished
    ab = cohen_kappa(labels[0, "alice"] + labels[1, "alice"], labels[0, "bob"] + labels[1, "bob"])
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    assert pairs["alice", "bob"]["token_kappa"] == pytest.approx(ab.kappa)
    # alpha: carol is missing on doc 1; compare with the krippendorff package
    names = sorted({x for v in labels.values() for x in v})
    code = {n: i for i, n in enumerate(names)}
    rows = []
    for ann in ("alice", "bob", "carol"):
        row = [code[x] for x in labels[0, ann]]
        row += [code[x] for x in labels[1, ann]] if ann != "carol" else [np.nan] * len(toks[1])
        rows.append(row)
    expected = krippendorff.alpha(reliability_data=np.array(rows, dtype=float), level_of_measurement="nominal")
    assert report["overall"]["token_alpha"] == pytest.approx(expected)


def test_unitizing_alpha_single_document_equals_dkpro_formulation(project) -> None:
    store, _, _ = project
    report = agreement_report(store, annotators=["alice", "carol"])  # they share doc 0 only
    assert report["documents"] == 1
    expected = unitizing_alpha([SPANS[0]["alice"], SPANS[0]["carol"]], length=len(TEXTS[0]))
    assert report["overall"]["unitizing_alpha"] == pytest.approx(expected.alpha)
    for lab, cat in expected.per_category.items():
        assert report["per_label"][lab]["unitizing_alpha"] == pytest.approx(cat.alpha)


def test_identical_annotators_agree_perfectly(tmp_path: Path) -> None:
    store = Store(tmp_path / "same.db")
    text = TEXTS[0]
    tokens, sents = tokenize(text)
    d = store.add_document(Document(text=text, name="d", tokens=tokens, sents=sents))
    for ann in ("x", "y"):
        store.add_annotator(ann)
        store.add_spans(Span(d, ann, s, e, lab) for s, e, lab in SPANS[0]["alice"])
        store.set_status(d, ann, "done")
    r = agreement_report(store)
    o = r["overall"]
    assert o["span_f1"] == o["span_f1_overlap"] == 1.0
    assert o["token_kappa_fleiss"] == pytest.approx(1.0)
    assert o["token_alpha"] == pytest.approx(1.0)
    assert o["unitizing_alpha"] == 1.0
    assert r["disagreements"] == []
    assert o["relation_f1"] is None
    assert any("relation_f1" in n for n in r["notes"])
    store.close()


def test_disagreements_list(project) -> None:
    store, ids, _ = project
    report = agreement_report(store)
    dis = report["disagreements"]
    org = [d for d in dis if d["doc_id"] == ids[0] and d["start"] == 16]
    assert len(org) == 1
    assert org[0]["end"] == 25 and org[0]["text"] == "Acme Corp"
    assert org[0]["doc_name"] == "doc0.txt"
    assert org[0]["labels"] == {"alice": "ORG", "bob": "ORG", "carol": "ORG"}
    assert org[0]["spans"]["bob"] == [[16, 20, "ORG"]]
    paris = [d for d in dis if d["doc_id"] == ids[0] and d["start"] == 29][0]
    assert paris["labels"] == {"alice": "LOC", "bob": "LOC", "carol": None}
    # carol is not part of doc 1's comparison
    rome = [d for d in dis if d["doc_id"] == ids[1] and d["start"] == 28][0]
    assert rome["labels"] == {"alice": "LOC", "bob": "PER"}
    # agreed spans are not listed
    assert not [d for d in dis if d["doc_id"] == ids[0] and d["start"] == 0]


def test_label_filter_and_all_docs(project) -> None:
    store, ids, _ = project
    only_per = agreement_report(store, labels=["PER"])
    assert list(only_per["per_label"]) == ["PER"]
    pairs = {(p["a"], p["b"]): p for p in only_per["pairs"]}
    assert pairs["alice", "bob"]["span_f1"] == pytest.approx(
        span_f1(_spans(0, "alice") + _spans(1, "alice"), _spans(0, "bob") + _spans(1, "bob"), labels=["PER"]).f1
    )
    everything = agreement_report(store, all_docs=True)
    assert everything["documents"] == 3
    assert everything["all_docs"] is True
    pairs = {(p["a"], p["b"]): p for p in everything["pairs"]}
    assert pairs["alice", "carol"]["documents"] == 3


def test_suggester_layer_is_compared_like_a_person(project) -> None:
    store, ids, _ = project
    store.add_spans(Span(ids[0], "model:test", s, e, lab) for s, e, lab in SPANS[0]["alice"][:3])
    store.mark_suggested([ids[0], ids[1]], "model:test")
    report = agreement_report(store, annotators=["alice", "model:test"])
    assert report["documents"] == 2  # the suggester processed docs 0 and 1, alice finished both
    pair = report["pairs"][0]
    assert (pair["a"], pair["b"]) == ("alice", "model:test")
    assert pair["tp"] == 3 and pair["fp"] == 6 and pair["fn"] == 0


def test_errors_are_project_errors(project) -> None:
    store, _, _ = project
    with pytest.raises(ProjectError, match="nobody"):
        agreement_report(store, annotators=["alice", "nobody"])
    with pytest.raises(ProjectError, match="at least two"):
        agreement_report(store, annotators=["alice"])


def test_no_common_documents_gives_nulls_with_notes(tmp_path: Path) -> None:
    store = Store(tmp_path / "empty.db")
    store.add_annotator("a")
    store.add_annotator("b")
    store.add_document(Document(text="Nothing here.", name="n", tokens=tokenize("Nothing here.")[0]))
    r = agreement_report(store)
    assert r["documents"] == 0
    assert all(v is None for k, v in r["overall"].items() if k != "tokens")
    assert r["notes"]
    json.dumps(r, allow_nan=False)
    store.close()


def test_job_yields_progress_then_returns_report(project) -> None:
    store, _, _ = project
    job = agreement_job(store)
    steps = []
    while True:
        try:
            steps.append(next(job))
        except StopIteration as stop:
            report = stop.value
            break
    assert steps and all(isinstance(s, Progress) for s in steps)
    assert steps[-1].done == steps[-1].total
    assert [s.done for s in steps] == sorted(s.done for s in steps)
    assert report["documents"] == 2


def test_format_report_is_readable(project) -> None:
    store, _, _ = project
    text = format_report(agreement_report(store))
    assert "alice, bob, carol" in text
    assert "Pairs" in text and "Per label" in text
    assert "nan" not in text.lower()


# -- the command ------------------------------------------------------------------------------


def test_cli_json_and_table(project, capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.cli import main

    store, _, path = project
    assert main(["agreement", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["documents"] == 2
    assert out["overall"]["relation_f1"] == pytest.approx(0.5)

    assert main(["agreement", str(path), "--annotators", "alice,bob", "--labels", "PER,LOC", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["annotators"] == ["alice", "bob"]
    assert set(out["per_label"]) == {"PER", "LOC"}

    assert main(["agreement", str(path), "--all-docs", "--disagreements", "2"]) == 0
    table = capsys.readouterr().out
    assert "3 document(s)" in table and "span F1" in table


@pytest.mark.slow
def test_cli_errors_are_one_line(project, tmp_path: Path) -> None:
    _, _, path = project
    for args in (
        [str(tmp_path / "missing.db")],
        [str(path), "--annotators", "alice,nobody"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "annotator", "agreement", *args],
            capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], timeout=120,
        )
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert proc.stdout == ""


def test_documents_without_spans_give_nulls_with_reasons() -> None:
    store = Store(":memory:")
    store.add_annotator("a")
    store.add_annotator("b")
    text = "Nothing here at all."
    d = store.add_document(Document(text=text, name="n", tokens=tokenize(text)[0]))
    store.set_status(d, "a", "done")
    store.set_status(d, "b", "done")
    r = agreement_report(store)
    assert r["documents"] == 1 and r["overall"]["tokens"] == 5
    assert r["overall"]["span_f1"] is None and r["overall"]["token_alpha"] is None
    assert any(n.startswith("span_f1") for n in r["notes"])
    assert any(n.startswith("token_alpha") for n in r["notes"])
    json.dumps(r, allow_nan=False)
    store.close()


def test_overlapping_spans_within_a_layer_match_plain_functions(tmp_path: Path) -> None:
    """Projects may allow overlapping spans; the report's fast paths must still agree with
    the plain functions."""
    store = Store(tmp_path / "overlap.db")
    text = "The European Central Bank in Frankfurt am Main raised rates again on Thursday."
    tokens = tokenize(text)[0]
    d = store.add_document(Document(text=text, name="o", tokens=tokens))
    a_spans = [(4, 25, "ORG"), (13, 25, "ORG"), (29, 46, "LOC"), (29, 38, "LOC")]
    b_spans = [(4, 25, "ORG"), (29, 38, "LOC"), (70, 78, "DATE")]
    for ann, spans in (("a", a_spans), ("b", b_spans)):
        store.add_annotator(ann)
        store.add_spans(Span(d, ann, s, e, lab) for s, e, lab in spans)
        store.set_status(d, ann, "done")
    r = agreement_report(store)
    pair = r["pairs"][0]
    assert pair["span_f1"] == pytest.approx(span_f1(a_spans, b_spans).f1)
    assert pair["span_f1_overlap"] == pytest.approx(span_f1(a_spans, b_spans, "overlap").f1)
    assert r["overall"]["unitizing_alpha"] == pytest.approx(unitizing_alpha([a_spans, b_spans], len(text)).alpha)
    store.close()


@pytest.mark.parametrize("damaged", ['[[0, 1], [2', '[[0, 1], ["a", 3]]', '{"x": 1}'])
def test_damaged_token_column_is_one_line_naming_the_document(project, damaged: str) -> None:
    """A project whose stored tokens were damaged (by another program) gives a ProjectError
    naming the document, never a traceback or figures computed from garbage."""
    import sqlite3

    store, ids, path = project
    store.close()
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE documents SET tokens = ? WHERE id = ?", (damaged, ids[0]))
    con.close()
    store = Store(path)
    try:
        with pytest.raises(ProjectError, match=f"document {ids[0]} .*tokens"):
            agreement_report(store, annotators=["alice", "bob"], all_docs=True)
    finally:
        store.close()
