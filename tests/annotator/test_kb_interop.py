"""Knowledge-base ids, attributes and Prodigy review versions through import, export and agreement,
with files other tools wrote (see tests/data/interop/PROVENANCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.agreement_report import agreement_report
from annotator.export import export
from annotator.importing import import_paths
from corpus.errors import InputError
from corpus.formats.brat import read_brat
from corpus.formats.prodigy import read_prodigy, session_annotator
from corpus.formats.label_studio import read_label_studio
from corpus.formats.spacy_docbin import read_docbin
from corpus.store import Store

INTEROP = Path(__file__).resolve().parent.parent / "data" / "interop"
NEL = INTEROP / "prodigy" / "nel_emerson.jsonl"
REVIEW = INTEROP / "prodigy" / "review_versions.jsonl"


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "p.db")
    yield s
    s.close()


def test_prodigy_nel_accepted_option_becomes_the_span_kb_id(store: Store) -> None:
    records = list(read_prodigy(NEL))
    assert [r.span_info for r in records] == [
        {(0, 13, "PERSON"): ("Q48226", ())}, {(0, 7, "PERSON"): ("Q48744", ())},
        {(0, 7, "PERSON"): ("NIL_ambiguous", ())},
    ]
    import_paths(store, [NEL], annotator="alice")
    assert [(s.start, s.end, s.kb_id) for s in store.spans(layers="alice")] == [
        (0, 13, "Q48226"), (0, 7, "Q48744"), (0, 7, "NIL_ambiguous")]


def test_prodigy_nel_with_two_spans_keeps_no_id_and_says_so(tmp_path: Path) -> None:
    line = NEL.read_text(encoding="utf-8").splitlines()[0]
    two = line.replace('"spans":[{', '"spans":[{"start":22,"end":29,"label":"ORG"},{', 1)
    path = tmp_path / "two.jsonl"
    path.write_text(two + "\n", encoding="utf-8")
    (rec,) = read_prodigy(path)
    assert rec.span_info == {} and len(rec.spans) == 2
    assert any("no knowledge-base id kept" in w and "line 1" in w for w in rec.warnings)


def test_review_versions_become_annotator_layers_that_agreement_compares(store: Store) -> None:
    report = import_paths(store, [REVIEW])
    layers = {layer: [(s.start, s.end, s.label) for s in store.spans(layers=layer)] for layer in ("alice", "bob")}
    assert layers == {
        "alice": [(0, 5, "ORG"), (12, 20, "PERSON"), (24, 29, "GPE")],
        "bob": [(0, 5, "ORG"), (12, 16, "PERSON")],
    }
    assert len(store.spans(layers="news_reviewed-rachel")) == 3  # the reviewed answer keeps its layer
    assert report.documents_added == 1 and store.count_documents() == 1  # one document, three layers
    result = agreement_report(store, annotators=["alice", "bob"])
    (pair,) = result["pairs"]
    assert (pair["a"], pair["b"], pair["documents"]) == ("alice", "bob", 1)
    assert pair["span_f1"] == pytest.approx(2 * 1 / (3 + 2))  # one exact match of 3 and 2 spans


def test_session_ids_name_their_annotator() -> None:
    sessions = ["ner-news-mary-jane", "ner-news-bob"]
    assert [session_annotator(s, sessions) for s in sessions] == ["mary-jane", "bob"]
    assert session_annotator("news-alice") == "alice"
    assert session_annotator("alice") == "alice"


BRAT = INTEROP / "brat"


def test_brat_attribute_lines_become_span_attributes() -> None:
    """brat's own tutorial file: ``A4 Individual T1`` is a flag on the Person span; the
    attributes of events are counted in a warning, not silently dropped."""
    (rec,) = read_brat(BRAT / "100-attribute_annotation.ann")
    assert rec.span_info == {(497, 505, "Person"): ("", (("Individual", True),))}
    assert any("5 attribute/normalisation line(s) about events" in w for w in rec.warnings)


def test_brat_normalisations_become_kb_ids(store: Store) -> None:
    import_paths(store, [BRAT / "normalization_attributes.ann"], annotator="alice")
    got = {(s.start, s.end): (s.kb_id, s.attrs) for s in store.spans(layers="alice")}
    assert got == {
        (0, 12): ("Wikipedia:534366", {}),
        (17, 30): ("", {"Negated": True, "Confidence": "Low"}),
        (34, 40): ("GeoNames:2950159", {}),
    }


def test_brat_info_line_about_an_unknown_annotation_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("Paris is nice.\n", encoding="utf-8")
    (tmp_path / "d.ann").write_text("T1\tLocation 0 5\tParis\nN1\tReference T9 Wikipedia:22989\tParis\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"d\.ann.*line 2.*T9"):
        list(read_brat(tmp_path / "d.ann"))


def _linked_project(store: Store) -> None:
    import_paths(store, [BRAT / "normalization_attributes.ann", NEL], annotator="alice")


def test_spacy_export_writes_kb_ids_that_spacy_and_our_docbin_import_read(store: Store, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    _linked_project(store)
    export(store, tmp_path / "out", "spacy", layer="alice")
    docs = list(DocBin().from_disk(tmp_path / "out" / "train.spacy").get_docs(spacy.blank("en").vocab))
    ents = {(e.text, e.kb_id_) for d in docs for e in d.ents}
    group = {(s.text, s.kb_id_) for d in docs for s in d.spans["sc"]}
    expected = {("Barack Obama", "Wikipedia:534366"), ("Angela Merkel", ""), ("Berlin", "GeoNames:2950159"),
                ("Emerson Moser", "Q48226"), ("Emerson", "Q48744"), ("Emerson", "NIL_ambiguous")}
    assert ents == group == expected
    back = [info for rec in read_docbin(tmp_path / "out" / "train.spacy") for info in rec.span_info.values()]
    assert sorted(kb for kb, _ in back) == sorted(kb for _, kb in expected if kb)


def test_brat_export_writes_attribute_and_normalisation_lines_brat_reads_back(store: Store, tmp_path: Path) -> None:
    _linked_project(store)
    export(store, tmp_path / "brat", "brat", layer="alice")
    ann = (tmp_path / "brat" / "normalization_attributes.ann").read_text(encoding="utf-8")
    assert "A1\tConfidence T2 Low\n" in ann and "A2\tNegated T2\n" in ann
    assert "N1\tReference T1 Wikipedia:534366\tBarack Obama\n" in ann
    (rec,) = read_brat(tmp_path / "brat" / "normalization_attributes.ann")
    original = next(iter(read_brat(BRAT / "normalization_attributes.ann")))
    assert rec.span_info == original.span_info
    conf = (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    attributes = conf.split("[attributes]\n", 1)[1]
    assert attributes.splitlines() == ["Confidence\tArg:<ENTITY>, Value:Low", "Negated\tArg:<ENTITY>"]
    # a kb id without a database name gets one (brat's N lines are DB:ID), and the report says so
    report = export(store, tmp_path / "brat2", "brat", layer="alice")
    emerson = next(p for p in (tmp_path / "brat2").glob("*.ann") if "Q48226" in p.read_text(encoding="utf-8"))
    assert "Reference T1 kb:Q48226\tEmerson Moser" in emerson.read_text(encoding="utf-8")
    assert any("kb:ID" in w for w in report.warnings)


def test_jsonl_export_keeps_kb_ids_and_attributes_and_the_nel_shape(store: Store, tmp_path: Path) -> None:
    _linked_project(store)
    export(store, tmp_path / "out.jsonl", "jsonl", layer="alice")
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    merkel = next(x for x in lines if "Merkel" in x["text"])
    assert {(s["start"], s.get("kb_id"), json.dumps(s.get("attributes"), sort_keys=True)) for s in merkel["spans"]} == {
        (0, "Wikipedia:534366", "null"), (17, None, '{"Confidence": "Low", "Negated": true}'),
        (34, "GeoNames:2950159", "null")}
    moser = next(x for x in lines if x["text"].startswith("Emerson Moser"))
    assert moser["accept"] == ["Q48226"] and moser["spans"][0]["kb_id"] == "Q48226"
    again = {(r.text, key, info) for r in read_prodigy(tmp_path / "out.jsonl") for key, info in r.span_info.items()}
    first = {(r.text, key, info) for path in (NEL,) for r in read_prodigy(path) for key, info in r.span_info.items()}
    assert first <= again and len(again) == len(first) + 3


def test_label_studio_per_region_choices_text_and_taxonomy_become_attributes(store: Store) -> None:
    path = INTEROP / "label_studio" / "per_region_attributes.json"
    (rec,) = read_label_studio(path)
    assert rec.span_info == {
        (0, 5, "ORG"): ("", (("entity_kind", "Company"), ("wikidata", "Q312"))),
        (12, 20, "PER"): ("", (("role", "Person/Employee"),)),
    }
    assert any("'choices' is not a text span" in w for w in rec.warnings)  # the document-level choice
    import_paths(store, [path])
    assert {s.label: s.attrs for s in store.spans()} == {
        "ORG": {"entity_kind": "Company", "wikidata": "Q312"}, "PER": {"role": "Person/Employee"}}
