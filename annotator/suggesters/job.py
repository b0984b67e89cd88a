"""The batch job behind ``annotator suggest`` and the window's "suggest" actions.

:func:`suggest_job` asks the registry (:mod:`annotator.suggesters.registry`) for the suggesters
to run, in registration order (spaCy model, pattern rules, then propagation; then any entry
added later). It is a generator yielding :class:`~annotator.progress.Progress` whose return value
is a :class:`SuggestReport`. The database is written by the thread that runs the generator, one
transaction per batch (spans of the batch plus the resume bookkeeping), so an interruption
(Ctrl-C, closing the generator, an exception) keeps every finished batch and nothing of the
unfinished one. Where the spans are computed -- here, in worker processes (``n_process``) or on
a Dask cluster (``scheduler``, :mod:`annotator.suggesters.cluster`) -- changes nothing of that.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import CorpusError
from corpus.model import Document, Span
from corpus.store import Store
from corpus.settings import SCHEDULER, project_lang

from annotator.progress import Progress
from annotator.suggesters import registry
from annotator.suggesters.base import BuildContext, RefreshingSuggester, as_found, fingerprint_setting
from annotator.suggesters.spacy_model import ModelChoice

__all__ = ["LayerReport", "SuggestReport", "suggest_job", "SCHEDULER_SETTING", "scheduler_setting",
           "resolve_scheduler"]

#: Project setting naming a Dask scheduler for whole-corpus runs (see :func:`suggest_job`).
SCHEDULER_SETTING = SCHEDULER


@dataclass
class LayerReport:
    """What one suggester did in one run.

    ``docs`` were processed now, ``skipped`` were already suggested (resume), ``labels``
    counts the spans written per project label, ``dropped`` the suggester's entities dropped per
    label (mapped to nothing or to a label outside the schema). ``words`` counts the
    non-space tokens processed.
    """

    layer: str
    docs: int = 0
    skipped: int = 0
    words: int = 0
    seconds: float = 0.0
    labels: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)

    @property
    def spans(self) -> int:
        """Spans written."""
        return sum(self.labels.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "layer": self.layer, "docs": self.docs, "skipped": self.skipped, "words": self.words,
            "seconds": round(self.seconds, 3), "spans": self.spans, "labels": dict(self.labels),
            "dropped": dict(self.dropped),
        }


@dataclass
class SuggestReport:
    """The result of :func:`suggest_job`.

    ``model`` is the pipeline used (``None`` when none was installed or ``use_model`` was
    off; ``no_model_reason`` then says why), ``layers`` what each suggester wrote,
    ``propagated`` the size of each person's ``match:<person>`` layer after the refresh,
    ``patterns_loaded`` how many patterns ``--patterns`` stored (``None`` without the option),
    ``scheduler`` the Dask scheduler the model ran on (``None``: this machine, or nothing
    needed computing).
    """

    model: ModelChoice | None = None
    no_model_reason: str | None = None
    layers: list[LayerReport] = field(default_factory=list)
    propagated: dict[str, int] = field(default_factory=dict)
    patterns_loaded: int | None = None
    scheduler: str | None = None

    def layer(self, name: str) -> LayerReport | None:
        """The report of one layer, if it ran."""
        return next((r for r in self.layers if r.layer == name), None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "model": None if self.model is None else {
                "name": self.model.name, "package": self.model.package, "version": self.model.version,
                "layer": self.model.layer, "origin": self.model.origin,
            },
            "no_model_reason": self.no_model_reason,
            "layers": [r.as_dict() for r in self.layers],
            "propagated": dict(self.propagated),
            "patterns_loaded": self.patterns_loaded,
            "scheduler": self.scheduler,
        }


def _pending(store: Store, layer: str, doc_ids: Sequence[int] | None, force: bool) -> tuple[list[int], int]:
    ids = store.document_ids() if doc_ids is None else list(dict.fromkeys(int(d) for d in doc_ids))
    if force:
        return ids, 0
    done = store.suggested_documents(layer)
    todo = [d for d in ids if d not in done]
    return todo, len(ids) - len(todo)


def _write_batch(store: Store, layer: str, results: Sequence[tuple[int, list[Span]]]) -> None:
    """Replace ``layer`` on the batch's documents and mark them suggested: one transaction."""
    ids = [d for d, _ in results]
    with store.transaction():
        store.delete_layer_annotations(layer, ids)
        store.add_spans(sp for _, spans in results for sp in spans)
        store.mark_suggested(ids, layer)


