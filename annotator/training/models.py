"""Trained project models: where they live and how the project remembers them.

A trained model is a spaCy pipeline folder ``<project>.models/project-N/`` next to the project
file (N counts up from 1), optionally holding ``relations.json`` (the relation model). The
project records each one in its setting ``models`` (a JSON list, newest last) with its version,
path, dev scores, labels and the documents it saw, through the ordinary settings API. Its
suggestions go to the layer ``model:project@N``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from corpus.store import Store

from annotator.training.data import TrainingError

__all__ = [
    "MODELS_SETTING",
    "PROJECT",
    "ModelRecord",
    "models_dir",
    "recorded_models",
    "latest_model",
    "next_version",
    "record_model",
    "project_layer",
    "resolve_model_name",
    "is_project_model",
    "names_project_model",
]

#: Project setting holding the list of trained models.
MODELS_SETTING = "models"
#: The name that means "the project's latest trained model" (``--model project``).
PROJECT = "project"


@dataclass(frozen=True)
class ModelRecord:
    """What the project remembers about one trained model."""

    version: int
    path: str
    layer: str
    base: str
    pipeline: list[str]
    labels: list[str]
    relation_labels: list[str]
    scores: dict[str, Any]
    documents: list[int]
    dev_documents: list[int]
    steps: int
    created: str
    interrupted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """``project@N``."""
        return f"{PROJECT}@{self.version}"

    @property
    def suggestion_layer(self) -> str:
        """``model:project@N``: the layer its suggestions go to."""
        return project_layer(self.version)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form kept in the project setting."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelRecord:
        """Read one entry of the setting (unknown keys are kept in ``extra``)."""
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in data.items() if k in known}
        extra = {k: v for k, v in data.items() if k not in known}
        kwargs.setdefault("extra", {}).update(extra)
        return cls(**kwargs)


def project_layer(version: int) -> str:
    """The suggestion layer of project model ``version``."""
    return f"model:{PROJECT}@{version}"


def models_dir(store: Store) -> Path:
    """``<project file>.models``: the folder holding the project's trained models."""
    return Path(str(store.path) + ".models")


def recorded_models(store: Store) -> list[ModelRecord]:
    """Every trained model the project records, oldest first."""
    raw = store.get_setting(MODELS_SETTING, []) or []
    if not isinstance(raw, list):
        raise TrainingError(f"{store.path}: project setting {MODELS_SETTING!r} must be a list, not {type(raw).__name__}")
    return [ModelRecord.from_dict(r) for r in raw if isinstance(r, Mapping)]


def latest_model(store: Store) -> ModelRecord | None:
    """The newest trained model, or ``None``."""
    models = recorded_models(store)
    return max(models, key=lambda m: m.version) if models else None


def next_version(store: Store) -> int:
    """The version the next trained model gets (past any recorded one or folder in the way)."""
    used = {m.version for m in recorded_models(store)}
    folder = models_dir(store)
    if folder.is_dir():
        for p in folder.glob(f"{PROJECT}-*"):
            tail = p.name[len(PROJECT) + 1:]
            if tail.isdigit():
                used.add(int(tail))
    return max(used, default=0) + 1


def record_model(store: Store, record: ModelRecord) -> None:
    """Add ``record`` to the project's setting ``models``."""
    raw = [m.as_dict() for m in recorded_models(store) if m.version != record.version]
    raw.append(record.as_dict())
    store.set_setting(MODELS_SETTING, raw)


def resolve_model_name(store: Store, name: str) -> tuple[str, ModelRecord | None]:
    """(what ``spacy.load`` takes, the project record or ``None``) for ``--model NAME``.

    ``project`` is the latest trained model, ``project@N`` version N; anything else is a
    package name or a pipeline folder, returned as given (a folder resolved to an absolute path).
    """
    if is_project_model(store, name) and not (name == PROJECT or name.startswith(PROJECT + "@")):
        resolved = str(Path(name).resolve())
        return resolved, next(m for m in recorded_models(store) if m.path == resolved)
    if name == PROJECT or name.startswith(PROJECT + "@"):
        models = recorded_models(store)
        if not models:
            raise TrainingError(f"{store.path}: no trained project model yet; run `annotator train` first")
        if name == PROJECT:
            rec = max(models, key=lambda m: m.version)
        else:
            wanted = name.split("@", 1)[1]
            match = [m for m in models if str(m.version) == wanted]
            if not match:
                have = ", ".join(m.name for m in models)
                raise TrainingError(f"{store.path}: no project model {name!r} (trained: {have})")
            rec = match[0]
        if not Path(rec.path).is_dir():
            raise TrainingError(f"{rec.path}: the folder of project model {rec.name} is missing")
        return rec.path, rec
    path = Path(name)
    if path.exists():
        if not path.is_dir():
            raise TrainingError(f"{name}: not a spaCy pipeline folder")
        return str(path.resolve()), None
    return name, None


def is_project_model(store: Store, name: str | None) -> bool:
    """True when ``--model name`` means a trained project model: ``project``, ``project@N`` or
    the folder of a model the project records."""
    if not name:
        return False
    if name == PROJECT or name.startswith(PROJECT + "@"):
        return True
    path = Path(name)
    if not path.is_dir():
        return False
    resolved = str(path.resolve())
    return any(m.path == resolved for m in recorded_models(store))


def names_project_model(name: str) -> bool:
    """True when ``--model name`` names a trained project model without asking the project:
    ``project``, ``project@N``, or a folder ``<something>.models/project-N`` (the registry's
    ``claims_model``: the spaCy model entry then steps aside)."""
    if name == PROJECT or name.startswith(PROJECT + "@"):
        return True
    path = Path(name)
    tail = path.name[len(PROJECT) + 1:]
    return path.name.startswith(PROJECT + "-") and tail.isdigit() and path.parent.name.endswith(".models")
