"""Label Studio JSON and JSON-MIN exports, and the whole-file JSON shapes other tools write.

``ner_relations.json`` is validated by Label Studio's own ``LabelInterface`` against
``config.xml``; ``ner_relations.min.json`` was written from it by Label Studio's converter;
``tasks_annotations_predictions.json`` is a file from Label Studio's test suite (see
tests/data/interop/PROVENANCE.md).
"""

import json
from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.formats.json_document import (
    is_json_document,
    iter_json_document,
    json_document_kind,
    read_json_document,
)
from corpus.formats.label_studio import read_label_studio, read_label_studio_min

DATA = Path(__file__).resolve().parent.parent / "data" / "interop" / "label_studio"
T1 = "Ada Lovelace worked with Charles Babbage in London."
T2 = "Grace Hopper joined Remington Rand in Philadelphia."


def _by_layer(recs):
    return {(r.text, r.annotator): r for r in recs}


def test_label_studio_json_one_layer_per_annotator_with_relations() -> None:
    f = DATA / "ner_relations.json"
    assert is_json_document(f) and json_document_kind(f) == "label-studio"
    recs = list(read_label_studio(f))
    by = _by_layer(recs)
    ada = by[(T1, "ada@example.org")]
    assert [(T1[s:e], lab) for s, e, lab in ada.spans] == [
        ("Ada Lovelace", "PER"), ("Charles Babbage", "PER"), ("London", "LOC")
    ]
    assert ada.relations == ((1, 2, "located_in"),)  # direction right: from -> to
    other = by[(T1, "ls-user-2")]
    # direction left: the arrow points from to_id (b1, Ada) to from_id (b2, London)
    assert [(T1[other.spans[h][0]:other.spans[h][1]], T1[other.spans[c][0]:other.spans[c][1]], lab)
            for h, c, lab in other.relations] == [("Ada Lovelace", "London", "located_in")]
    pred = by[(T1, "model:ner-v1")]
    assert pred.answer is None and [lab for _, _, lab in pred.spans] == ["PER", "LOC"]
    assert ada.name == "101" and ada.meta["source"] == "wiki" and ada.meta["label_studio_id"] == 101


def test_cancelled_annotation_is_kept_as_skipped_and_unannotated_task_as_document() -> None:
    recs = list(read_label_studio(DATA / "ner_relations.json"))
    by = _by_layer(recs)
    skipped = by[(T2, "ls-user-2")]
    assert skipped.answer == "ignore" and skipped.spans == () and not skipped.accepted
    assert by[(T2, "ada@example.org")].relations == ((0, 1, "works_for"),)
    (plain,) = [r for r in recs if r.text == "Nothing to see here."]
    assert not plain.annotated and plain.annotator is None


def test_json_min_written_by_label_studio_converter() -> None:
    f = DATA / "ner_relations.min.json"
    assert json_document_kind(f) == "label-studio-min"
    recs = list(read_label_studio_min(f))
    by = _by_layer(recs)
    assert by[(T1, "ls-user-2")].spans == ((0, 12, "PER"), (44, 50, "LOC"))
    assert [T2[s:e] for s, e, _ in by[(T2, "ada@example.org")].spans] == [
        "Grace Hopper", "Remington Rand", "Philadelphia"
    ]
    (plain,) = [r for r in recs if r.text == "Nothing to see here."]
    assert not plain.annotated
    # JSON-MIN leaves cancelled annotations out: nothing invented for ls-user-2 on T2
    assert (T2, "ls-user-2") not in by


def test_label_studio_test_suite_file_choices_are_named_not_dropped() -> None:
    f = DATA / "tasks_annotations_predictions.json"
    assert json_document_kind(f) == "label-studio"
    recs = list(read_json_document(f))
    texts = [r.text for r in recs]
    assert texts.count("x2") == 3  # two annotations and a prediction: three layers of one text
    assert {"zzz", "vivi"} <= set(texts)  # tasks given as their data alone
    assert all(r.spans == () for r in recs)
    warnings = [w for r in recs for w in r.warnings]
    assert len(warnings) == 1 and "'choices' is not a text span" in warnings[0]
    assert {r.annotator for r in recs if r.annotated} == {None, "model:model_version_A", "model:label-studio"}


