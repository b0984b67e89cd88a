"""Suggesting on a Dask cluster (``annotator suggest --scheduler ADDRESS|local:N``).

Imported only when a scheduler is asked for: without the option nothing here (and nothing of
Dask) is imported. Needs the ``cluster`` extra (``pip install 'corpuslabel-desk[cluster]'``).

* Documents go to the workers in tasks of at most :data:`TASK_DOCS` (and ``--batch-size``), as
  ``(id, text, tokens)`` tuples, with the suggester (small, picklable: a model's name or path
  and the label mapping).
* Each worker loads the model once, on its first batch, and keeps it: the pipeline is cached in
  a module global of the worker process (:func:`annotator.suggesters.spacy_model.load_model`).
* Results stream back as they complete (``as_completed``) and are written by the one process
  that owns the project file, a batch per transaction, exactly as in a local run: resumable,
  and Ctrl-C keeps the finished batches. At most two batches per worker are in flight, so the
  writer's memory stays flat however large the corpus.
* A worker that dies loses only the batch it was running: the scheduler runs it again on another
  worker (and ``retries=`` covers a failure inside the task).
* A model a worker cannot load is one line naming the worker (:class:`ModelError`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from corpus.errors import CorpusError
from corpus.model import Document

from annotator.suggesters.parallel import WireDoc, from_wire, to_wire
from annotator.suggesters.spacy_model import ModelError

__all__ = ["ClusterSession", "check_scheduler", "connect", "cluster_found", "RETRIES"]

#: How many times a batch that failed inside a worker is tried again.
RETRIES = 2

#: Documents per task sent to a worker (at most ``--batch-size``). Small enough that the last
#: tasks of a run keep every worker busy, large enough that scheduling costs nothing (a task of
#: 16 news articles is seconds of NER). The writer still commits ``--batch-size`` documents per
#: transaction, whatever the task size.
TASK_DOCS = 16

_LOCAL = re.compile(r"local:(\d+)")


@dataclass
class ClusterSession:
    """A connected Dask client, and the LocalCluster it started (``local:N``), if any."""

    client: Any
    cluster: Any = None
    address: str = ""

    def close(self) -> None:
        """Disconnect (and stop the LocalCluster started for this run)."""
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise CorpusError(
            "--scheduler needs Dask: install the cluster extra (pip install 'corpuslabel-desk[cluster]')"
        ) from None
    return distributed


def check_scheduler(scheduler: str) -> None:
    """Refuse a malformed ``--scheduler`` value with one line (no Dask import, no connection)."""
    text = scheduler.strip()
    m = _LOCAL.fullmatch(text)
    if m is not None:
        if int(m.group(1)) < 1:
            raise CorpusError(f"--scheduler local:N needs N >= 1, not {m.group(1)}")
    elif text.startswith("local") or not text:
        raise CorpusError(f"--scheduler {scheduler!r}: write local:N with N the number of worker processes")


def connect(scheduler: str, timeout: float = 30.0) -> ClusterSession:
    """Connect to ``scheduler``: an address (``tcp://host:8786``, ``host:8786``) or ``local:N``
    (a LocalCluster of N single-threaded worker processes on this machine, closed with the
    session). Raises :class:`CorpusError` with one line when it cannot."""
    check_scheduler(scheduler)
    distributed = _import_distributed()
    import dask

    # Dask keeps the last 1,000 messages of every connection for debugging, documents included
    # (~160 KB a task of news articles): the writer's memory would grow for the first 1,000
    # tasks. Not in this process (the client, and the scheduler of a LocalCluster).
    dask.config.set({"distributed.admin.low-level-log-length": 0})
    for name in ("distributed", "distributed.worker", "distributed.nanny", "distributed.scheduler"):
        logging.getLogger(name).setLevel(logging.ERROR)
    m = _LOCAL.fullmatch(scheduler.strip())
    if m is not None:
        n = int(m.group(1))
        cluster = distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
        )
        return ClusterSession(distributed.Client(cluster), cluster, cluster.scheduler_address)
    try:
        client = distributed.Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise CorpusError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    return ClusterSession(client, None, scheduler)


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "?"


def _cluster_batch(suggester: Any, batch: list[WireDoc]) -> tuple[str, Any]:
    """On a worker: ``("ok", [(doc_id, found), ...])``, or ``("error", message)`` when the
    suggester cannot run there (a missing model: retrying elsewhere would not help).

    ``found`` is what ``suggester.suggest`` found in the document, as tuples; a task that is not
    a suggester (the uncertainty scoring of "most useful next") has ``results(documents)``
    instead, returning one picklable value per document."""
    documents = [from_wire(item) for item in batch]
    try:
        results = getattr(suggester, "results", None)
        if results is not None:
            found: list[Any] = list(results(documents))
        else:
            found = [[tuple(f) for f in spans] for spans in suggester.suggest(documents)]
    except ModelError as exc:
        return "error", f"worker {_worker_address()}: {exc}"
    return "ok", [(item[0], value) for item, value in zip(batch, found)]


def _workers(client: Any) -> int:
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    except Exception:  # noqa: BLE001 - a hint for the flow control only
        return 1


def cluster_found(
    client: Any, suggester: Any, documents: Iterator[Document], batch_size: int,
) -> Generator[tuple[int, Any], None, None]:
    """``(doc_id, found)`` for ``documents``, computed on the cluster, a whole task at a time
    in the order tasks complete. Closing the generator cancels the tasks still out.
    ``suggester``: a picklable suggester, or any picklable task with ``results(documents)``
    (see :func:`_cluster_batch`)."""
    from distributed import as_completed

    in_flight_max = 2 * _workers(client)
    docs = iter(documents)
    task_docs = max(1, min(batch_size, TASK_DOCS))

    def next_batch() -> list[WireDoc]:
        batch: list[WireDoc] = []
        for document in docs:
            batch.append(to_wire(document))
            if len(batch) >= task_docs:
                break
        return batch

    def submit(batch: list[WireDoc]) -> Any:
        return client.submit(_cluster_batch, suggester, batch, retries=RETRIES, pure=False)

    futures = []
    for _ in range(in_flight_max):
        batch = next_batch()
        if not batch:
            break
        futures.append(submit(batch))
    queue = as_completed(futures)
    outstanding = set(futures)
    try:
        for fut in queue:
            outstanding.discard(fut)
            status, payload = fut.result()
            fut.release()
            if status == "error":
                raise ModelError(payload)
            batch = next_batch()
            if batch:
                new = submit(batch)
                outstanding.add(new)
                queue.add(new)
            yield from payload
    finally:
        if outstanding:
            client.cancel(list(outstanding))
