"""Prodigy-shaped JSONL writer: the shape Prodigy itself writes (checked against a real
``ner.manual`` file) and the relation convention head/child = token_end."""

from __future__ import annotations

import json
from pathlib import Path

from corpus.formats.write_jsonl import dumps_record, prodigy_record, token_range
from corpus.model import Document, Relation, Span

SAMPLE = Path("/work/shared/samples/prodigy/annotated_news_headlines-ner.head20.jsonl")

TEXT = "Pearl Automation, Founded by Apple Veterans, Shuts Down"
TOKENS = ((0, 5), (6, 16), (16, 17), (18, 25), (26, 28), (29, 34), (35, 43), (43, 44), (45, 50), (51, 55))


def _doc() -> Document:
    return Document(text=TEXT, name="pearl", meta={"source": "The New York Times"}, tokens=TOKENS,
                    sents=((0, len(TEXT)),), id=3)


def test_spans_and_tokens_match_what_prodigy_wrote_for_the_same_headline() -> None:
    # Line 2 of Explosion's ner.manual sample is this headline, annotated by Prodigy itself.
    theirs = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[1])
    spans = [Span(doc_id=3, layer="gold", start=s["start"], end=s["end"], label=s["label"], id=i)
             for i, s in enumerate(theirs["spans"])]
    ours = prodigy_record(_doc(), spans, (), "gold")
    assert ours["text"] == theirs["text"]
    assert ours["spans"] == [
        {k: s[k] for k in ("start", "end", "label", "token_start", "token_end")} for s in theirs["spans"]
    ]
    assert [{k: t[k] for k in ("text", "start", "end", "id")} for t in ours["tokens"]] == theirs["tokens"]
    assert ours["answer"] == "accept" and ours["_annotator_id"] == "gold"
    assert ours["meta"] == {"source": "The New York Times"} and ours["name"] == "pearl"
    assert [t["ws"] for t in ours["tokens"]][:3] == [True, False, True]


def test_relations_point_at_the_last_token_of_each_span() -> None:
    pearl = Span(doc_id=3, layer="gold", start=0, end=16, label="ORG", id=1)
    apple = Span(doc_id=3, layer="gold", start=29, end=34, label="ORG", id=2)
    rel = Relation(doc_id=3, layer="gold", head=1, child=2, label="FOUNDED_BY", id=9)
    rec = prodigy_record(_doc(), [pearl, apple], [rel], "alice")
    (r,) = rec["relations"]
    assert r["head"] == 1 and r["child"] == 5  # token_end of "Pearl Automation" / "Apple"
    assert r["head_span"] == {"start": 0, "end": 16, "label": "ORG", "token_start": 0, "token_end": 1}
    assert r["child_span"]["token_start"] == 5 and r["label"] == "FOUNDED_BY"


def test_misaligned_span_keeps_its_exact_characters() -> None:
    sp = Span(doc_id=3, layer="gold", start=8, end=20, label="X", id=1)  # "tomation, Fo"
    (obj,) = prodigy_record(_doc(), [sp])["spans"]
    assert (obj["start"], obj["end"]) == (8, 20)
    assert (obj["token_start"], obj["token_end"]) == (1, 3)
    assert token_range(TOKENS, 0, 5) == (0, 0)
    assert token_range(TOKENS, 17, 18) == (3, 3)  # a gap: the next token


def test_one_line_per_record_and_no_layer_means_no_annotator() -> None:
    rec = prodigy_record(Document(text="a\u2028b\nc", name="", tokens=(), id=1), [], [], None)
    assert "_annotator_id" not in rec and "answer" not in rec
    line = dumps_record(rec)
    assert line.endswith("\n") and line.count("\n") == 1
    assert json.loads(line)["text"] == "a\u2028b\nc"
