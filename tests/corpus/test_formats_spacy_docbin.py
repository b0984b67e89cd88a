"""spaCy DocBin (.spacy) import, on files spaCy itself writes."""

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span
from spacy.training.converters import conll_ner_to_docs

from corpus.errors import InputError
from corpus.formats.detect import detect_format
from corpus.formats.spacy_docbin import read_docbin

SPACY_SAMPLE = Path(__file__).resolve().parent.parent / "data" / "import" / "spacy" / "spacy_test_cli_conll_ner_to_docs_input.txt"


def test_spacy_convert_output_reads_with_tokens_sentences_and_entities(tmp_path: Path) -> None:
    # what `python -m spacy convert --converter ner` writes for spaCy's own test input
    docs = list(conll_ner_to_docs(SPACY_SAMPLE.read_text(encoding="utf-8"), n_sents=10, no_print=True))
    f = tmp_path / "converted.spacy"
    DocBin(docs=docs).to_disk(f)
    assert detect_format(f) == "spacy"
    (rec,) = read_docbin(f)
    (doc,) = docs
    assert rec.text == doc.text
    assert rec.tokens == tuple((t.idx, t.idx + len(t)) for t in doc)
    assert len(rec.sents) == 5
    assert [(rec.text[s:e], lab) for s, e, lab in rec.spans] == [(e.text, e.label_) for e in doc.ents]
    assert len(rec.spans) == 10 and {lab for *_, lab in rec.spans} == {"GPE"}


def test_span_groups_relations_kb_ids_and_whitespace_tokens(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    doc = nlp("Ada  met Bob in\nLondon.")  # a double space and a newline: whitespace tokens
    assert [t.text for t in doc] == ["Ada", " ", "met", "Bob", "in", "\n", "London", "."]
    if not Doc.has_extension("rel"):
        Doc.set_extension("rel", default={})
    ada, bob, london = Span(doc, 0, 1, "PER", kb_id="Q7259"), Span(doc, 3, 4, "PER"), Span(doc, 6, 7, "LOC")
    doc.ents = [ada, bob, london]
    doc.spans["sc"] = [ada, bob, london, Span(doc, 3, 7, "EVENT")]  # overlapping, in the group only
    doc._.rel = {(0, 3): {"MET": 1.0, "LIVES_IN": 0.0}, (3, 6): {"MET": 0.0, "LIVES_IN": 0.9},
                 (0, 6): {"MET": 0.1, "LIVES_IN": 0.2}, (1, 3): {"MET": 1.0}}
    f = tmp_path / "rel.spacy"
    DocBin(store_user_data=True, docs=[doc]).to_disk(f)
    (rec,) = read_docbin(f)
    assert rec.text == doc.text and len(rec.tokens) == len(doc)
    assert [(rec.text[s:e], lab) for s, e, lab in rec.spans] == [
        ("Ada", "PER"), ("Bob in\nLondon", "EVENT"), ("Bob", "PER"), ("London", "LOC")]
    named = {(rec.spans[h][2], rec.text[rec.spans[h][0]:rec.spans[h][1]],
              rec.text[rec.spans[c][0]:rec.spans[c][1]], lab) for h, c, lab in rec.relations}
    # the head at token 3 is the longest span starting there (EVENT), scores >= 0.5 only
    assert named == {("PER", "Ada", "Bob in\nLondon", "MET"), ("EVENT", "Bob in\nLondon", "London", "LIVES_IN")}
    assert any("1 relation(s) in doc._.rel start on tokens that start no span" in w for w in rec.warnings)
    assert rec.span_info == {(0, 3, "PER"): ("Q7259", ())}  # the kb id is kept, not warned about
    assert not any("knowledge-base" in w for w in rec.warnings)


def test_not_a_docbin_is_named(tmp_path: Path) -> None:
    f = tmp_path / "broken.spacy"
    f.write_bytes(b"this is not compressed msgpack")
    with pytest.raises(InputError, match=r"broken\.spacy: not a spaCy DocBin file"):
        list(read_docbin(f))
