"""Suggesters: the registry and its entries, the pending-suggestion rule, the batch job.

Modules (each one concern, see ARCHITECTURE in :mod:`annotator.suggest`):

* :mod:`.base` -- the :class:`~.base.Suggester` protocol (layer, priority, fingerprint,
  suggest a batch of documents);
* :mod:`.registry` -- ``register``/``get``/``all``; ``is_suggester_layer`` and
  ``layer_priority`` answer for every kind;
* entries, registered on import below, in the order a job runs them: :mod:`.spacy_model`
  (``model:<package>@<version>``), :mod:`.patterns` (``patterns``), :mod:`.propagation`
  (``match:<person>``). A new kind is one module calling ``register``, imported here;
* :mod:`.decisions` -- what a person still has to decide, and the accept/reject/delete edits;
* :mod:`.job` -- ``suggest_job``; :mod:`.parallel` (worker processes) and :mod:`.cluster`
  (Dask, imported only with a scheduler).
"""

from __future__ import annotations

from annotator.suggesters import registry
from annotator.suggesters import spacy_model as _spacy_model  # noqa: F401 - registers "model"
from annotator.suggesters import patterns as _patterns  # noqa: F401 - registers "patterns"
from annotator.suggesters import propagation as _propagation  # noqa: F401 - registers "match"
from annotator.training import suggester as _project  # noqa: F401 - registers "project" (model:project@N)

__all__ = ["registry"]
