"""The test verifier of brat's rules (tests/brat_rules.py) against brat's own corpora and
against the errors brat reports, and the exported ``annotation.conf``'s overlap rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.formats.brat import read_annotation_conf, read_event_types
from corpus.formats.write_brat import annotation_conf, brat_ann, overlap_kinds
from corpus.model import Relation, Span

from brat_rules import read_conf, verify, verify_folder

DATA = Path(__file__).resolve().parent.parent / "data"
BRAT_CORPORA = [DATA / "import" / "brat", DATA / "interop" / "brat" / "bionlp_st_2011_id",
                DATA / "interop" / "brat" / "bionlp_st_2011_ge"]


@pytest.mark.parametrize("folder", BRAT_CORPORA, ids=lambda p: p.name)
def test_brat_example_corpora_pass(folder: Path) -> None:
    assert verify_folder(folder) == {}


def _conf(tmp_path: Path, relations: str = "") -> Path:
    p = tmp_path / "annotation.conf"
    p.write_text(f"[entities]\nA\nB\n[relations]\nr\tArg1:A, Arg2:B\n{relations}\n"
                 "[events]\nEv\tTheme:A\n[attributes]\n", encoding="utf-8")
    return p


ANN = ("T1\tA 0 10\tx\nT2\tB 0 10\tx\nT3\tA 2 4\tx\nT4\tB 8 14\tx\nT5\tEv 2 4\tx\nT6\tC 20 22\tx\n"
       "R1\tr Arg1:T1 Arg2:T2\nR2\tr Arg1:T2 Arg2:T1\nR3\tq Arg1:T1 Arg2:T2\nE1\tEv:T5 Theme:T3\n")


def test_the_verifier_flags_what_brat_flags(tmp_path: Path) -> None:
    issues = verify(read_conf(_conf(tmp_path)), ANN)
    assert "T6: C is not a known textbound type" in issues
    assert "R3: q is not a known relation type" in issues
    assert "R2: r relation Arg1:B Arg2:A not allowed" in issues
    assert "T1: A cannot have identical span with B T2" in issues
    assert "T3: A cannot be contained in A (T1)" in issues
    assert any("cannot have crossing span" in i for i in issues)
    assert not any(i.startswith("T5") for i in issues)  # a trigger may overlap entities
    assert not any(i.startswith("R1") for i in issues)


@pytest.mark.parametrize("rule, allowed", [
    ("<OVERLAP>\tArg1:A, Arg2:A, <OVL-TYPE>:contain", {"contain"}),
    ("ENTITY-NESTING\tArg1:A, Arg2:A", {"contain"}),
    ("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", {"contain", "equal", "cross"}),
    ("<OVERLAP>\tArg1:A|B, Arg2:A|B, <OVL-TYPE>:equal|cross", {"equal", "cross"}),
])
def test_overlap_rules_allow_what_they_name(tmp_path: Path, rule: str, allowed: set[str]) -> None:
    issues = verify(read_conf(_conf(tmp_path, rule)), ANN)
    assert any("contained in A" in i for i in issues) == ("contain" not in allowed)
    assert any("identical span" in i for i in issues) == ("equal" not in allowed)
    assert any("crossing" in i for i in issues) == ("cross" not in allowed)


def _spans(*triples: tuple[int, int, str]) -> list[Span]:
    return [Span(id=i, doc_id=1, layer="gold", start=s, end=e, label=lab) for i, (s, e, lab) in enumerate(triples, 1)]


def test_overlap_kinds_in_brats_terms() -> None:
    spans = _spans((0, 10, "ORG"), (0, 10, "GPE"), (2, 4, "LOC"), (8, 14, "LOC"), (14, 20, "LOC"), (30, 35, "my label"))
    assert overlap_kinds(spans) == {
        ("GPE", "ORG", "equal"), ("ORG", "GPE", "equal"),
        ("LOC", "ORG", "contain"), ("LOC", "GPE", "contain"),
        ("LOC", "ORG", "cross"), ("ORG", "LOC", "cross"), ("LOC", "GPE", "cross"), ("GPE", "LOC", "cross"),
    }  # touching spans (8-14, 14-20) do not overlap
    assert overlap_kinds(_spans((0, 5, "a b"), (0, 5, "a b"))) == {("a_b", "a_b", "equal")}


def test_exported_conf_allows_exactly_the_exported_overlaps(tmp_path: Path) -> None:
    text = "New York City Council met the Mayor of New York."
    spans = _spans((0, 21, "ORG"), (0, 13, "GPE"), (0, 13, "LOC"), (4, 13, "GPE"), (30, 48, "PER"), (39, 47, "GPE"),
                   (39, 48, "the title"))
    rels = [Relation(doc_id=1, layer="gold", head=5, child=6, label="mayor of")]
    bd = brat_ann(text, spans, rels)
    labels = ["ORG", "GPE", "LOC", "PER", "the title"]
    before = annotation_conf(labels, [("mayor of", "PER", "GPE")])  # without the overlaps: what we wrote
    after = annotation_conf(labels, [("mayor of", "PER", "GPE")], bd.overlaps)
    (tmp_path / "annotation.conf").write_text(before, encoding="utf-8")
    assert len(verify(read_conf(tmp_path / "annotation.conf"), bd.ann)) >= 5
    (tmp_path / "annotation.conf").write_text(after, encoding="utf-8")
    assert verify(read_conf(tmp_path / "annotation.conf"), bd.ann) == []
    assert "<OVERLAP>\tArg1:GPE, Arg2:ORG, <OVL-TYPE>:contain\n" in after
    # our reader keeps reading the entity and relation types (the rules are not labels)
    assert read_annotation_conf(tmp_path / "annotation.conf") == (labels[:4] + ["the_title"], ["mayor_of"])


def test_entity_nesting_rules_and_event_types_are_not_labels() -> None:
    conf = DATA / "interop" / "brat" / "bionlp_st_2011_id" / "annotation.conf"
    ents, rels = read_annotation_conf(conf)
    assert rels == ["Equiv"] and "Protein" in ents and "Gene_expression" not in ents
    assert set(read_event_types(conf)) == {
        "Gene_expression", "Transcription", "Protein_catabolism", "Localization", "Binding",
        "Phosphorylation", "Process", "Regulation", "Positive_regulation", "Negative_regulation"}
