"""End to end through the command line, as a user drives it on real files.

import (the real brat, Prodigy, doccano and spaCy CoNLL files in tests/data/import, plus the
seed articles) -> suggest with no model and pattern rules (resume, --force) -> two people
annotate and mark documents done (Store API, as the window does) -> ``stats --json`` (issue 2
contract, issue 3 suggester quality) -> ``agreement --json`` (issue 6 contract) -> ``export
spacy`` (DocBin holds the same entities) -> ``export jsonl`` -> import into a new project ->
the same spans and relations.

Everything goes through :func:`annotator.cli.main` and is checked from what it prints or writes.
No spaCy model is loaded (``--no-model``): the whole file runs in a few seconds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.cli import main
from corpus.model import Relation, Span
from corpus.resources import seeds_dir
from corpus.store import Store

DATA = Path(__file__).parent / "data" / "import"

#: Each real file, and how many documents and spans it holds (counted by hand from the files).
SAMPLES = {
    "brat": (2, 19),  # two .txt/.ann pairs (+ annotation.conf); 19 T lines
    "prodigy/annotated_news_headlines-ner.head20.jsonl": (20, 23),  # 20 accepted headlines
    "doccano/data_export__sequence_labeling__example.jsonl": (3, 4),
    "doccano/data_export__relation_extraction__example.jsonl": (1, 4),
    "doccano/data_import__tests__sequence_labeling__example.conll": (1, 2),
    "spacy/spacy_test_cli_conll_ner_to_docs_input.txt": (1, 10),  # spaCy's test: 10 entities
}

PATTERNS = [
    {"label": "ORG", "pattern": "Silicon Valley"},
    {"label": "PERSON", "pattern": [{"LOWER": "antony"}, {"LOWER": "blinken"}]},
    {"label": "GPE", "pattern": "Iraq"},
]

PATTERN_LAYER = "patterns"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``annotator ARGV``: (exit status, stdout, stderr)."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, f"annotator {' '.join(map(str, argv))} -> {code}\n{out}\n{err}"
    assert "Traceback" not in err
    return out


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    return json.loads(run_ok(capsys, *argv, "--json"))


def spans_by_text(store: Store, layer: str) -> dict[str, set[tuple[int, int, str]]]:
    """``{document text: {(start, end, label)}}`` of one layer, independent of document ids."""
    out: dict[str, set[tuple[int, int, str]]] = {}
    for doc in store.iter_documents():
        got = {(s.start, s.end, s.label) for s in store.spans(doc.id, layer)}
        if got:
            out[doc.text] = got
    return out


def relations_by_text(store: Store, layer: str) -> dict[str, set[tuple[int, int, int, int, str]]]:
    out: dict[str, set[tuple[int, int, int, int, str]]] = {}
    for doc in store.iter_documents():
        spans = {s.id: s for s in store.spans(doc.id, layer)}
        rels = {
            (spans[r.head].start, spans[r.head].end, spans[r.child].start, spans[r.child].end, r.label)
            for r in store.relations(doc.id, layer)
        }
        if rels:
            out[doc.text] = rels
    return out


def f1(a: set, b: set) -> float:
    return 2 * len(a & b) / (len(a) + len(b))


@pytest.fixture(scope="module")
def seeds() -> list[Path]:
    files = sorted(seeds_dir().glob("*.txt"))
    assert len(files) >= 6, "the seed articles ship with the program"
    return files


def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    out, i = [], text.find(needle)
    while i >= 0:
        out.append((i, i + len(needle)))
        i = text.find(needle, i + 1)
    return out


def test_cli_pipeline_from_real_files_to_training_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seeds: list[Path]
) -> None:
    """Import other tools' files, suggest, annotate, stats, agreement, export and re-import,
    each step through the command line on the same project file."""
    project = tmp_path / "project.db"
    n_docs = _import_step(capsys, project, seeds)
    expected = _suggest_step(capsys, project, tmp_path)
    seed_texts = [p.read_text(encoding="utf-8") for p in seeds[:3]]
    alice, bob = _annotate_step(project, seeds, seed_texts, expected)
    _stats_step(capsys, project, n_docs, alice, bob, seed_texts, expected)
    _agreement_step(capsys, project, alice, bob)
    _export_step(capsys, project, tmp_path, alice, seed_texts)


def _import_step(capsys: pytest.CaptureFixture[str], project: Path, seeds: list[Path]) -> int:
    # --- 1. import: every real file, and the seeds; the project file is created -------------
    n_docs = sum(d for d, _ in SAMPLES.values()) + len(seeds)
    out = run_ok(capsys, "import", project, *(DATA / p for p in SAMPLES), seeds_dir())
    assert project.exists()
    assert "added" in out

    stats = run_json(capsys, "stats", project)
    assert stats["documents"] == n_docs
    assert isinstance(stats["tokens"], int) and stats["tokens"] > 1000
    # Each tool's annotations arrive whole, in a layer of their own.
    imported_spans = sum(layer["spans"] for layer in stats["layers"].values())
    assert imported_spans == sum(s for _, s in SAMPLES.values())

    # The same articles again are the same documents (content hash), not copies.
    run_ok(capsys, "import", project, DATA / "brat", seeds_dir())
    assert run_json(capsys, "stats", project)["documents"] == n_docs

    return n_docs


def _suggest_step(capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path
                  ) -> dict[str, set[tuple[int, int, str]]]:
    # --- 2. suggest: no model, pattern rules; resumable; --force redoes without duplicates ----
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text("".join(json.dumps(p) + "\n" for p in PATTERNS), encoding="utf-8")
    run_ok(capsys, "suggest", project, "--no-model", "--patterns", patterns)
    with Store(project) as store:
        suggested = spans_by_text(store, PATTERN_LAYER)
        texts = [d.text for d in store.iter_documents()]
    # Exactly what the rules say, at the exact offsets, and nothing else.
    expected: dict[str, set[tuple[int, int, str]]] = {}
    for text in texts:
        found = {(s, e, "ORG") for s, e in occurrences(text, "Silicon Valley")}
        found |= {(s, e, "PERSON") for s, e in occurrences(text, "Antony Blinken")}
        found |= {(s, e, "GPE") for s, e in occurrences(text, "Iraq")
                  if not text[e:e + 1].isalnum() and not text[s - 1:s].isalnum()}
        if found:
            expected[text] = found
    assert suggested == expected
    assert any(lab == "PERSON" for spans in suggested.values() for *_, lab in spans), "Blinken"

    again = run_json(capsys, "suggest", project, "--no-model")  # the stored patterns, resumed
    assert sum(layer["docs"] for layer in again["layers"]) == 0, "a second run redid finished work"
    run_ok(capsys, "suggest", project, "--no-model", "--force")
    with Store(project) as store:
        assert spans_by_text(store, PATTERN_LAYER) == expected
        assert store.count_spans(PATTERN_LAYER) == sum(len(v) for v in expected.values())

    return expected


def _annotate_step(project: Path, seeds: list[Path], seed_texts: list[str],
                   expected: dict[str, set[tuple[int, int, str]]]) -> tuple[set, set]:
    # --- 3. two people annotate three seed articles and mark them done ----------------------
    alice: set[tuple[str, int, int, str]] = set()
    bob: set[tuple[str, int, int, str]] = set()
    with Store(project) as store:
        by_text = {d.text: d for d in store.iter_documents()}
        for k, text in enumerate(seed_texts):
            doc = by_text[text]
            # alice accepts the pattern suggestions of the article and labels a few more words
            accepted = sorted(expected.get(text, set()))
            taken = [(s, e) for s, e, _ in accepted]
            words = [(s, e) for s, e in doc.tokens if text[s:e].istitle() and e - s > 3
                     and not any(s < te and ts < e for ts, te in taken)][:5]
            assert len(words) >= 4, "seed articles name people and places"
            mine = [Span(doc.id, "alice", s, e, "PERSON" if i % 2 else "ORG") for i, (s, e) in enumerate(words)]
            mine += [Span(doc.id, "alice", s, e, lab) for s, e, lab in accepted]
            # bob: leaves out alice's first span, relabels her second, has the rest
            theirs = [Span(sp.doc_id, "bob", sp.start, sp.end, sp.label) for sp in mine[1:]]
            theirs[0] = Span(doc.id, "bob", theirs[0].start, theirs[0].end, "GPE")
            a_spans = store.add_spans(mine)
            b_spans = store.add_spans(theirs)
            # one relation each, between the same two spans; bob picks another label in one article
            store.add_relations([Relation(doc.id, "alice", a_spans[2].id, a_spans[3].id, "MEMBER_OF")])
            store.add_relations([Relation(doc.id, "bob", b_spans[1].id, b_spans[2].id,
                                          "LEADER_OF" if k == 0 else "MEMBER_OF")])
            alice |= {(text, s.start, s.end, s.label) for s in mine}
            bob |= {(text, s.start, s.end, s.label) for s in theirs}
            store.set_status(doc.id, "alice", "done")
            store.set_status(doc.id, "bob", "done")
        # bob has also started (not finished) a fourth article: it must not count anywhere
        extra = by_text[seeds[3].read_text(encoding="utf-8")]
        s0, e0 = extra.tokens[0]
        store.add_spans([Span(extra.id, "bob", s0, e0, "ORG")])

    return alice, bob


def _stats_step(capsys: pytest.CaptureFixture[str], project: Path, n_docs: int, alice: set, bob: set,
                seed_texts: list[str], expected: dict[str, set[tuple[int, int, str]]]) -> None:
    # --- 4. stats --json: the contract of issue 2, suggester quality of issue 3 -------------
    stats = run_json(capsys, "stats", project)
    assert isinstance(stats["documents"], int) and stats["documents"] == n_docs
    assert isinstance(stats["tokens"], int)
    for name, layer in stats["layers"].items():
        assert set(layer) >= {"spans", "relations", "labels", "done"}, name
        assert all(isinstance(layer[k], int) for k in ("spans", "relations", "done")), name
        assert sum(layer["labels"].values()) == layer["spans"], name
    assert stats["layers"]["alice"]["spans"] == len(alice)
    assert stats["layers"]["alice"]["relations"] == 3
    assert stats["layers"]["alice"]["done"] == 3
    assert stats["layers"]["bob"]["spans"] == len(bob) + 1
    assert stats["layers"]["bob"]["done"] == 3
    assert stats["layers"]["alice"]["labels"] == {
        lab: sum(1 for *_, x in alice if x == lab) for lab in {x for *_, x in alice}
    }
    # How good the pattern suggestions are against alice, on the three articles she finished.
    quality = stats["suggesters"][PATTERN_LAYER]["alice"]
    sugg = {(t, s, e, lab) for t in seed_texts for s, e, lab in expected.get(t, set())}
    tp = len(sugg & alice)
    assert (quality["tp"], quality["fp"], quality["fn"]) == (tp, len(sugg) - tp, len(alice) - tp)
    assert tp > 0, "alice accepted pattern suggestions"
    assert quality["precision"] == pytest.approx(tp / len(sugg))
    assert quality["recall"] == pytest.approx(tp / len(alice))
    human = run_ok(capsys, "stats", project)
    assert "alice" in human and "bob" in human



def _agreement_step(capsys: pytest.CaptureFixture[str], project: Path, alice: set, bob: set) -> None:
    # --- 5. agreement --json: the contract of issue 6 ---------------------------------------
    report = run_json(capsys, "agreement", project, "--annotators", "alice,bob")
    assert report["documents"] == 3
    assert sorted(report["annotators"]) == ["alice", "bob"]
    overall = report["overall"]
    for key in ("span_f1", "span_f1_overlap", "token_kappa_fleiss", "token_alpha", "unitizing_alpha",
                "relation_f1"):
        assert key in overall and (overall[key] is None or isinstance(overall[key], float)), key
    assert overall["span_f1"] == pytest.approx(f1(alice, bob))
    assert 0 < overall["token_alpha"] < 1
    assert overall["relation_f1"] == pytest.approx(2 / 3)
    assert isinstance(report.get("notes", []), list)
    (pair,) = report["pairs"]
    assert {pair["a"], pair["b"]} == {"alice", "bob"}
    assert pair["documents"] == 3
    for key in ("span_f1", "span_f1_overlap", "token_kappa", "relation_f1"):
        assert isinstance(pair[key], float), key
    assert pair["span_f1"] == pytest.approx(f1(alice, bob))
    assert set(report["per_label"]) >= {"ORG", "PERSON"}
    for label, scores in report["per_label"].items():
        assert "span_f1" in scores and "unitizing_alpha" in scores, label
    a_person = {x for x in alice if x[3] == "PERSON"}
    b_person = {x for x in bob if x[3] == "PERSON"}
    assert report["per_label"]["PERSON"]["span_f1"] == pytest.approx(f1(a_person, b_person))



def _export_step(capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path, alice: set,
                 seed_texts: list[str]) -> None:
    # --- 6. export spacy: DocBin loads and holds alice's entities exactly -------------------
    out_spacy = tmp_path / "spacy"
    run_ok(capsys, "export", project, out_spacy, "--format", "spacy", "--layer", "alice", "--only-done")
    assert (out_spacy / "config.cfg").is_file()
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out_spacy / "train.spacy").get_docs(nlp.vocab))
    assert sorted(d.text for d in docs) == sorted(seed_texts)
    exported = {(d.text, e.start_char, e.end_char, e.label_) for d in docs for e in d.ents}
    assert exported == alice
    in_sc = {(d.text, e.start_char, e.end_char, e.label_) for d in docs for e in d.spans["sc"]}
    assert in_sc == alice

    # --- 7. export jsonl -> import into a new project -> the same spans and relations -------
    out_jsonl = tmp_path / "alice.jsonl"
    run_ok(capsys, "export", project, out_jsonl, "--format", "jsonl", "--layer", "alice")
    assert out_jsonl.is_file()
    copy = tmp_path / "copy.db"
    run_ok(capsys, "import", copy, out_jsonl)
    with Store(project) as store:
        spans_before = spans_by_text(store, "alice")
        rels_before = relations_by_text(store, "alice")
    with Store(copy) as store:
        assert store.layers() == ["alice"]
        assert spans_by_text(store, "alice") == spans_before
        assert relations_by_text(store, "alice") == rels_before
        assert sorted(d.text for d in store.iter_documents()) == sorted(seed_texts)  # alice's articles


def test_cli_refuses_bad_input_in_one_line_and_leaves_the_project_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project.db"
    run_ok(capsys, "import", project, DATA / "prodigy")
    before = run_json(capsys, "stats", project)

    good = '{"text": "One good line."}\n'
    cases = {
        "broken.jsonl": (good + '{"text": "broken\n').encode(),
        "latin1.txt": "Café in München.\n".encode("latin-1"),
        "empty.jsonl": b"",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        code, out, err = run(capsys, "import", project, path)
        assert code != 0, name
        assert len(err.strip().splitlines()) == 1, err
        assert name in err and "Traceback" not in err, err
        assert run_json(capsys, "stats", project) == before, f"{name} left something behind"
    code, _, err = run(capsys, "import", project, tmp_path / "broken.jsonl")
    assert "line 2" in err

    # Not a project: a clear line, the file untouched.
    other = tmp_path / "other.db"
    shutil.copy(DATA / "prodigy" / "annotated_news_headlines-ner.head20.jsonl", other)
    raw = other.read_bytes()
    code, _, err = run(capsys, "stats", other)
    assert code != 0 and len(err.strip().splitlines()) == 1 and "other.db" in err
    assert other.read_bytes() == raw
    code, _, err = run(capsys, "stats", tmp_path / "missing.db")
    assert code != 0 and "missing.db" in err
    assert not (tmp_path / "missing.db").exists()
