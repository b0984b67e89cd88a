"""The built-in agreement measures, registered in :data:`annotator.agreement.registry.measures`.

Each entry computes its values from :class:`~annotator.agreement.data.AgreementData` with the
coefficient functions of its family module. The registration order is the order of the report's
tables and of the dashboard. What is compared, and over which documents, is described in
:mod:`annotator.agreement_report`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from annotator.agreement.alpha import krippendorff_alpha_codes
from annotator.agreement.data import AgreementData
from annotator.agreement.kappa import cohen_kappa_from_table, fleiss_kappa_from_codes
from annotator.agreement.matching import F1Result
from annotator.agreement.registry import MeasureValues, measures
from annotator.agreement.relations import relation_f1_arrays
from annotator.agreement.spans import span_f1_arrays
from annotator.agreement.unitizing import UnitizingCategory, combine_unitizing, unitizing_by_group

__all__ = ["mean", "pair_span_f1", "pair_relation_f1"]


def mean(values: Iterable[float | None]) -> float:
    """The mean of the defined values (``None`` and NaN left out); NaN when there is none."""
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return sum(vals) / len(vals) if vals else math.nan


def pair_span_f1(data: AgreementData, a: int, b: int, mode: str = "exact") -> F1Result:
    """Span F1 of annotators ``a`` and ``b`` on the documents both finished (computed once)."""
    def compute() -> F1Result:
        return span_f1_arrays(*data.pair_spans(a, b), data.labels, mode)  # type: ignore[arg-type]

    return data.cached(("span_f1", a, b, mode), compute)


def pair_relation_f1(data: AgreementData, a: int, b: int) -> F1Result:
    """Exact relation F1 of annotators ``a`` and ``b`` on the documents both finished (computed once)."""
    def compute() -> F1Result:
        return relation_f1_arrays(*data.pair_relations(a, b), data.relation_labels)

    return data.cached(("relation_f1", a, b), compute)


# -- span F1 ---------------------------------------------------------------------------------------


def _span_values(data: AgreementData, mode: str, macro: bool = False) -> MeasureValues:
    results = {p: pair_span_f1(data, *p, mode) for p in data.pairs}
    pairs = {p: (r.macro_f1 if macro else r.f1) for p, r in results.items()}
    labels = {}
    if not macro:
        labels = {
            lab: mean(r.per_label[lab].f1 for r in results.values() if lab in r.per_label) for lab in data.labels
        }
    notes: tuple[str, ...] = ()
    compared = any(data.pair_documents(*p).any() for p in data.pairs)
    counted = any(r.micro.tp + r.micro.fp + r.micro.fn for r in results.values())
    if mode == "exact" and not macro and compared and not counted:
        notes = ("span_f1: no spans in the compared documents",)
    return MeasureValues(mean(pairs.values()), pairs, labels, notes)


@measures.register(
    "span_f1", title="Span F1 (exact)", short="span F1", takes="spans", scopes=("overall", "pair", "label"),
    description="Spans match when start, end and label are the same; overall and per label: the mean over pairs",
)
def span_f1_exact(data: AgreementData) -> MeasureValues:
    """Micro-averaged exact-match span F1 per pair, its mean over pairs, and per label."""
    return _span_values(data, "exact")


@measures.register(
    "span_f1_overlap", title="Span F1 (overlap)", short="overlap", takes="spans", scopes=("overall", "pair", "label"),
    description="Spans with the same label that share a character match, one to one; the mean over pairs",
)
def span_f1_overlap(data: AgreementData) -> MeasureValues:
    """Span F1 with overlapping spans of the same label matching (GATE's lenient)."""
    return _span_values(data, "overlap")


@measures.register(
    "span_f1_macro", title="Span F1 (exact, macro)", short="macro F1", takes="spans", scopes=("overall", "pair"),
    description="The mean over labels of the exact-match span F1; overall: the mean over pairs",
)
def span_f1_macro(data: AgreementData) -> MeasureValues:
    """Macro-averaged exact-match span F1 per pair and its mean over pairs."""
    return _span_values(data, "exact", macro=True)


# -- Cohen's kappa on tokens ------------------------------------------------------------------------


@measures.register(
    "token_kappa", title="Cohen's kappa (tokens)", short="kappa", takes="token labels", scopes=("pair",),
    description="Cohen's kappa on token labels over the documents both annotators finished",
)
def token_kappa(data: AgreementData) -> MeasureValues:
    """Cohen's kappa of each pair on the tokens both labelled."""
    pairs: dict[tuple[int, int], float | None] = {}
    k = len(data.token_values)
    for a, b in data.pairs:
        mask = data.pair_tokens(a, b)
        if not mask.any():
            pairs[a, b] = None
            continue
        codes_a, codes_b = data.token_codes[a][mask], data.token_codes[b][mask]
        table = np.bincount(codes_a * k + codes_b, minlength=k * k).reshape(k, k)
        pairs[a, b] = cohen_kappa_from_table(table, data.token_values).kappa
    return MeasureValues(None, pairs)


# -- relation F1 ------------------------------------------------------------------------------------


@measures.register(
    "relation_f1", title="Relation F1", short="rel F1", takes="relations", scopes=("overall", "pair"),
    description="Relations match when their label and both endpoints' start, end and label are the same",
)
def relation_f1_exact(data: AgreementData) -> MeasureValues:
    """Exact relation F1 per pair and its mean over pairs."""
    pairs = {p: pair_relation_f1(data, *p).f1 for p in data.pairs}
    notes = ("relation_f1: no relations in the compared documents",) if len(data.relations) == 0 else ()
    return MeasureValues(mean(pairs.values()), pairs, notes=notes)


# -- whole-group token coefficients -----------------------------------------------------------------


@measures.register(
    "token_kappa_fleiss", title="Fleiss' kappa (tokens)", short="Fleiss", takes="token labels", scopes=("overall",),
    description="Fleiss' kappa on token labels over the documents every compared annotator finished",
)
def token_kappa_fleiss(data: AgreementData) -> MeasureValues:
    """Fleiss' kappa on the tokens every annotator labelled."""
    everyone = (data.token_codes >= 0).all(axis=0) if len(data.names) else np.zeros(0, dtype=bool)
    if not everyone.any():
        return MeasureValues(None, notes=(
            "token_kappa_fleiss: no tokens in documents finished by all of " + ", ".join(data.names),
        ))
    values = data.token_values
    kappa = fleiss_kappa_from_codes(data.token_codes[:, everyone], len(values), values).kappa
    notes = ("token_kappa_fleiss: undefined (every token has the same label)",) if math.isnan(kappa) else ()
    return MeasureValues(kappa, notes=notes)


@measures.register(
    "token_alpha", title="Krippendorff's alpha (tokens)", short="alpha", takes="token labels", scopes=("overall",),
    description=(
        "Krippendorff's alpha (nominal) on token labels; an annotator who did not finish a document "
        "is a missing value there"
    ),
)
def token_alpha(data: AgreementData) -> MeasureValues:
    """Krippendorff's alpha on every token at least two annotators labelled."""
    codes = data.token_codes
    if codes.shape[1] == 0 or not ((codes >= 0).sum(axis=0) >= 2).any():
        return MeasureValues(None, notes=("token_alpha: no token was labelled by two annotators",))
    values = data.token_values
    alpha = krippendorff_alpha_codes(codes, values, "nominal", len(values)).alpha
    notes = ("token_alpha: undefined (every token has the same label)",) if math.isnan(alpha) else ()
    return MeasureValues(alpha, notes=notes)


# -- unitizing alpha --------------------------------------------------------------------------------


@measures.register(
    "unitizing_alpha", title="Unitizing alpha (characters)", short="u-alpha", takes="character spans",
    scopes=("overall", "label"),
    description="Krippendorff's unitizing alpha on character spans, per document, pooled weighted by length",
)
def unitizing_alpha_pooled(data: AgreementData) -> MeasureValues:
    """Unitizing alpha per document and label, pooled over documents (DKPro's formulation)."""
    do, de, n_units = unitizing_by_group(
        data.span_doc, data.span_ann, data.span_label, data.span_start, data.span_end,
        data.lengths, data.presence, len(data.labels),
    )
    parts = []
    two_or_more = data.presence.sum(axis=0) >= 2
    for c, lab in enumerate(data.labels):
        docs_c = np.flatnonzero((n_units[:, c] > 0) & two_or_more & (data.lengths > 0))
        for i in docs_c.tolist():
            category = UnitizingCategory(float(do[i, c]), float(de[i, c]), int(n_units[i, c]))
            parts.append(({lab: category}, float(data.lengths[i])))
    pooled = combine_unitizing(parts)
    labels = {lab: (pooled.per_category[lab].alpha if lab in pooled.per_category else None) for lab in data.labels}
    notes = () if parts else ("unitizing_alpha: no spans in documents finished by two annotators",)
    return MeasureValues(pooled.alpha, labels=labels, notes=notes)
