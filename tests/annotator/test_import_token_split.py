"""Issue 12, problem 6: spans off token boundaries (sub-token proteins, "YfeA", "B", "C", "D" in
"YfeABCD", 12 % of BioNLP-ST 2011 ID) cut the tokens of a new document at import, so the spaCy
export holds every span exactly, once; documents already in the project keep their tokens."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import DocBin

from annotator.export import export
from annotator.importing import import_paths
from annotator.stats import project_stats
from annotator.tokenize import split_at_boundaries
from corpus.model import is_token_aligned
from corpus.store import Store

BRAT = Path(__file__).resolve().parent.parent / "data" / "interop" / "brat"
YFE = BRAT / "yfe" / "yfe_subtoken.txt"
ID_DOC = BRAT / "bionlp_st_2011_id" / "PMC2266911-02-Results_and_Discussion-03-02.txt"


def _read_back(out: Path) -> list:
    nlp = spacy.blank("en")
    return list(DocBin().from_disk(out / "train.spacy").get_docs(nlp.vocab))


def _brat_spans(txt: Path, event_types: set[str] = frozenset()) -> list[tuple[int, int, str]]:
    """The T lines of a brat pair that are entities (not triggers), as (start, end, type)."""
    out = []
    for line in txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            label, start, end = line.split("\t")[1].split()
            if label not in event_types:
                out.append((int(start), int(end), label))
    return sorted(out)


def test_split_at_boundaries_cuts_only_inside_tokens() -> None:
    tokens = ((0, 7), (8, 11))  # "YfeABCD and"
    assert split_at_boundaries(tokens, [0, 4, 4, 5, 6, 7, 8, 11, 20]) == (
        ((0, 4), (4, 5), (5, 6), (6, 7), (8, 11)), 1)
    assert split_at_boundaries(tokens, []) == (tokens, 0)


def test_subtoken_proteins_are_exact_ents_in_the_spacy_export_with_no_duplicates(tmp_path: Path) -> None:
    expected = _brat_spans(YFE)
    with Store(tmp_path / "p.db") as st:
        report = import_paths(st, [YFE])
        assert report.off_token_spans == 0 and report.tokens_split == 2  # "YfeABCD", "FeoAB"
        assert "2 tokens split at span boundaries" in report.summary()
        assert project_stats(st)["layers"]["brat"]["off_token_spans"] == 0
        (doc_id,) = st.document_ids()
        doc = st.get_document(doc_id)
        assert all(is_token_aligned(doc.tokens, s, e) for s, e, _ in expected)
        exp = export(st, tmp_path / "out", "spacy", layer="brat")
        assert exp.expanded_spans == 0
    (sdoc,) = _read_back(tmp_path / "out")
    ents = [(e.start_char, e.end_char, e.label_) for e in sdoc.ents]
    assert sorted(ents) == expected and len(set(ents)) == len(ents) == 7
    assert [e.text for e in sdoc.ents][:4] == ["YfeA", "B", "C", "D"]
    assert sdoc.text == YFE.read_text(encoding="utf-8")


def test_a_published_bionlp_st_document_exports_every_protein_exactly(tmp_path: Path) -> None:
    # 107 entity spans, 4 of them inside "YfeABCD" and others inside "ye0323-0332/plu2631-2636"
    event_types = {"Gene_expression", "Transcription", "Protein_catabolism", "Localization", "Binding",
                   "Phosphorylation", "Process", "Regulation", "Positive_regulation", "Negative_regulation"}
    expected = _brat_spans(ID_DOC, event_types)
    with Store(tmp_path / "p.db") as st:
        report = import_paths(st, [ID_DOC])
        assert report.off_token_spans == 0 and report.tokens_split > 0
        export(st, tmp_path / "out", "spacy", layer="brat")
    (sdoc,) = _read_back(tmp_path / "out")
    got = sorted((s.start_char, s.end_char, s.label_) for s in sdoc.spans["sc"])
    assert got == expected  # every span exactly, none widened, none twice
    assert all((e.start_char, e.end_char, e.label_) in set(expected) for e in sdoc.ents)


def test_a_document_already_in_the_project_keeps_its_tokens(tmp_path: Path) -> None:
    text = YFE.read_text(encoding="utf-8")
    plain = tmp_path / "plain" / "yfe_subtoken.txt"
    plain.parent.mkdir()
    plain.write_text(text, encoding="utf-8")
    with Store(tmp_path / "p.db") as st:
        import_paths(st, [plain])  # the text alone: tokenised as spaCy does ("YfeABCD" one token)
        (doc_id,) = st.document_ids()
        before = st.get_document(doc_id).tokens
        report = import_paths(st, [YFE], annotator="alice")
        assert report.documents_existing == 1 and report.tokens_split == 0
        assert st.get_document(doc_id).tokens == before
        assert report.off_token_spans == 6  # YfeA, B, C, D, FeoA, B: kept exactly and counted
        assert project_stats(st)["layers"]["alice"]["off_token_spans"] == 6
        assert sorted((s.start, s.end, s.label) for s in st.spans(doc_id, "alice")) == _brat_spans(YFE)