def test_utf16_offsets_are_converted(tmp_path: Path) -> None:
    text = "\U0001F600 Ada"
    task = {"data": {"text": text}, "annotations": [{"completed_by": 1, "result": [
        {"id": "x", "type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 3, "end": 6, "text": "Ada", "labels": ["PER"]}}]}]}
    f = tmp_path / "emoji.json"
    f.write_text(json.dumps([task]), encoding="utf-8")
    (rec,) = read_json_document(f)
    assert rec.spans == ((2, 5, "PER"),) and "UTF-16" in rec.warnings[0]


def test_relation_to_a_missing_region_names_the_line(tmp_path: Path) -> None:
    tasks = json.loads((DATA / "ner_relations.json").read_text())
    tasks[1]["annotations"][0]["result"][3]["to_id"] = "nope"
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(tasks, indent=2), encoding="utf-8")
    start_line = [ln for ln, _ in iter_json_document(f)][1]
    assert start_line > 2
    with pytest.raises(InputError, match=rf"bad\.json, line {start_line}: relation to_id 'nope' is not a labelled region"):
        list(read_json_document(f))


def test_unknown_json_array_is_named_with_the_known_formats(tmp_path: Path) -> None:
    f = tmp_path / "things.json"
    f.write_text(json.dumps([{"title": "a"}, {"title": "b"}, {"title": "c"}], indent=2), encoding="utf-8")
    with pytest.raises(InputError, match=r"things\.json: a JSON array of 3 items \(the first with keys: title\); "
                                         r"known JSON formats are Label Studio JSON"):
        json_document_kind(f)
    g = tmp_path / "one.json"
    g.write_text(json.dumps({"title": "a", "body": "b"}, indent=2), encoding="utf-8")
    with pytest.raises(InputError, match=r"one\.json: a JSON object \(keys: body, title\); known JSON formats"):
        json_document_kind(g)


def test_broken_json_array_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "broken.json"
    f.write_text('[\n  {"data": {"text": "a"}, "annotations": []},\n  {"data": {"text": "b"},, }\n]\n')
    with pytest.raises(InputError, match=r"broken\.json, line 3: broken JSON"):
        list(read_json_document(f))


def test_spacy_v2_train_data_tuples(tmp_path: Path) -> None:
    f = tmp_path / "train.json"
    data = [["Uber blew through $1 million a week", {"entities": [[0, 4, "ORG"]]}],
            ["Android Pay expands to Canada", {"entities": [[0, 11, "PRODUCT"], [23, 29, "GPE"]], "cats": {}}]]
    f.write_text(json.dumps(data), encoding="utf-8")
    assert json_document_kind(f) == "train-data"
    recs = list(read_json_document(f))
    assert [r.spans for r in recs] == [((0, 4, "ORG"),), ((0, 11, "PRODUCT"), (23, 29, "GPE"))]
    assert "cats" in recs[1].warnings[0]


def test_spacy_v2_json(tmp_path: Path) -> None:
    doc = {"id": 0, "paragraphs": [{"raw": "I like London and Berlin.", "sentences": [{"tokens": [
        {"id": 0, "orth": "I", "ner": "O"}, {"id": 1, "orth": "like", "ner": "O"},
        {"id": 2, "orth": "London", "ner": "U-LOC"}, {"id": 3, "orth": "and", "ner": "O"},
        {"id": 4, "orth": "Berlin", "ner": "U-LOC"}, {"id": 5, "orth": ".", "ner": "O"}]}]}]}
    f = tmp_path / "v2.json"
    f.write_text(json.dumps([doc], indent=2), encoding="utf-8")
    assert json_document_kind(f) == "spacy-v2"
    (rec,) = read_json_document(f)
    assert rec.text == "I like London and Berlin." and rec.tokens[-1] == (24, 25)
    assert [rec.text[s:e] for s, e, _ in rec.spans] == ["London", "Berlin"]


def test_doccano_json_array(tmp_path: Path) -> None:
    f = tmp_path / "doccano.json"
    f.write_text(json.dumps([{"id": 7, "text": "Peter Blackburn", "label": [[0, 15, "PERSON"]]}], indent=2))
    assert json_document_kind(f) == "doccano"
    (rec,) = read_json_document(f)
    assert rec.spans == ((0, 15, "PERSON"),) and rec.name == "7"


def test_jsonl_is_not_a_json_document(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text('{"text": "a"}\n{"text": "b"}\n')
    assert not is_json_document(f)
