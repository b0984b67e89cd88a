"""Worker processes for ``--n-process N``: batches of documents in, found spans out.

Each worker runs :meth:`Suggester.suggest` over a whole batch rebuilt from the stored tokens and
sends back only ``(start, end, label[, score])`` tuples, so the process that reads and writes the
project has almost nothing to do. At most two batches per worker are in flight, so memory stays
flat. Workers never outlive the process that started them (issue 14, fault 7):

* on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` in the worker initializer: the kernel kills the
  worker when its parent dies, even by ``kill -9``;
* everywhere, a daemon thread in each worker that polls the parent's pid and exits the worker
  when the parent is gone (re-parented);
* when the job is interrupted (Ctrl-C, SIGTERM turned into an exception by the command, the
  window's cancel), the pool's processes are terminated instead of finishing their batch.

We do not use ``nlp.pipe(n_process=...)``: closing it early can deadlock (a worker blocks
writing a large result into a pipe nobody reads any more) and its workers die with tracebacks
on Ctrl-C.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from typing import Any

from corpus.model import Document

__all__ = ["WireDoc", "to_wire", "from_wire", "parallel_found", "die_with_parent"]

#: A document as sent to a worker: (id, text, tokens).
WireDoc = tuple[int, str, tuple[tuple[int, int], ...]]

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5


def to_wire(document: Document) -> WireDoc:
    """The compact, picklable form of a document for a worker."""
    return (int(document.id or 0), document.text, tuple(document.tokens))


def from_wire(item: WireDoc) -> Document:
    """A :class:`Document` rebuilt from :func:`to_wire` (no hashing: ``hash`` is a placeholder)."""
    doc_id, text, tokens = item
    return Document(text=text, tokens=tokens, id=doc_id, hash="-")


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(_WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def die_with_parent(parent: int) -> None:
    """Make this (worker) process die when ``parent`` dies: the kernel's parent-death signal on
    Linux, plus a watchdog thread polling the parent pid everywhere. Exits at once when the
    parent is already gone."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    if os.getppid() != parent:  # died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


_WORKER: Any = None


def _worker_init(suggester: Any, parent: int) -> None:
    """Set up a worker: die with the parent, ignore Ctrl-C (the parent handles it and stops the
    pool) and keep the suggester (its model inherited when forked, loaded on first use otherwise)."""
    global _WORKER
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER = suggester


def _worker_batch(batch: Sequence[WireDoc]) -> list[tuple[int, list[Any]]]:
    """In a worker: the suggester's spans for each document of the batch."""
    found = _WORKER.suggest([from_wire(item) for item in batch])
    return [(item[0], [tuple(f) for f in spans]) for item, spans in zip(batch, found)]


def _terminate(pool: Any) -> None:
    """Stop the pool's processes now (an interrupted job needs none of their results)."""
    stop = getattr(pool, "terminate_workers", None)  # Python 3.14
    if stop is not None:
        stop()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.terminate()


def parallel_found(
    suggester: Any, documents: Iterator[Document], batch_size: int, n_process: int,
) -> Generator[tuple[int, list[Any]], None, None]:
    """``(doc_id, found)`` for ``documents``, computed by ``n_process`` worker processes, in
    input order. Closing the generator (or an exception in the caller) terminates the workers."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else methods[0])
    pool = ProcessPoolExecutor(n_process, mp_context=ctx, initializer=_worker_init, initargs=(suggester, os.getpid()))
    in_flight: deque[Any] = deque()
    finished = False
    try:
        batch: list[WireDoc] = []
        for document in documents:
            batch.append(to_wire(document))
            if len(batch) >= batch_size:
                in_flight.append(pool.submit(_worker_batch, batch))
                batch = []
                while len(in_flight) >= 2 * n_process:
                    yield from in_flight.popleft().result()
        if batch:
            in_flight.append(pool.submit(_worker_batch, batch))
        while in_flight:
            yield from in_flight.popleft().result()
        finished = True
    finally:
        if not finished:
            _terminate(pool)
        pool.shutdown(wait=True, cancel_futures=True)
