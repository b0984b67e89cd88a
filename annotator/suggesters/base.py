"""The suggester interface: what every entry of the registry (:mod:`.registry`) provides.

A *suggester* proposes entity spans for documents into its own layer (GUIDE section 3). It is
small, picklable data (a model's name, a list of rules): whatever heavy object it needs (a spaCy
pipeline) it loads lazily and caches in the process that calls :meth:`Suggester.suggest`, so the
same object runs in this process, in worker processes (``--n-process``) and on Dask workers
(``--scheduler``).

* ``layer`` -- the layer its suggestions are written to (``model:<package>@<version>``,
  ``patterns``, ``match:<person>``...).
  Use a name :func:`corpus.model.layer_kind` classifies as a suggester (``model:<name>@<version>``
  for a statistical model, ``patterns:<name>``), so statistics, agreement and exports treat it as
  one; the entry registered last wins a layer several entries own.
* ``priority`` -- which source wins (smaller wins): between two overlapping suggestions of equal
  length, and for the same (start, end, label) proposed by several layers. The registry entry's
  priority is used for every layer the entry owns (:func:`.registry.layer_priority`).
* ``fingerprint()`` -- a string that changes exactly when stored output stops being reusable (the
  rules changed, the label mapping changed...). The job keeps it in a project setting; when it
  differs from the stored one, the layer is removed and recomputed instead of resumed.
* ``suggest(documents)`` -- for a batch of documents, the spans found in each, in order, as
  ``(start, end, label)`` or ``(start, end, label, score)`` tuples with the suggester's *own*
  labels (the job maps them through ``label_map`` and drops labels outside the project schema).

Optional members the job uses when present:

* ``label_map`` -- a mapping applied to the labels (the spaCy model uses the project setting
  ``label_map``); default none.
* ``parallel`` -- ``True`` when ``suggest`` is worth running in worker processes or on a Dask
  cluster (a statistical model); default ``False``.
* ``fingerprint_setting`` -- the project setting holding the fingerprint; default
  ``fingerprint:<layer>``. ``stale_unrecorded`` -- ``True`` when a layer computed before any
  fingerprint was recorded must be recomputed (default: it is adopted as it is).
* ``prepare(store)`` -- writes the suggester needs before running (the pattern rules it was
  given); called after every suggester was built, so bad input fails before any write.
* ``refresh(store, doc_ids) -> int`` -- a suggester whose layer depends on other layers
  (propagation depends on the person's spans) is recomputed by this call at the end of every run
  instead of being resumed batch by batch (:class:`RefreshingSuggester`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from corpus.model import Document

if TYPE_CHECKING:
    from corpus.store import Store

__all__ = ["Found", "Suggester", "RefreshingSuggester", "BuildContext", "fingerprint_setting", "as_found"]


class Found(NamedTuple):
    """One span a suggester found: character offsets (end exclusive), its label, a score."""

    start: int
    end: int
    label: str
    score: float | None = None


def as_found(item: Any) -> Found:
    """A :class:`Found` from a 3- or 4-tuple (what :meth:`Suggester.suggest` may return)."""
    return item if isinstance(item, Found) else Found(*item)


@runtime_checkable
class Suggester(Protocol):
    """Proposes spans for a batch of documents into ``layer`` (see the module docstring)."""

    layer: str
    priority: int

    def fingerprint(self) -> str:
        """What makes stored output reusable: equal fingerprints, equal suggestions."""
        ...

    def suggest(self, documents: Sequence[Document]) -> list[list[Any]]:
        """Spans per document, in the order given: ``(start, end, label[, score])`` tuples."""
        ...


@runtime_checkable
class RefreshingSuggester(Suggester, Protocol):
    """A suggester whose layer is recomputed by :meth:`refresh` at the end of every run."""

    def refresh(self, store: Store, doc_ids: Sequence[int] | None) -> int:
        """Bring the layer up to date on ``doc_ids`` (all when ``None``); returns its size."""
        ...


@dataclass
class BuildContext:
    """What a registry entry's ``build`` gets to decide which suggesters run in a job.

    ``model``/``use_model``/``patterns`` are the job's options (``--model``, ``--no-model``,
    ``--patterns``), ``report`` the job's :class:`~annotator.suggesters.job.SuggestReport`
    (an entry records there what it chose), ``schema`` the project's entity labels, ``lang``
    the project's language. ``options`` holds any further keyword the caller passed, for
    entries added later.
    """

    store: Store
    report: Any
    schema: set[str]
    lang: str
    model: str | None = None
    use_model: bool = True
    patterns: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def fingerprint_setting(suggester: Any) -> str:
    """The project setting that records ``suggester``'s fingerprint for its layer."""
    return getattr(suggester, "fingerprint_setting", None) or f"fingerprint:{suggester.layer}"
