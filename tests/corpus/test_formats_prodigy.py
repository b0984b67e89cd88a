"""Prodigy JSONL, against Prodigy's own ``ner.manual`` output (tests/data/import/prodigy)."""

import json
from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.formats.detect import detect_format
from corpus.formats.prodigy import read_prodigy

DATA = Path(__file__).resolve().parent.parent / "data" / "import"

SAMPLE = DATA / "prodigy" / "annotated_news_headlines-ner.head20.jsonl"


def test_real_sample_is_detected_and_read() -> None:
    assert detect_format(SAMPLE) == "prodigy"
    recs = list(read_prodigy(SAMPLE))
    assert len(recs) == 20
    assert sum(len(r.spans) for r in recs) == 23
    first = recs[0]
    assert first.text == "Uber\u2019s Lesson: Silicon Valley\u2019s Start-Up Machine Needs Fixing"
    assert first.spans == ((0, 4, "ORG"), (15, 29, "LOCATION"))
    assert first.text[15:29] == "Silicon Valley"
    assert first.meta == {"source": "The New York Times"}
    assert first.answer == "accept" and first.annotated
    assert first.tokens is not None and first.tokens[:3] == ((0, 4), (4, 6), (7, 13))


def test_char_offsets_agree_with_inclusive_token_indexes_of_the_file() -> None:
    raw = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    for obj, rec in zip(raw, read_prodigy(SAMPLE)):
        assert rec.tokens is not None
        for sp, (s, e, label) in zip(obj.get("spans", []), rec.spans):
            # token_end is INCLUSIVE, char end exclusive
            assert rec.tokens[sp["token_start"]][0] == s
            assert rec.tokens[sp["token_end"]][1] == e
            assert label == sp["label"]


def _task(**extra: object) -> dict:
    text = "Angela Merkel met Emmanuel Macron in Berlin."
    tokens = [
        {"text": w, "start": text.index(w), "end": text.index(w) + len(w), "id": i}
        for i, w in enumerate(["Angela", "Merkel", "met", "Emmanuel", "Macron", "in", "Berlin", "."])
    ]
    spans = [
        {"start": 0, "end": 13, "token_start": 0, "token_end": 1, "label": "PERSON"},
        {"start": 18, "end": 33, "token_start": 3, "token_end": 4, "label": "PERSON"},
        {"start": 37, "end": 43, "token_start": 6, "token_end": 6, "label": "GPE"},
    ]
    task = {"text": text, "tokens": tokens, "spans": spans, "answer": "accept"}
    task.update(extra)
    return task


def _write(tmp_path: Path, *tasks: dict) -> Path:
    f = tmp_path / "rel.jsonl"
    f.write_text("\n".join(json.dumps(t) for t in tasks) + "\n", encoding="utf-8")
    return f


def test_relations_head_and_child_are_the_last_token_of_their_spans(tmp_path: Path) -> None:
    rels = [
        # head_span/child_span given: resolved by span
        {"head": 1, "child": 4, "label": "MET_WITH",
         "head_span": {"start": 0, "end": 13, "token_start": 0, "token_end": 1, "label": "PERSON"},
         "child_span": {"start": 18, "end": 33, "token_start": 3, "token_end": 4, "label": "PERSON"}},
        # only token indexes: head 4 = token_end of "Emmanuel Macron", child 6 = "Berlin"
        {"head": 4, "child": 6, "label": "LOCATED_IN"},
    ]
    (rec,) = read_prodigy(_write(tmp_path, _task(relations=rels, _annotator_id="news-alice")))
    assert rec.annotator == "news-alice"
    assert rec.relations == ((0, 1, "MET_WITH"), (1, 2, "LOCATED_IN"))


def test_reject_and_ignore_keep_the_document_but_not_the_annotations(tmp_path: Path) -> None:
    recs = list(read_prodigy(_write(tmp_path, _task(answer="reject"), _task(answer="ignore"))))
    assert [r.answer for r in recs] == ["reject", "ignore"]
    assert all(r.spans == () and r.relations == () and r.text for r in recs)


def test_relation_to_a_missing_span_names_the_line(tmp_path: Path) -> None:
    f = _write(tmp_path, _task(), _task(relations=[{"head": 2, "child": 6, "label": "X"}]))
    with pytest.raises(InputError, match=r"rel\.jsonl, line 2: relation 'X' points to a head span that does not exist"):
        list(read_prodigy(f))


@pytest.mark.parametrize(
    "span, message",
    [
        ({"start": 40, "end": 99, "label": "GPE"}, r"line 1: span 40-99 'GPE' is outside the text"),
        ({"start": 7, "end": 3, "label": "GPE"}, r"line 1: span 7-3 'GPE': end is not after start"),
        ({"start": 0, "end": 3}, r"line 1: span 0-3 has no label"),
    ],
)
def test_bad_spans(tmp_path: Path, span: dict, message: str) -> None:
    f = _write(tmp_path, _task(spans=[span]))
    with pytest.raises(InputError, match=message):
        list(read_prodigy(f))
