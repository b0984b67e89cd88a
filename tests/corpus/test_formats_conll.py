"""CoNLL files, against spaCy's and doccano's test inputs and against spaCy/seqeval themselves."""

from pathlib import Path

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from corpus.errors import InputError
from corpus.formats.conll import decode_tags, read_conll
from corpus.formats.detect import detect_format

DATA = Path(__file__).resolve().parent.parent / "data" / "import"
SPACY_CONLL = DATA / "spacy" / "spacy_test_cli_conll_ner_to_docs_input.txt"
SPACY_IOB = DATA / "spacy" / "spacy_test_cli_iob_to_docs_input.txt"
DOCCANO_CONLL = DATA / "doccano" / "data_import__tests__sequence_labeling__example.conll"


def _ents(rec):
    return [(rec.text[s:e], lab) for s, e, lab in rec.spans]


def test_spacy_conll_input_mixed_columns_and_separators() -> None:
    assert detect_format(SPACY_CONLL) == "conll"
    (rec,) = read_conll(SPACY_CONLL)
    assert rec.sents is not None and len(rec.sents) == 5
    assert _ents(rec) == [("London", "GPE"), ("New York City", "GPE")] * 5
    assert rec.text.split("\n")[0] == "I like London and New York City ."
    assert rec.tokens is not None and len(rec.tokens) == 40


def test_same_entities_as_spacys_own_converter() -> None:
    from spacy.training.converters import conll_ner_to_docs, iob_to_docs

    (ours,) = read_conll(SPACY_CONLL)
    (theirs,) = conll_ner_to_docs(SPACY_CONLL.read_text(encoding="utf-8"), n_sents=10, no_print=True)
    assert [(e.text, e.label_) for e in theirs.ents] == _ents(ours)
    assert [t.text for t in theirs] == [ours.text[s:e] for s, e in ours.tokens]

    (ours,) = read_conll(SPACY_IOB)
    (theirs,) = iob_to_docs(SPACY_IOB.read_text(encoding="utf-8"), n_sents=10, no_print=True)
    assert len(ours.sents) == len(list(theirs.sents)) == 4
    assert [(e.text, e.label_) for e in theirs.ents] == _ents(ours)
    assert len(ours.spans) == 8  # IOB1 "London|I-GPE" starts an entity


def test_doccano_conll_two_tab_columns() -> None:
    assert detect_format(DOCCANO_CONLL) == "conll"
    (rec,) = read_conll(DOCCANO_CONLL)
    assert rec.text == "JAPAN GET\nNadim Ladki"
    assert _ents(rec) == [("JAPAN", "LOC"), ("Nadim Ladki", "PER")]
    assert rec.sents == ((0, 9), (10, 21))


SCHEMES = {
    "IOB2": ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "O", "B-ORG"],
    "IOB1": ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC", "O", "I-ORG"],
    "BILOU": ["B-PER", "L-PER", "O", "U-LOC", "B-LOC", "L-LOC", "O", "U-ORG"],
}


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_tag_schemes_agree_with_seqeval(scheme: str) -> None:
    tags = SCHEMES[scheme]
    ours = [(lab, a, b - 1) for a, b, lab in decode_tags(tags)]
    seq = [t.replace("L-", "E-").replace("U-", "S-") for t in tags]  # seqeval spells BILOU as IOBES
    assert ours == get_entities(seq)
    assert ours == [("PER", 0, 1), ("LOC", 3, 3), ("LOC", 4, 5), ("ORG", 7, 7)]


def test_docstart_splits_documents(tmp_path: Path) -> None:
    f = tmp_path / "two.conll"
    f.write_text(
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n"
        "-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n",
        encoding="utf-8",
    )
    recs = list(read_conll(f))
    assert [r.text for r in recs] == ["EU rejects", "Peter Blackburn"]
    assert [r.name for r in recs] == ["two", "two:2"]
    assert [_ents(r) for r in recs] == [[("EU", "ORG")], [("Peter Blackburn", "PER")]]
    assert [r.line for r in recs] == [3, 8]


def test_one_column_line_is_named(tmp_path: Path) -> None:
    f = tmp_path / "bad.conll"
    f.write_text("EU B-ORG\nrejects\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.conll, line 2: expected 2 to 4 columns"):
        list(read_conll(f))


def test_a_column_of_pos_tags_is_refused_naming_the_line(tmp_path) -> None:
    from corpus.errors import InputError
    from corpus.formats.conll import read_conll

    path = tmp_path / "pos.conll"
    path.write_text("EU B-ORG\nrejects VBZ\nGerman B-MISC\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"pos\.conll, line 2: 'VBZ' is not an IOB/BILOU entity tag"):
        list(read_conll(path))
