"""Train a spaCy pipeline on the project's done documents with spaCy's own machinery.

:func:`train_job` is a long job (a generator of :class:`~annotator.progress.Progress`, one per
optimisation step, the message carrying the best dev score so far) returning a
:class:`TrainReport`. The config is spaCy's ``init_config`` (efficiency, CPU) for ``ner`` --
plus ``spancat`` on the key ``sc`` when the project allows overlapping spans -- optionally
sourcing the ``tok2vec`` of an installed pipeline (``base``). The loop is spaCy's
``train_while_improving`` with its batcher, optimizer, evaluation callback and meta update, as
``spacy train`` runs it; the best checkpoint (by spaCy's weighted dev score) is the model kept.

Stopping the job early (Ctrl-C inside a step, or ``generator.throw(KeyboardInterrupt)`` at a
progress report) keeps the best model evaluated so far, marked ``interrupted``; when no
evaluation happened yet nothing is written. Every file is written to a hidden staging folder
inside ``<project>.models`` and renamed to ``project-N`` when complete.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from corpus.store import Store
from corpus.settings import allows_overlap

from annotator.export import spacy_doc
from annotator.progress import Progress, drain
from annotator.training.data import (
    Example,
    TrainingError,
    iter_examples,
    project_lang,
    select_training,
    split_ids,
)
from annotator.training.models import ModelRecord, models_dir, next_version, record_model

__all__ = ["BLANK", "SPANS_KEY", "CURVE_FRACTIONS", "TrainReport", "training_config", "build_docbins", "train_job",
           "train", "curve_job"]

#: ``base`` value for a pipeline trained from scratch.
BLANK = "blank"
#: ``doc.spans`` key of the span categorizer (overlapping spans).
SPANS_KEY = "sc"


@dataclass(frozen=True)
class TrainReport:
    """What a training run produced."""

    record: ModelRecord | None
    train_documents: int
    dev_documents: int
    steps: int
    seconds: float
    interrupted: bool = False
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` shape: path, version, dev scores per label."""
        rec = self.record
        return {
            "path": rec.path if rec else None,
            "version": rec.version if rec else None,
            "layer": rec.suggestion_layer if rec else None,
            "scores": rec.scores if rec else {},
            "per_label": (rec.scores.get("per_label", {}) if rec else {}),
            "train_documents": self.train_documents,
            "dev_documents": self.dev_documents,
            "steps": self.steps,
            "seconds": round(self.seconds, 2),
            "interrupted": self.interrupted,
            "warnings": list(self.warnings),
        }


def training_config(lang: str, *, spancat: bool = False, base: str = BLANK, max_steps: int | None = None,
                    eval_frequency: int | None = None, seed: int = 0) -> Any:
    """spaCy's ``init_config`` for ``ner`` (+ ``spancat``), tok2vec sourced from ``base``."""
    from spacy.cli.init_config import init_config

    pipeline = ["ner", "spancat"] if spancat else ["ner"]
    try:
        cfg = init_config(lang=lang, pipeline=pipeline, optimize="efficiency", gpu=False, silent=True)
    except (Exception, SystemExit) as exc:  # spaCy exits on an unknown language
        raise TrainingError(f"cannot build a spaCy training config for language {lang!r} ({exc})") from None
    cfg["system"]["seed"] = seed
    cfg["training"]["logger"] = {"@loggers": "spacy.ConsoleLogger.v1", "progress_bar": False}
    if max_steps is not None:
        cfg["training"]["max_steps"] = int(max_steps)
    if eval_frequency is not None:
        cfg["training"]["eval_frequency"] = int(eval_frequency)
    if spancat:
        cfg["components"]["spancat"]["spans_key"] = SPANS_KEY
    if base and base != BLANK:
        width = _base_width(base)
        cfg["components"]["tok2vec"] = {"source": base, "component": "tok2vec"}
        for name in pipeline:
            cfg["components"][name]["model"]["tok2vec"]["width"] = width
    return cfg


