"""doccano's other export shapes, from doccano's own examples and issue reports (see
tests/data/interop/PROVENANCE.md): read, or refused by name, never 0 spans silently."""

import json
from pathlib import Path

import pytest

from annotator.importing import import_paths
from corpus.errors import InputError
from corpus.formats.detect import detect_format
from corpus.formats.doccano import read_doccano
from corpus.formats.jsonl import read_jsonl
from corpus.store import Store

DATA = Path(__file__).resolve().parent.parent / "data" / "interop" / "doccano"


def test_intent_detection_and_slot_filling() -> None:
    f = DATA / "intent_detection_examples.jsonl"
    assert detect_format(f) == "doccano"
    recs = list(read_doccano(f))
    assert [r.spans for r in recs] == [((0, 26, "City"), (30, 36, "City")), ((36, 47, "City"),)]
    assert recs[1].text[36:47] == "Los Angeles"
    assert "\"cats\"" in recs[0].warnings[0] and not recs[1].warnings  # named once per file


def test_doccano_1_4_data_key() -> None:
    f = DATA / "doccano_1_4_sequence_labeling.jsonl"
    assert detect_format(f) == "doccano"
    (rec,) = read_doccano(f)
    assert rec.text.startswith("It makes reporting easy") and rec.name == "10"
    assert [(rec.text[s:e], lab) for s, e, lab in rec.spans] == [
        ("police", "A"), ("reporting easy", "B"), ("execute different types of queries", "C")]


def test_doccano_1_2_numeric_label_ids_are_refused_by_name(tmp_path: Path) -> None:
    f = DATA / "doccano_1_2_annotations.jsonl"
    assert detect_format(f) == "doccano"
    with pytest.raises(InputError, match=r"doccano_1_2_annotations\.jsonl, line 1: a doccano 1\.2 export: "
                                         r"\"annotations\" name their labels by database id \(2\)"):
        list(read_doccano(f))
    with Store(tmp_path / "p.db") as st:
        with pytest.raises(InputError, match="doccano 1.2 export"):
            import_paths(st, [f])
        assert st.count_documents() == 0


def test_plain_jsonl_names_annotation_keys_it_ignores(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text(json.dumps({"text": "Hi Bob", "entities": [[3, 6, "PER"]]}) + "\n"
                 + json.dumps({"text": "Hi Ann", "entities": [[3, 6, "PER"]]}) + "\n", encoding="utf-8")
    recs = list(read_jsonl(f))
    assert "'entities' look like annotations" in recs[0].warnings[0] and recs[1].warnings == ()
