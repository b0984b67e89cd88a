"""Prodigy answers keep their meaning from import to every export: rejected and ignored examples
are never negatives, binary accepts are partial (unknown tokens missing, not O), span-level
rejects are not entities."""

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.export import export
from annotator.importing import import_paths
from corpus.formats.prodigy import read_prodigy
from corpus.store import Store
from corpus.store import answers as aq

ANSWERS = Path(__file__).resolve().parent.parent / "data" / "interop" / "prodigy" / "news_headlines_answers.jsonl"
LAYER = "prodigy"


def test_reader_keeps_answers_partial_and_span_level_rejects() -> None:
    recs = list(read_prodigy(ANSWERS))
    assert [r.answer for r in recs] == ["reject", "ignore", "accept", "reject", "accept", "accept"]
    assert [r.partial for r in recs] == [False, False, True, False, False, False]
    assert recs[0].spans == () and recs[0].rejected == ()  # a manual reject: the example, not its spans
    assert recs[3].spans == () and [(recs[3].text[s:e], lab) for s, e, lab in recs[3].rejected] == [
        ("Silicon Valley", "ORG")]
    chief = recs[4]
    assert [(chief.text[s:e], lab) for s, e, lab in chief.spans] == [("Uber", "ORG")]
    assert [(chief.text[s:e], lab) for s, e, lab in chief.rejected] == [("Chief", "PERSON")]


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "p.db")
    import_paths(s, [ANSWERS], annotator=LAYER)
    yield s
    s.close()


def _doc_id(store: Store, start: str) -> int:
    (i,) = [i for i in store.document_ids() if store.get_document(i).text.startswith(start)]
    return i


def test_import_records_answers_and_rejections(store: Store) -> None:
    said = aq.answers(store, LAYER)
    assert said[_doc_id(store, "Uber’s Lesson")].answer == "reject"
    assert said[_doc_id(store, "How Silicon")].partial
    chief = _doc_id(store, "How Uber’s Chief")
    assert {sp.label for sp in store.spans(chief, layers=LAYER)} == {"ORG"}
    assert {r[3] for r in store.rejections(LAYER, chief)} == {"PERSON"}
    binary_reject = _doc_id(store, "Silicon Valley Investors")
    assert store.spans(binary_reject, layers=LAYER) == []
    assert {r[3] for r in store.rejections(LAYER, binary_reject)} == {"ORG"}


def test_jsonl_export_keeps_the_answers_and_reads_back(store: Store, tmp_path: Path) -> None:
    report = export(store, tmp_path / "out.jsonl", "jsonl", layer=LAYER)
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    by = {r["text"][:14]: r for r in rows}
    assert by["Uber’s Lesson:"]["answer"] == "reject" and by["Pearl Automati"]["answer"] == "ignore"
    assert by["How Silicon Va"]["answer"] == "accept" and by["How Silicon Va"]["_view_id"] == "ner"
    assert "_view_id" not in by["How Uber’s Chi"]
    assert report.documents == 6
    with Store(tmp_path / "back.db") as back:
        import_paths(back, [tmp_path / "out.jsonl"])
        assert aq.answers(back, LAYER) == aq.answers(store, LAYER)


def test_spacy_export_leaves_declined_out_and_binary_tokens_missing(store: Store, tmp_path: Path) -> None:
    report = export(store, tmp_path / "sp", "spacy", layer=LAYER)
    docs = list(DocBin().from_disk(tmp_path / "sp" / "train.spacy").get_docs(spacy.blank("en").vocab))
    texts = {d.text[:14]: d for d in docs}
    # reject, ignore and the binary reject are not negatives: they are not there at all
    assert set(texts) == {"How Silicon Va", "How Uber’s Chi", "As New Zealand"}
    assert any("3 document(s) rejected, ignored or skipped" in w for w in report.warnings)
    binary = texts["How Silicon Va"]
    assert [(e.text, e.label_) for e in binary.ents] == [("Silicon Valley", "LOCATION")]
    assert {t.ent_iob_ for t in binary if not t.ent_type_} == {""}  # missing, not "O"
    manual = texts["How Uber’s Chi"]
    assert {t.ent_iob_ for t in manual if not t.ent_type_} == {"O"}  # a complete annotation
    assert [(e.text, e.label_) for e in manual.ents] == [("Uber", "ORG")]  # "Chief" was rejected


def test_conll_export_leaves_declined_and_partial_out(store: Store, tmp_path: Path) -> None:
    report = export(store, tmp_path / "c.conll", "conll", layer=LAYER)
    text = (tmp_path / "c.conll").read_text(encoding="utf-8")
    assert text.count("-DOCSTART-") == report.documents == 2
    assert "Lesson" not in text and "Pearl" not in text and "Investors" not in text and "Coding" not in text
    assert any("partial (binary) accept left out" in w for w in report.warnings)