def _base_width(base: str) -> int:
    """Output width of the base pipeline's tok2vec (listeners must match it)."""
    import spacy

    try:
        nlp = spacy.load(base, exclude=["ner", "parser", "tagger", "lemmatizer", "attribute_ruler", "senter"])
    except Exception as exc:  # noqa: BLE001 - spaCy raises many kinds; the user needs one line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise TrainingError(f"--base {base!r}: cannot load the spaCy pipeline ({first})") from None
    if "tok2vec" not in nlp.pipe_names:
        raise TrainingError(f"--base {base!r}: the pipeline has no shared tok2vec to start from")
    return int(nlp.get_pipe("tok2vec").model.get_dim("nO"))


def build_docbins(examples: Sequence[Example], lang: str, spancat: bool) -> tuple[Any, list[str], int]:
    """(DocBin, entity labels, spans widened to tokens) of ``examples``."""
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank(lang).vocab
    db = DocBin(attrs=["ORTH", "SPACY", "SENT_START", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    labels: set[str] = set()
    expanded = 0
    for ex in examples:
        doc, outcome = spacy_doc(vocab, ex.document, ex.spans, (), (), SPANS_KEY)
        if not spancat:
            del doc.spans[SPANS_KEY]
        labels.update(sp.label for sp in ex.spans)
        expanded += outcome.expanded
        db.add(doc)
    return db, sorted(labels), expanded


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class _Run:
    """State of one training loop (what the best checkpoint scored, where it was saved)."""

    staging: Path
    best_info: dict[str, Any] | None = None
    steps: int = 0
    interrupted: bool = False


def _loop(nlp: Any, run: _Run, max_steps: int) -> Generator[Progress, None, None]:
    """spaCy's training loop (as ``spacy.training.loop.train``), saving the best checkpoint."""
    from spacy.schemas import ConfigSchemaTraining
    from spacy.training.loop import (
        create_before_to_disk_callback,
        create_evaluation_callback,
        create_train_batches,
        train_while_improving,
        update_meta,
    )
    from spacy.util import fix_random_seed, registry, resolve_dot_names

    config = nlp.config.interpolate()
    if config["training"]["seed"] is not None:
        fix_random_seed(config["training"]["seed"])  # as spaCy's train(): same seed, same run
    T = registry.resolve(config["training"], schema=ConfigSchemaTraining)
    train_corpus, dev_corpus = resolve_dot_names(config, [T["train_corpus"], T["dev_corpus"]])
    optimizer = T["optimizer"]
    before_to_disk = create_before_to_disk_callback(T["before_to_disk"])
    steps = train_while_improving(
        nlp, optimizer, create_train_batches(nlp, train_corpus, T["batcher"], T["max_epochs"]),
        create_evaluation_callback(nlp, dev_corpus, T["score_weights"]),
        dropout=T["dropout"], accumulate_gradient=T["accumulate_gradient"], patience=T["patience"],
        max_steps=T["max_steps"], eval_frequency=T["eval_frequency"], exclude=T["frozen_components"],
        annotating_components=T["annotating_components"], before_update=T["before_update"],
    )
    best = 0.0
    try:
        for _batch, info, is_best in steps:
            run.steps = int(info["step"])
            if is_best is not None:
                update_meta(T, nlp, info)
                if is_best or run.best_info is None:
                    with nlp.use_params(optimizer.averages):
                        before_to_disk(nlp).to_disk(run.staging / "model")
                    run.best_info = dict(info)
                    best = float(info["score"])
            yield Progress(done=run.steps, total=max_steps, message=f"best dev score {best:.3f}", unit="step")
    except KeyboardInterrupt:
        # Ctrl-C in a step, or thrown in at a progress report: keep the best model so far.
        run.interrupted = True


def _per_label(info: dict[str, Any]) -> dict[str, Any]:
    other = info.get("other_scores", {}) or {}
    scores: dict[str, Any] = {"score": round(float(info.get("score", 0.0)), 4)}
    for key in ("ents_p", "ents_r", "ents_f", "spans_sc_p", "spans_sc_r", "spans_sc_f"):
        if other.get(key) is not None:
            scores[key] = round(float(other[key]), 4)
    per = other.get("ents_per_type") or {}
    scores["per_label"] = {
        lab: {k: round(float(v), 4) for k, v in prf.items()} for lab, prf in sorted(per.items())
    }
    return scores


def _dev_examples(train_ex: list[Example], dev_ex: list[Example]) -> tuple[list[Example], list[str]]:
    if dev_ex:
        return dev_ex, []
    return train_ex, ["no dev split (too few documents or --dev-fraction 0): dev scores are measured "
                      "on the training documents"]


def _check_options(dev_fraction: float, train_fraction: float, max_steps: int | None,
                   eval_frequency: int | None) -> None:
    if not 0.0 <= dev_fraction < 1.0:
        raise TrainingError(f"--dev-fraction must be at least 0 and below 1, got {dev_fraction}")
    if not 0.0 < train_fraction <= 1.0:
        raise TrainingError(f"training fraction must be above 0 and at most 1, got {train_fraction}")
    if max_steps is not None and max_steps < 1:
        raise TrainingError(f"--max-steps must be at least 1, got {max_steps}")
    if eval_frequency is not None and eval_frequency < 1:
        raise TrainingError(f"--eval-frequency must be at least 1, got {eval_frequency}")


def train_job(
    store: Store,
    *,
    layer: str | None = None,
    base: str = BLANK,
    dev_fraction: float = 0.2,
    max_steps: int | None = None,
    eval_frequency: int | None = None,
    seed: int = 0,
    train_fraction: float = 1.0,
    relations: bool = True,
    record: bool = True,
) -> Generator[Progress, None, TrainReport]:
    """Train a project model on the done documents of ``layer`` (see
    :func:`~annotator.training.data.select_training`) and write it as ``project-N``.

    ``train_fraction`` trains on the first part (by a seeded shuffle) of the training split,
    the dev split unchanged (for the learning curve). ``max_steps``/``eval_frequency`` override
    spaCy's defaults (20000 / 200; training also stops after ``patience`` steps without a better
    dev score). ``relations``: also train the relation model when the documents have relations.
    ``record``: write the model as ``project-N`` and add it to the project's setting ``models``
    (else nothing is kept: the report alone says how it scored). Raises :class:`TrainingError` for bad input.
    """
    started = time.perf_counter()
    _check_options(dev_fraction, train_fraction, max_steps, eval_frequency)
    selection = select_training(store, layer)
    train_ids, dev_ids = split_ids(selection.doc_ids, dev_fraction, seed)
    if train_fraction < 1.0:
        import random

        shuffled = list(train_ids)
        random.Random(seed).shuffle(shuffled)
        train_ids = sorted(shuffled[: max(1, round(train_fraction * len(shuffled)))])
    examples = {ex.document.id: ex for ex in iter_examples(store, selection.sources, train_ids + dev_ids)}
    train_ex = [examples[d] for d in train_ids if d in examples]
    dev_ex, warnings = _dev_examples(train_ex, [examples[d] for d in dev_ids if d in examples])
    if not any(ex.spans for ex in train_ex):
        raise TrainingError(f"{store.path}: the {selection.description} hold no entity to learn from")
    lang = project_lang(store)
    spancat = allows_overlap(store)
    cfg = training_config(lang, spancat=spancat, base=base, max_steps=max_steps,
                          eval_frequency=eval_frequency, seed=seed)
    folder = models_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".train-", dir=folder))
    try:
        report = yield from _train_in(store, staging, cfg, train_ex, dev_ex, lang, spancat, base,
                                      relations, record, selection.description, warnings, started)
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _train_in(store: Store, staging: Path, cfg: Any, train_ex: list[Example], dev_ex: list[Example],
              lang: str, spancat: bool, base: str, relations: bool, record: bool, description: str,
              warnings: list[str], started: float) -> Generator[Progress, None, TrainReport]:
    from spacy.training.initialize import init_nlp

    train_db, labels, expanded = build_docbins(train_ex, lang, spancat)
    dev_db, _, _ = build_docbins(dev_ex, lang, spancat)
    train_db.to_disk(staging / "train.spacy")
    dev_db.to_disk(staging / "dev.spacy")
    if expanded:
        warnings.append(f"{expanded} spans not on token boundaries were widened to whole tokens")
    cfg["paths"]["train"] = str(staging / "train.spacy")
    cfg["paths"]["dev"] = str(staging / "dev.spacy")
    nlp = init_nlp(cfg, use_gpu=-1)
    run = _Run(staging=staging)
    yield Progress(done=0, total=int(cfg["training"]["max_steps"]), message="training", unit="step")
    yield from _loop(nlp, run, int(cfg["training"]["max_steps"]))
    if run.best_info is None:
        raise KeyboardInterrupt
    scores = _per_label(run.best_info)
    rel_labels: list[str] = []
    if relations and any(ex.relations for ex in train_ex):
        from annotator.training.relations import train_relation_model

        yield Progress(done=run.steps, total=run.steps, message="relation model", unit="step")
        try:
            rel_model, rel_scores = train_relation_model(train_ex, dev_ex, lang)
        except TrainingError as exc:  # e.g. every relation links spans > 100 tokens apart
            warnings.append(f"no relation model: {exc}")
        else:
            rel_model.save(staging / "model")
            rel_labels = list(rel_model.labels)
            scores["relations"] = rel_scores
    version = next_version(store) if record else 0
    final = staging.parent / f"project-{version}"
    if record:
        (staging / "model").rename(final)
    rec = ModelRecord(
        version=version, path=str(final.resolve()) if record else "", layer=description, base=base,
        pipeline=list(nlp.pipe_names), labels=labels, relation_labels=rel_labels, scores=scores,
        documents=sorted(int(ex.document.id or 0) for ex in train_ex),
        dev_documents=sorted(int(ex.document.id or 0) for ex in dev_ex) if dev_ex is not train_ex else [],
        steps=run.steps, created=_now(), interrupted=run.interrupted,
    )
    if record:
        record_model(store, rec)
    return TrainReport(record=rec, train_documents=len(train_ex), dev_documents=len(rec.dev_documents),
                       steps=run.steps, seconds=time.perf_counter() - started, interrupted=run.interrupted,
                       warnings=tuple(warnings))


def train(store: Store, **options: Any) -> TrainReport:
    """Run :func:`train_job` to its end (same arguments) and return its report."""
    report = drain(train_job(store, **options))
    assert isinstance(report, TrainReport)
    return report


#: Parts of the training split the learning curve trains on.
CURVE_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


def curve_job(store: Store, *, fractions: Sequence[float] = CURVE_FRACTIONS, **options: Any
              ) -> Generator[Progress, None, list[dict[str, Any]]]:
    """Train on growing parts of the training split (same dev split, nothing recorded) and
    return one row per part: fraction, training documents, dev score, entity P/R/F."""
    rows: list[dict[str, Any]] = []
    options = {**options, "record": False}
    for frac in fractions:
        report = yield from train_job(store, train_fraction=frac, **options)
        scores = report.record.scores if report.record else {}
        rows.append({"fraction": frac, "train_documents": report.train_documents,
                     "dev_documents": report.dev_documents, "score": scores.get("score", 0.0),
                     "ents_p": scores.get("ents_p"), "ents_r": scores.get("ents_r"), "ents_f": scores.get("ents_f")})
    return rows
