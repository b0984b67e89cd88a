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


def _layer_content(store: Store, layer: str) -> set:
    out = set()
    for doc_id in store.document_ids():
        spans = {sp.id: sp for sp in store.spans(doc_id, layers=layer)}
        rels = frozenset((spans[r.head].key, spans[r.child].key, r.label) for r in store.relations(doc_id, layers=layer))
        out.add((store.get_document(doc_id).text, frozenset(sp.key for sp in spans.values()), rels,
                 store.status(doc_id, layer)))
    return out


def test_export_validates_in_label_studio_and_imports_back(store: Store, tmp_path: Path) -> None:
    import json

    from label_studio_sdk.label_interface import LabelInterface

    import_paths(store, [LS_JSON])
    out = tmp_path / "ls"
    assert main(["export", str(store.path), str(out), "--format", "label-studio", "--layer", "ada@example.org"]) == 0
    tasks = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    li = LabelInterface((out / "label_config.xml").read_text(encoding="utf-8"))
    assert len(tasks) == 2 and all("annotations" in t and "predictions" not in t for t in tasks)
    assert all(li._validate_object(t["annotations"][0], return_errors=True) == [] for t in tasks)

    # a suggester's layer becomes Label Studio predictions
    assert main(["export", str(store.path), str(tmp_path / "pred"), "--format", "label-studio",
                 "--layer", "model:ner-v1"]) == 0
    (ptask,) = json.loads((tmp_path / "pred" / "tasks.json").read_text(encoding="utf-8"))
    assert ptask["predictions"][0]["model_version"] == "model:ner-v1" and "annotations" not in ptask
    assert li.validate_prediction(ptask["predictions"][0], return_errors=True) == []

    # the skipped document stays skipped: a cancelled annotation
    assert main(["export", str(store.path), str(tmp_path / "skip"), "--format", "label-studio",
                 "--layer", "ls-user-2"]) == 0
    skip = {t["data"]["text"][:5]: t for t in json.loads((tmp_path / "skip" / "tasks.json").read_text())}
    assert skip["Grace"]["annotations"] == [{"was_cancelled": True, "result": []}]

    with Store(tmp_path / "back.db") as back:
        import_paths(back, [out / "tasks.json"], annotator="ada@example.org")
        import_paths(back, [tmp_path / "skip" / "tasks.json"], annotator="ls-user-2")
        for layer in ("ada@example.org", "ls-user-2"):
            original = {c for c in _layer_content(store, layer) if c[1] or c[3] is not DocumentStatus.TODO}
            assert {c for c in _layer_content(back, layer) if c[1] or c[3] is not DocumentStatus.TODO} == original
