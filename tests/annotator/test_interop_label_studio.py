"""Label Studio in and out through the project: import its exports (detected by shape), export
a layer as Label Studio JSON that Label Studio's own validator and converter read back."""

from pathlib import Path

import pytest

from annotator.cli import main
from annotator.importing import import_paths
from corpus.errors import InputError
from corpus.formats.detect import detect_format
from corpus.model import DocumentStatus
from corpus.store import Store

DATA = Path(__file__).resolve().parent.parent / "data" / "interop" / "label_studio"
LS_JSON = DATA / "ner_relations.json"
LS_MIN = DATA / "ner_relations.min.json"


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "p.db")
    yield s
    s.close()


def test_detected_by_shape() -> None:
    assert detect_format(LS_JSON) == "label-studio"
    assert detect_format(LS_MIN) == "label-studio-min"
    assert detect_format(DATA / "tasks_annotations_predictions.json") == "label-studio"


def test_import_gives_one_layer_per_annotator_and_keeps_skipped(store: Store) -> None:
    report = import_paths(store, [LS_JSON])
    assert report.documents_added == 3
    assert set(report.layers) == {"ada@example.org", "ls-user-2", "model:ner-v1"}
    assert report.spans == 3 + 2 + 2 + 3 and report.relations == 3
    ids = {store.get_document(i).text.split()[0]: i for i in store.document_ids()}
    assert store.status(ids["Ada"], "ada@example.org") is DocumentStatus.DONE
    assert store.status(ids["Grace"], "ls-user-2") is DocumentStatus.SKIPPED
    assert store.spans(ids["Grace"], layers="ls-user-2") == []
    assert store.status(ids["Nothing"], "ada@example.org") is DocumentStatus.TODO
    (rel,) = store.relations(ids["Ada"], layers="ls-user-2")
    head = store.get_span(rel.head)
    assert (head.label, store.get_span(rel.child).label, rel.label) == ("PER", "LOC", "located_in")


def test_json_min_and_json_of_one_project_agree(store: Store) -> None:
    import_paths(store, [LS_JSON])
    before = {(sp.doc_id, sp.layer, sp.start, sp.end, sp.label) for sp in store.spans()}
    report = import_paths(store, [LS_MIN])
    assert report.documents_added == 0 and report.spans == 0  # the same spans, already there
    assert {(sp.doc_id, sp.layer, sp.start, sp.end, sp.label) for sp in store.spans()} == before


def test_unknown_json_array_is_refused_by_name(tmp_path: Path, capsys) -> None:
    f = tmp_path / "export.json"
    f.write_text('[\n  {"title": "a"},\n  {"title": "b"}\n]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"a JSON array of 2 items .*known JSON formats are Label Studio JSON"):
        import_paths(Store(tmp_path / "q.db"), [f])
    assert main(["import", str(tmp_path / "r.db"), str(f)]) != 0
    err = capsys.readouterr().err
    assert "export.json: a JSON array of 2 items" in err and "Traceback" not in err
