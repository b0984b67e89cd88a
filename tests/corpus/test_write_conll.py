"""CoNLL-2003 writer: tag schemes, layout, sentences, misaligned and overlapping spans.

Read back with seqeval (the library people score NER with) and our own CoNLL reader."""

from __future__ import annotations

import pytest
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import BILOU, IOB1, IOB2, Entities

from corpus.formats.write_conll import DOCSTART, conll_document, conll_word, tag_words
from corpus.model import Document, Span

# "Barack Obama met Joe Biden in New York City .\nIt rained ."
TEXT = "Barack Obama met Joe Biden in New York City .\nIt rained ."


def _tokens(text: str) -> tuple[tuple[int, int], ...]:
    """Whitespace-split tokens plus the newline as a whitespace token (as spaCy stores it)."""
    out, i = [], 0
    for part in text.replace("\n", " \n ").split(" "):
        if not part:
            continue
        j = text.index(part, i)
        out.append((j, j + len(part)))
        i = j + len(part)
    return tuple(out)


def _doc(text: str = TEXT, sents: tuple[tuple[int, int], ...] | None = None) -> Document:
    if sents is None:
        nl = text.index("\n")
        sents = ((0, nl + 1), (nl + 1, len(text)))
    return Document(text=text, name="d", tokens=_tokens(text), sents=sents, id=1)