def _found_to_spans(
    found: Iterable[Any], doc_id: int, layer: str, mapping: Mapping[str, str | None],
    schema: set[str], report: LayerReport,
) -> list[Span]:
    """The suggester's finds as spans of ``layer``: labels mapped, labels outside the schema
    dropped (and counted), empty and duplicate spans skipped."""
    out: list[Span] = []
    seen: set[tuple[int, int, str]] = set()
    for item in found:
        start, end, raw, score = as_found(item)
        label = mapping.get(raw, raw)
        if label is None or label not in schema:
            report.dropped[raw] += 1
            continue
        if end <= start or (start, end, label) in seen:
            continue
        seen.add((start, end, label))
        out.append(Span(doc_id=doc_id, layer=layer, start=start, end=end, label=label, source=layer, score=score))
        report.labels[label] += 1
    return out


def _n_words(document: Document) -> int:
    text = document.text
    return sum(1 for s, e in document.tokens if not text[s:e].isspace())


def _local_found(suggester: Any, documents: Iterator[Document], batch_size: int) -> Iterator[tuple[int, list[Any]]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= batch_size:
            yield from zip((int(d.id or 0) for d in batch), suggester.suggest(batch))
            batch = []
    if batch:
        yield from zip((int(d.id or 0) for d in batch), suggester.suggest(batch))


@dataclass
class _Run:
    """What every layer of one job shares."""

    store: Store
    schema: set[str]
    batch_size: int
    n_process: int
    total: int
    client: Any = None  # a dask.distributed Client when running on a cluster
    done: int = 0


def _run_layer(run: _Run, suggester: Any, todo: list[int], report: LayerReport) -> Iterator[Progress]:
    """Stream ``todo`` through ``suggester`` and write one transaction per ``batch_size`` docs."""
    t0 = time.perf_counter()
    words = {"n": 0}
    store, layer = run.store, suggester.layer
    mapping = getattr(suggester, "label_map", None) or {}

    def documents() -> Iterator[Document]:
        for document in store.iter_documents(todo, batch_size=max(run.batch_size, 64)):
            words["n"] += _n_words(document)
            yield document

    parallel = bool(getattr(suggester, "parallel", False))
    if parallel and run.client is not None:
        from annotator.suggesters.cluster import cluster_found

        results: Iterator[tuple[int, list[Any]]] = cluster_found(run.client, suggester, documents(), run.batch_size)
    elif parallel and run.n_process > 1:
        from annotator.suggesters.parallel import parallel_found

        results = parallel_found(suggester, documents(), run.batch_size, run.n_process)
    else:
        results = _local_found(suggester, documents(), run.batch_size)
    pending: list[tuple[int, list[Span]]] = []
    try:
        for doc_id, found in results:
            pending.append((doc_id, _found_to_spans(found, doc_id, layer, mapping, run.schema, report)))
            if len(pending) >= run.batch_size:
                _write_batch(store, layer, pending)
                report.docs += len(pending)
                run.done += len(pending)
                pending = []
                report.words = words["n"]
                report.seconds = time.perf_counter() - t0
                yield Progress(run.done, run.total, layer)
        if pending:
            _write_batch(store, layer, pending)
            report.docs += len(pending)
            run.done += len(pending)
            yield Progress(run.done, run.total, layer)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops worker processes at once when the job is interrupted or cancelled
    report.words = words["n"]
    report.seconds = time.perf_counter() - t0


def _refresh_fingerprint(store: Store, suggester: Any) -> None:
    """Remove ``suggester``'s layer when the fingerprint stored for it differs (its output is
    stale), and record the current one. No fingerprint stored: the layer was never computed, or
    was computed before fingerprints were recorded and is adopted as it is (its layer name
    already names the model and version), unless the suggester sets ``stale_unrecorded``."""
    key, current = fingerprint_setting(suggester), suggester.fingerprint()
    stored = store.get_setting(key)
    if stored == current:
        return
    with store.transaction():
        if stored is not None or getattr(suggester, "stale_unrecorded", False):
            store.delete_layer_annotations(suggester.layer)
        store.set_setting(key, current)


def scheduler_setting(store: Store) -> str | None:
    """The project setting ``scheduler`` (a Dask scheduler address or ``local:N``), if any."""
    value = store.get_setting(SCHEDULER_SETTING)
    if value in (None, "", "none"):
        return None
    if not isinstance(value, str):
        raise CorpusError(f"project setting 'scheduler' must be an address or local:N, not {value!r}")
    return value


def resolve_scheduler(store: Store, scheduler: str | None, doc_ids: Sequence[int] | None = None) -> str | None:
    """The scheduler a run uses: the one given, else (whole-corpus runs only: ``doc_ids`` is
    ``None``) the project setting; ``"none"`` means this machine (``None`` is returned). A
    malformed value is refused before any work. Shared by suggest and by the scoring of "most
    useful next" (:func:`annotator.training.useful.uncertainty_job`)."""
    if scheduler is None and doc_ids is None:
        scheduler = scheduler_setting(store)
    if scheduler is None or scheduler.strip() == "none":
        return None
    from annotator.suggesters.cluster import check_scheduler  # imports no Dask

    check_scheduler(scheduler)
    return scheduler


def _build(ctx: BuildContext) -> list[Any]:
    suggesters: list[Any] = []
    for entry in registry.all():
        suggesters.extend(entry.build(ctx))
    return suggesters


def suggest_job(
    store: Store,
    model: str | None = None,
    patterns: str | Path | None = None,
    batch_size: int = 64,
    n_process: int = 1,
    force: bool = False,
    doc_ids: Sequence[int] | None = None,
    use_model: bool = True,
    scheduler: str | None = None,
    **options: Any,
) -> Generator[Progress, None, SuggestReport]:
    """Run every registered suggester over the project: model NER, pattern rules, propagation.

    * ``model``: a package name or pipeline folder (see :func:`~annotator.suggesters.spacy_model.
      resolve_model` for the default); ``use_model=False`` skips the model (``--no-model``).
    * ``patterns``: a JSONL file of EntityRuler patterns, validated and stored in the project,
      replacing the stored ones. Without the option, the stored patterns run.
    * A layer whose suggester's fingerprint changed since it was computed (other rules, another
      label mapping) is removed and recomputed; the fingerprint is kept in a project setting.
    * Resumable: a document already suggested by a layer (same model *and* version) is skipped
      unless ``force``, which replaces that layer's spans on the documents processed.
    * ``doc_ids`` restricts the run (and the propagation refresh) to those documents.
    * ``n_process > 1`` runs the model in that many worker processes (each runs it over whole
      batches and sends back only offsets); this process keeps reading and writing the project.
      From a GUI worker thread prefer 1 (forking a multi-threaded GUI process is fragile).
    * ``scheduler``: a Dask scheduler address (``tcp://host:8786``) or ``local:N`` (a
      LocalCluster of N processes started for this run) computes the model's batches on that
      cluster (:mod:`annotator.suggesters.cluster`, needs the ``cluster`` extra). When it is
      ``None`` and the run covers the whole corpus (``doc_ids`` is ``None``), the project setting
      ``scheduler`` is used if set (so the window's "Suggest all" can run on a cluster);
      ``"none"`` forces this machine. Runs limited to some documents never use the setting.
    * ``options``: further keywords for suggesters registered later (``BuildContext.options``).

    Each ``batch_size`` documents are written in one transaction by the thread running the
    generator, then a :class:`Progress` is yielded (``done``/``total`` documents, message = the
    layer). Returns a :class:`SuggestReport`. Raises :class:`~annotator.suggesters.spacy_model.
    ModelError` (unusable model) or :class:`~corpus.errors.InputError` (bad patterns file,
    naming file and line) before writing anything.
    """
    if batch_size < 1:
        raise CorpusError(f"--batch-size must be at least 1, not {batch_size}")
    if n_process < 1:
        raise CorpusError(f"--n-process must be at least 1, not {n_process}")
    scheduler = resolve_scheduler(store, scheduler, doc_ids)
    report = SuggestReport()
    schema = set(store.label_names("entity"))
    lang = project_lang(store)

    # 1. Decide everything (and fail on bad input) before the first write.
    ctx = BuildContext(
        store=store, report=report, schema=schema, lang=lang, model=model, use_model=use_model,
        patterns=None if patterns is None else str(patterns), options=dict(options),
    )
    suggesters = _build(ctx)
    batched = [s for s in suggesters if not isinstance(s, RefreshingSuggester)]
    refreshing = [s for s in suggesters if isinstance(s, RefreshingSuggester)]
    for s in batched:
        prepare = getattr(s, "prepare", None)
        if prepare is not None:
            prepare(store)
        _refresh_fingerprint(store, s)

    plan = [(s, *_pending(store, s.layer, doc_ids, force)) for s in batched]
    run = _Run(store, schema, batch_size, n_process, total=sum(len(t) for _, t, _ in plan))
    yield Progress(0, run.total, "starting")
    needs_cluster = scheduler is not None and any(t and getattr(s, "parallel", False) for s, t, _ in plan)
    session = None
    if needs_cluster:
        from annotator.suggesters.cluster import connect

        session = connect(scheduler)
        run.client = session.client
        report.scheduler = scheduler
    try:
        # 2. Suggesters, one layer at a time, one transaction per batch.
        for s, todo, skipped in plan:
            lr = LayerReport(layer=s.layer, skipped=skipped)
            report.layers.append(lr)
            if todo:
                yield from _run_layer(run, s, todo, lr)
    finally:
        if session is not None:
            session.close()

    # 3. Layers that depend on others (propagation of every person's spans).
    for s in refreshing:
        n = s.refresh(store, doc_ids)
        annotator = getattr(s, "annotator", None)
        if annotator is not None:
            report.propagated[annotator] = n
        yield Progress(run.done, run.total, f"propagated {annotator or s.layer}")
    return report
