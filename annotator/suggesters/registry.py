"""The suggester registry (spaCy's registries in miniature): one entry per kind of suggester.

An entry names a kind (``"model"``, ``"patterns"``, ``"match"``...), says which layers are its
own, to whom they are shown and with what priority, and builds the suggesters a job runs. The
job (:func:`annotator.suggesters.job.suggest_job`), the pending-suggestion rule
(:mod:`annotator.suggesters.decisions`) and the window ask this module; none of them knows the
kinds. Adding a suggester is one module that calls :func:`register` (and is imported by
``annotator/suggesters/__init__.py``, or by whoever wants it)::

    @register("toy", priority=15, owns=lambda layer: layer == "toy")
    def build(ctx: BuildContext) -> list[Suggester]:
        return [ToySuggester()]

Entries run in a job in the order they were registered; ``priority`` (smaller wins) decides
between their suggestions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from corpus.errors import CorpusError

from annotator.suggesters.base import BuildContext, Suggester

__all__ = [
    "SuggesterEntry", "register", "unregister", "get", "all", "entry_for_layer",
    "is_suggester_layer", "layer_priority", "model_claimed_by", "UNKNOWN_PRIORITY",
]

#: Priority of a layer no entry owns (sorts after every registered one).
UNKNOWN_PRIORITY = 1_000_000


def _everyone(layer: str, annotator: str) -> bool:
    return True


@dataclass(frozen=True)
class SuggesterEntry:
    """A registered kind of suggester.

    ``owns(layer)`` tells whether a layer belongs to this kind; ``visible_to(layer, annotator)``
    whether that layer's suggestions are shown to a person (propagation is per person);
    ``build(ctx)`` returns the suggesters to run in a job (possibly none), deciding everything
    and failing on bad input without writing. ``claims_model(name)`` tells whether a ``--model``
    value (or the project setting ``model``) is this entry's (``project``, ``project@3``): the
    spaCy model entry then steps aside (:func:`model_claimed_by`).
    """

    name: str
    priority: int
    owns: Callable[[str], bool]
    build: Callable[[BuildContext], list[Suggester]]
    visible_to: Callable[[str, str], bool] = _everyone
    claims_model: Callable[[str], bool] | None = None


_ENTRIES: dict[str, SuggesterEntry] = {}


def register(
    name: str, *, priority: int, owns: Callable[[str], bool],
    visible_to: Callable[[str, str], bool] | None = None,
    claims_model: Callable[[str], bool] | None = None,
) -> Callable[[Callable[[BuildContext], list[Suggester]]], Callable[[BuildContext], list[Suggester]]]:
    """Decorator registering ``build`` as the kind ``name`` (re-registering replaces it)."""

    def deco(build: Callable[[BuildContext], list[Suggester]]) -> Callable[[BuildContext], list[Suggester]]:
        _ENTRIES[name] = SuggesterEntry(name, priority, owns, build, visible_to or _everyone, claims_model)
        return build

    return deco


def unregister(name: str) -> None:
    """Remove an entry (tests that register a toy suggester clean up with it)."""
    _ENTRIES.pop(name, None)


def get(name: str) -> SuggesterEntry:
    """The entry registered as ``name``; :class:`CorpusError` naming the known ones otherwise."""
    try:
        return _ENTRIES[name]
    except KeyError:
        raise CorpusError(f"no suggester {name!r} (known: {', '.join(_ENTRIES) or 'none'})") from None


def all() -> list[SuggesterEntry]:  # noqa: A001 - spaCy's registry spelling
    """Every entry, in registration order (the order a job runs them)."""
    return list(_ENTRIES.values())


def entry_for_layer(layer: str) -> SuggesterEntry | None:
    """The entry owning ``layer``, or ``None`` (a person's layer, gold, an unknown suggester).

    When several entries own it, the one registered last wins: a later, more specific entry
    (``model:project@N``) takes its layers from an earlier, general one (``model:*``)."""
    return next((e for e in reversed(_ENTRIES.values()) if e.owns(layer)), None)


def is_suggester_layer(layer: str, annotator: str) -> bool:
    """True when ``layer`` holds suggestions shown to ``annotator``: owned by an entry and
    visible to them (every model and pattern layer; only their own propagation layer)."""
    entry = entry_for_layer(layer)
    return entry is not None and entry.visible_to(layer, annotator)


def layer_priority(layer: str) -> int:
    """The priority of ``layer``'s entry (smaller wins); :data:`UNKNOWN_PRIORITY` if none."""
    entry = entry_for_layer(layer)
    return UNKNOWN_PRIORITY if entry is None else entry.priority




def model_claimed_by(model: str | None) -> str | None:
    """The entry whose ``claims_model`` accepts ``model`` (a ``--model`` value), or ``None``."""
    if not model:
        return None
    return next((e.name for e in reversed(_ENTRIES.values()) if e.claims_model and e.claims_model(model)), None)
