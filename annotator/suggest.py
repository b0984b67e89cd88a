"""Suggesters: spaCy NER, pattern rules and propagation of accepted entities (the public face).

Every suggester writes into its own layer (GUIDE section 3) and never into a person's layer:

* ``model:<package>@<version>`` -- a spaCy pipeline's named-entity recognizer
  (:mod:`annotator.suggesters.spacy_model`);
* ``patterns`` -- spaCy EntityRuler patterns stored in the project
  (:mod:`annotator.suggesters.patterns`);
* ``match:<person>`` -- propagation (:mod:`annotator.suggesters.propagation`): every span in a
  person's layer proposes the same label at the other token-aligned occurrences of the same
  text, for that person only.

They are entries of one registry (:mod:`annotator.suggesters.registry`); adding a kind is one
module plus its ``register`` call. A person sees the suggestions of a document with
:func:`pending_suggestions` and turns them into edits (:mod:`annotator.edits`) with
:func:`accept_edit`, :func:`accept_corrected_edit`, :func:`reject_edit`, :func:`accept_all_edit`
and :func:`delete_span_edit` (:mod:`annotator.suggesters.decisions`: decisions stay made). After
an edit that adds, removes or relabels a span of the person, the window refreshes propagation
for that text only -- ``propagate(store, person, texts=[span text])`` -- and re-reads
:func:`pending_suggestions`.

:func:`suggest_job` (:mod:`annotator.suggesters.job`) is the batch job behind
``annotator suggest`` and the window's "suggest" actions. This module re-exports every public
name so ``import annotator.suggest as suggest_mod`` keeps working.
"""

from __future__ import annotations

from annotator.suggesters import registry
from annotator.suggesters.base import BuildContext, Found, RefreshingSuggester, Suggester
from annotator.suggesters.decisions import (
    THRESHOLD_SETTING,
    accept_all_edit,
    accept_corrected_edit,
    accept_edit,
    delete_span_edit,
    pending_suggestions,
    reject_edit,
    strong_enough,
    suggestion_candidates,
    suggestion_priority,
    suggestion_threshold,
    undecided,
)
from annotator.suggesters.job import (
    SCHEDULER_SETTING,
    LayerReport,
    SuggestReport,
    scheduler_setting,
    suggest_job,
)
from annotator.suggesters.patterns import PATTERNS_LAYER, load_patterns_file, validate_pattern
from annotator.suggesters.propagation import match_layer, propagate
from annotator.suggesters.registry import is_suggester_layer, layer_priority
from annotator.suggesters.spacy_model import (
    FALLBACK_MODEL,
    MODEL_CANDIDATES,
    NO_MODEL_REASON,
    ModelChoice,
    ModelError,
    label_mapping,
    load_model,
    model_layer,
    ner_components,
    resolve_model,
)

__all__ = [
    "PATTERNS_LAYER",
    "MODEL_CANDIDATES",
    "FALLBACK_MODEL",
    "NO_MODEL_REASON",
    "SCHEDULER_SETTING",
    "ModelError",
    "ModelChoice",
    "LayerReport",
    "SuggestReport",
    "Suggester",
    "RefreshingSuggester",
    "BuildContext",
    "Found",
    "registry",
    "resolve_model",
    "load_model",
    "ner_components",
    "model_layer",
    "match_layer",
    "label_mapping",
    "load_patterns_file",
    "validate_pattern",
    "suggest_job",
    "scheduler_setting",
    "propagate",
    "is_suggester_layer",
    "layer_priority",
    "suggestion_candidates",
    "undecided",
    "pending_suggestions",
    "THRESHOLD_SETTING",
    "suggestion_threshold",
    "strong_enough",
    "accept_edit",
    "accept_corrected_edit",
    "reject_edit",
    "accept_all_edit",
    "delete_span_edit",
    "suggestion_priority",
]
