"""Label Studio JSON export: Label Studio's own validator accepts every task, its converter reads
our spans back, and our importer reads the file back exactly."""

import json
from pathlib import Path

from label_studio_sdk.converter import Converter
from label_studio_sdk.label_interface import LabelInterface

from corpus.formats.conll import read_conll
from corpus.formats.label_studio import read_label_studio
from corpus.formats.write_label_studio import label_studio_config, label_studio_task
from corpus.model import Document, Relation, Span

TEXT = "Ada Lovelace met Charles Babbage in London \U0001F600 and Paris."


def _doc() -> tuple[Document, list[Span], list[Relation]]:
    doc = Document(text=TEXT, name="d1", meta={"source": "test"}, id=1)
    spans = [Span(1, "alice", 0, 12, "PER", id=10), Span(1, "alice", 17, 32, "PER", id=11),
             Span(1, "alice", 36, 42, "LOC", id=12, score=0.75), Span(1, "alice", 49, 54, "LOC", id=13)]
    rels = [Relation(1, "alice", head=11, child=12, label="located_in")]
    return doc, spans, rels


def _write(tmp_path: Path, tasks: list) -> Path:
    f = tmp_path / "tasks.json"
    f.write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")
    return f


def test_label_studio_validates_annotations_and_predictions() -> None:
    doc, spans, rels = _doc()
    li = LabelInterface(label_studio_config(["PER", "LOC", 'A "quoted" <label>'], ["located_in"]))
    ann = label_studio_task(doc, spans, rels, "alice")["annotations"][0]
    pred = label_studio_task(doc, spans, rels, "model:x@1", predictions=True)["predictions"][0]
    assert li._validate_object(ann, return_errors=True) == []
    assert li.validate_prediction(pred, return_errors=True) == []
    assert pred["model_version"] == "model:x@1" and pred["result"][2]["score"] == 0.75
    # an unknown label is what Label Studio refuses: the check can fail
    bad = label_studio_task(doc, [Span(1, "alice", 0, 3, "NOPE", id=1)], [], "alice")["annotations"][0]
    assert li._validate_object(bad, return_errors=True) != []


def test_label_studio_converter_reads_our_spans(tmp_path: Path) -> None:
    doc, spans, rels = _doc()
    # Label Studio gives an imported task its id; its converter reads exports, which carry it
    f = _write(tmp_path, [{"id": 1, **label_studio_task(doc, spans, rels, "alice")}])
    conv = Converter(label_studio_config(["PER", "LOC"], ["located_in"]), project_dir=None, download_resources=False)
    conv.convert_to_json_min(str(f), str(tmp_path / "min"), is_dir=False)
    (rec,) = json.loads((tmp_path / "min" / "result.json").read_text(encoding="utf-8"))
    # character offsets (code points), as Label Studio stores them: Paris after the emoji at 49
    assert [(r["start"], r["end"], r["text"]) for r in rec["label"]] == [
        (0, 12, "Ada Lovelace"), (17, 32, "Charles Babbage"), (36, 42, "London"), (49, 54, "Paris")
    ]
    conv.convert_to_conll2003(str(f), str(tmp_path / "conll"), is_dir=False)
    (crec,) = read_conll(tmp_path / "conll" / "result.conll")
    assert [crec.text[s:e] for s, e, _ in crec.spans] == ["Ada Lovelace", "Charles Babbage", "London", "Paris"]


def test_round_trip_through_our_importer(tmp_path: Path) -> None:
    doc, spans, rels = _doc()
    f = _write(tmp_path, [label_studio_task(doc, spans, rels, "alice"),
                          label_studio_task(doc, spans, rels, "model:x@1", predictions=True)])
    ann, pred = read_label_studio(f)
    assert ann.text == TEXT and ann.name == "d1" and ann.meta == {"source": "test"}
    assert ann.spans == tuple(sp.key for sp in spans) == pred.spans
    assert ann.relations == ((1, 2, "located_in"),) and pred.annotator == "model:x@1"


def test_skipped_document_is_a_cancelled_annotation(tmp_path: Path) -> None:
    doc, _, _ = _doc()
    task = label_studio_task(doc, [], [], "alice", skipped=True)
    assert task["annotations"] == [{"was_cancelled": True, "result": []}]
    (rec,) = read_label_studio(_write(tmp_path, [task]))
    assert rec.answer == "ignore" and rec.spans == ()
    assert label_studio_task(doc, [], [], "alice", predictions=True, skipped=True)["predictions"] == []