def _span(text: str, words: str, label: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return Span(doc_id=1, layer="gold", start=start, end=start + len(words), label=label)


SPANS = [
    _span(TEXT, "Barack Obama", "PER"),
    _span(TEXT, "Joe Biden", "PER"),
    _span(TEXT, "New York City", "LOC"),
]
EXPECTED = [("PER", 0, 1), ("PER", 3, 4), ("LOC", 6, 8)]


def _rows(text: str) -> list[list[str]]:
    return [line.split(" ") for line in text.splitlines() if line and not line.startswith("-DOCSTART-")]


def test_tag_schemes_adjacent_entities_of_one_type() -> None:
    ents = [(0, 1, "PER"), (2, 2, "PER"), (4, 4, "LOC")]
    assert tag_words(5, ents, "iob2") == ["B-PER", "I-PER", "B-PER", "O", "B-LOC"]
    # IOB1 (the original CoNLL-2003 data): B- only where an entity follows one of its type.
    assert tag_words(5, ents, "iob1") == ["I-PER", "I-PER", "B-PER", "O", "I-LOC"]
    assert tag_words(5, ents, "bilou") == ["B-PER", "L-PER", "U-PER", "O", "U-LOC"]


@pytest.mark.parametrize(
    "scheme, seqeval_scheme", [("iob2", IOB2), ("iob1", IOB1), ("bilou", BILOU)]
)
def test_seqeval_reads_the_same_entities(scheme: str, seqeval_scheme: type) -> None:
    cd = conll_document(_doc(), SPANS, scheme=scheme)
    tags = [r[-1] for r in _rows(cd.text)]
    got = sorted((e.tag, e.start, e.end - 1) for e in Entities([tags], seqeval_scheme).entities[0])
    assert got == sorted(EXPECTED)
    if scheme != "bilou":
        assert sorted(get_entities(tags)) == sorted(EXPECTED)


def test_layout_docstart_columns_sentences_and_whitespace_tokens() -> None:
    cd = conll_document(_doc(), SPANS)
    assert cd.text.startswith(DOCSTART[4])
    assert DOCSTART[4] == "-DOCSTART- -X- O O\n\n"  # spaCy's converter's document delimiter
    blocks = cd.text.split("\n\n")
    # DOCSTART, sentence 1, sentence 2, trailing ""
    assert blocks[1].splitlines()[0] == "Barack -X- O B-PER"
    assert blocks[2].splitlines() == ["It -X- O O", "rained -X- O O", ". -X- O O"]
    assert cd.text.endswith(". -X- O O\n\n")
    assert "\n\n\n" not in cd.text
    assert all(len(r) == 4 for r in _rows(cd.text))  # the newline token is not a word
    assert (cd.words, cd.sentences, cd.entities) == (13, 2, 3)

    two = conll_document(_doc(), SPANS, columns=2)
    assert two.text.startswith("-DOCSTART- -X- O O\n\n")
    assert _rows(two.text)[0] == ["Barack", "B-PER"]


def test_given_pos_tags_fill_the_pos_column() -> None:
    doc = _doc()
    pos = ["NNP"] * len(doc.tokens)
    cd = conll_document(doc, SPANS, pos=pos)
    assert _rows(cd.text)[0] == ["Barack", "NNP", "O", "B-PER"]


def test_misaligned_span_is_expanded_and_reported() -> None:
    sp = Span(doc_id=1, layer="gold", start=TEXT.index("York") + 1, end=TEXT.index("City") + 2, label="LOC")
    cd = conll_document(_doc(), [sp])
    assert cd.expanded == (sp,)
    tags = [r[-1] for r in _rows(cd.text)]
    assert get_entities(tags) == [("LOC", 7, 8)]  # "York City"


def test_overlapping_spans_keep_the_longest_and_report_the_rest() -> None:
    inner = _span(TEXT, "York City", "GPE")
    cd = conll_document(_doc(), SPANS + [inner])
    assert cd.dropped == (inner,)
    assert get_entities([r[-1] for r in _rows(cd.text)]) == EXPECTED


def test_entity_across_a_sentence_boundary_joins_the_sentences() -> None:
    text = "Dr. Smith went home ."
    toks = _tokens(text)
    doc = Document(text=text, name="d", tokens=toks, sents=((0, 3), (4, len(text))), id=1)
    cd = conll_document(doc, [_span(text, "Dr. Smith", "PER")])
    blocks = [b for b in cd.text.split("\n\n") if b and not b.startswith("-DOCSTART-")]
    assert len(blocks) == 1
    assert blocks[0].splitlines()[:2] == ["Dr. -X- O B-PER", "Smith -X- O I-PER"]


def test_token_with_inner_whitespace_and_label_with_space() -> None:
    text = "New York is big"
    doc = Document(text=text, name="d", tokens=((0, 8), (9, 11), (12, 15)), sents=((0, 15),), id=1)
    cd = conll_document(doc, [Span(doc_id=1, layer="gold", start=0, end=8, label="BIG CITY")])
    assert _rows(cd.text)[0] == ["New_York", "-X-", "O", "B-BIG_CITY"]
    assert cd.renamed_tokens == 1
    assert conll_word("a\u00a0b\tc") == "a_b_c"


def test_span_over_whitespace_only_is_reported_not_written() -> None:
    nl = TEXT.index("\n")
    sp = Span(doc_id=1, layer="gold", start=nl, end=nl + 1, label="X")
    cd = conll_document(_doc(), [sp])
    assert cd.dropped == (sp,) and cd.entities == 0


def test_our_conll_reader_reads_the_same_entities(tmp_path) -> None:
    from corpus.formats.conll import read_conll

    for scheme in ("iob2", "iob1", "bilou"):
        a = conll_document(_doc(), SPANS, scheme=scheme)
        p = tmp_path / f"{scheme}.conll"
        p.write_text(a.text + conll_document(_doc("Paris is nice .\nYes ."), [], scheme=scheme).text,
                     encoding="utf-8")
        recs = list(read_conll(p))
        assert len(recs) == 2
        got = sorted((lab, recs[0].text[s:e]) for s, e, lab in recs[0].spans)
        assert got == [("LOC", "New York City"), ("PER", "Barack Obama"), ("PER", "Joe Biden")]
        assert recs[1].spans == ()


def test_iob1_starts_a_sentence_with_i_even_after_a_same_type_entity() -> None:
    # CoNLL-2003's IOB1: B- only between two adjacent same-type entities of one sentence
    text = "They flew to Paris\nLondon Heathrow was next ."
    toks = _tokens(text)
    nl = text.index("\n")
    doc = Document(text=text, name="d", tokens=toks, sents=((0, nl), (nl + 1, len(text))), id=1)
    spans = [_span(text, "Paris", "LOC"), _span(text, "London Heathrow", "LOC")]
    rows = _rows(conll_document(doc, spans, scheme="iob1").text)
    assert [r[-1] for r in rows][3:6] == ["I-LOC", "I-LOC", "I-LOC"]
    # within one sentence the second of two adjacent LOCs still starts with B-
    one = Document(text=text, name="d", tokens=toks, sents=((0, len(text)),), id=1)
    assert [r[-1] for r in _rows(conll_document(one, spans, scheme="iob1").text)][3:6] == ["I-LOC", "B-LOC", "I-LOC"]
