"""``annotator suggest --scheduler``: a real Dask LocalCluster (two worker processes, localhost)
gets exactly the spans a local run gets -- also when a worker is killed mid-run and when an
interrupted run is resumed; a model a worker cannot load is one line naming the worker; the
project setting ``scheduler`` is used by whole-corpus runs; without the option Dask is never
imported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import spacy

from annotator.cli import main
from annotator.progress import drain
from annotator.suggest import ModelError, resolve_model, suggest_job
from annotator.suggesters.spacy_model import ModelSuggester
from corpus.model import Document, Label
from corpus.store import Store
from annotator.tokenize import tokenize

ROOT = Path(__file__).resolve().parents[2]
LAYER = "model:en_cluster_ruler@1.0.0"
N_DOCS = 48


def make_store(path: str | Path = ":memory:") -> Store:
    store = Store(path)
    store.set_labels([Label("PERSON"), Label("GPE"), Label("ORG")])
    for i in range(N_DOCS):
        text = f"Report {i}: Alice Smith of Acme Corp flew to Paris, then Bob Jones met her in Rome."
        toks, sents = tokenize(text)
        store.add_document(Document(text=text, name=f"d{i}", tokens=toks, sents=sents))
    return store


def spans(store: Store) -> list[tuple[int, int, int, str]]:
    return sorted((s.doc_id, s.start, s.end, s.label) for s in store.spans(layers=LAYER))


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> str:
    nlp = spacy.blank("en")
    nlp.meta["name"] = "cluster_ruler"
    nlp.meta["version"] = "1.0.0"
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "PERSON", "pattern": "Alice Smith"}, {"label": "PERSON", "pattern": "Bob Jones"},
        {"label": "ORG", "pattern": "Acme Corp"}, {"label": "GPE", "pattern": "Paris"},
        {"label": "GPE", "pattern": "Rome"},
    ])
    path = tmp_path_factory.mktemp("model") / "cluster_ruler"
    nlp.to_disk(path)
    return str(path)


@pytest.fixture(scope="module")
def local_result(model: str) -> list[tuple[int, int, int, str]]:
    store = make_store()
    drain(suggest_job(store, model=model, batch_size=4))
    got = spans(store)
    assert len(got) == 5 * N_DOCS
    return got


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, object]]:
    distributed = pytest.importorskip("distributed")
    lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = distributed.Client(lc)
    yield lc.scheduler_address, client
    client.close()
    lc.close()


pytestmark = pytest.mark.slow


def test_cluster_run_gets_exactly_the_local_spans(model: str, local_result: list, cluster: tuple) -> None:
    address, _ = cluster
    store = make_store()
    report = drain(suggest_job(store, model=model, batch_size=4, scheduler=address))
    assert report.scheduler == address and report.layer(LAYER).docs == N_DOCS
    assert spans(store) == local_result
    assert store.suggested_documents(LAYER) == set(range(1, N_DOCS + 1))


def test_a_worker_killed_mid_run_loses_only_its_batch(model: str, local_result: list, cluster: tuple) -> None:
    address, client = cluster
    store = make_store()
    job = suggest_job(store, model=model, batch_size=2, scheduler=address)
    killed = None
    report = None
    while True:
        try:
            p = next(job)
        except StopIteration as stop:
            report = stop.value
            break
        if killed is None and p.done >= 2:
            pids = client.run(os.getpid)  # {worker address: pid}
            killed = sorted(pids.values())[0]
            os.kill(killed, signal.SIGKILL)
    assert killed is not None and report is not None
    assert spans(store) == local_result
    # the nanny started a new worker in its place
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(client.scheduler_info()["workers"]) < 2:
        time.sleep(0.2)
    assert killed not in client.run(os.getpid).values()


def test_an_interrupted_cluster_run_resumes_to_the_same_spans(
    model: str, local_result: list, cluster: tuple, tmp_path: Path,
) -> None:
    address, _ = cluster
    db = tmp_path / "p.db"
    store = make_store(db)
    job = suggest_job(store, model=model, batch_size=4, scheduler=address)
    for p in job:
        if p.done >= 8:
            break
    job.close()  # what Ctrl-C or the window's cancel does
    kept = store.suggested_documents(LAYER)
    assert 8 <= len(kept) < N_DOCS
    assert {d for d, *_ in spans(store)} == kept  # finished batches whole, nothing of the others
    store.close()
    store = Store(db)
    report = drain(suggest_job(store, model=model, batch_size=4, scheduler=address))
    assert report.layer(LAYER).skipped == len(kept)
    assert spans(store) == local_result


def test_a_model_missing_on_a_worker_is_one_line_naming_the_worker(model: str, cluster: tuple) -> None:
    from annotator.suggesters.cluster import cluster_found

    _, client = cluster
    store = make_store()
    choice = resolve_model(store, model)
    elsewhere = replace(choice, name="/nowhere/cluster_ruler", path="/nowhere/cluster_ruler")
    with pytest.raises(ModelError) as err:
        list(cluster_found(client, ModelSuggester(elsewhere), store.iter_documents(), 4))
    message = str(err.value)
    assert message.startswith("worker tcp://127.0.0.1:") and "/nowhere/cluster_ruler" in message
    assert "\n" not in message


def test_project_setting_scheduler_is_used_by_whole_corpus_runs_only(
    model: str, local_result: list, cluster: tuple,
) -> None:
    address, _ = cluster
    store = make_store()
    store.set_setting("scheduler", address)
    assert drain(suggest_job(store, model=model, doc_ids=[1], batch_size=4)).scheduler is None
    report = drain(suggest_job(store, model=model, batch_size=4))
    assert report.scheduler == address
    assert spans(store) == local_result
    assert drain(suggest_job(store, model=model, scheduler="none", force=True)).scheduler is None


def test_cli_scheduler_local_starts_and_stops_a_local_cluster(
    model: str, local_result: list, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "p.db"
    make_store(db).close()
    assert main(["suggest", str(db), "--model", model, "--scheduler", "local:2", "--batch-size", "4"]) == 0
    assert "model batches computed on the Dask cluster local:2" in capsys.readouterr().out
    with Store(db) as store:
        assert spans(store) == local_result
        assert store.get_setting("scheduler") == "local:2"  # recorded, like --model
    assert main(["suggest", str(db), "--scheduler", "none"]) == 0
    with Store(db) as store:
        assert store.get_setting("scheduler") is None
    assert main(["suggest", str(db), "--scheduler", "local:x"]) == 2
    assert "write local:N" in capsys.readouterr().err


def test_without_the_option_dask_is_never_imported(tmp_path: Path, model: str) -> None:
    db = tmp_path / "p.db"
    make_store(db).close()
    code = (
        "import sys; from annotator.cli import main; "
        f"assert main(['suggest', {str(db)!r}, '--model', {model!r}, '--n-process', '2']) == 0; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]; "
        "assert not bad, bad"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
