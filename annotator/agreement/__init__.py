"""Inter-annotator agreement: pure, typed functions over plain data.

A package with one module per family (:mod:`~annotator.agreement.kappa`,
:mod:`~annotator.agreement.alpha`, :mod:`~annotator.agreement.unitizing`,
:mod:`~annotator.agreement.spans`, :mod:`~annotator.agreement.relations`,
:mod:`~annotator.agreement.tokens`); every public name is importable from here. Nothing here
touches Qt, SQL or the store. Every function takes plain data (label sequences,
contingency tables, reliability matrices, spans as :class:`corpus.model.Span` or
``(start, end, label)`` / ``(doc_id, start, end, label)`` tuples) and returns a frozen
dataclass, so the agreement report, the suggester-quality figures and the window all share one
implementation.

Coefficients (GUIDE section 7; the published figures they reproduce are in
``shared/reference/agreement.md`` and in ``tests/annotator/test_agreement.py``):

* :func:`cohen_kappa` / :func:`cohen_kappa_from_table` -- Cohen's kappa, with observed agreement
  and Scott's pi from the same table (Artstein & Poesio 2008).
* :func:`fleiss_kappa` / :func:`fleiss_kappa_from_counts` -- Fleiss' kappa (Fleiss 1971).
* :func:`krippendorff_alpha` (+ :func:`krippendorff_alpha_codes`,
  :func:`krippendorff_alpha_from_counts`) -- Krippendorff's alpha for nominal, ordinal, interval
  and ratio data with missing values, computed from a coincidence matrix with numpy.
* :func:`unitizing_alpha` -- Krippendorff's (1995) unitizing alpha on character spans, as
  DKPro Statistics' ``KrippendorffAlphaUnitizingAgreement`` computes it (what INCEpTION uses).
* :func:`span_f1` / :func:`relation_f1` -- pairwise F1 between two annotators, exact or
  overlapping ("lenient"), per label, micro and macro.
* :func:`token_labels` / :func:`token_label_codes` -- each token's label (the covering span's,
  or ``O``) for the token-level coefficients.

For corpora of thousands of documents the same coefficients have array forms that give the same
numbers without Python loops over tokens or spans (tests check them against the plain forms):
:func:`krippendorff_alpha_codes` and :func:`fleiss_kappa_from_codes` (identical units are
counted once, see :func:`unit_patterns`), :func:`span_f1_arrays`, :func:`relation_f1_arrays`
and :func:`unitizing_by_group` (every document and category at once).

The measures the agreement report, the ``annotator agreement`` table and the dashboard show are
entries of the registry :data:`measures` (:mod:`~annotator.agreement.registry`); each computes
its values from :class:`AgreementData`. The built-in ones are in
:mod:`~annotator.agreement.builtin_measures`; adding one is a module with a registered compute
function.

Undefined values (a kappa when both coders used a single category, an F1 with no spans at all)
are ``float('nan')``; callers that serialise to JSON turn them into ``null``.
"""

from annotator.agreement.alpha import (
    AlphaResult,
    coincidence_matrix,
    krippendorff_alpha,
    krippendorff_alpha_codes,
    krippendorff_alpha_from_counts,
    unit_patterns,
    value_counts_from_codes,
)
from annotator.agreement.base import OUTSIDE, Level, MatchMode, SpanKey, nan_to_none
from annotator.agreement.data import AgreementData
from annotator.agreement.kappa import (
    FleissResult,
    KappaResult,
    category_counts,
    cohen_kappa,
    cohen_kappa_from_table,
    contingency_table,
    fleiss_kappa,
    fleiss_kappa_from_codes,
    fleiss_kappa_from_counts,
    observed_agreement,
    scott_pi,
)
from annotator.agreement.matching import PRF, F1Result, exact_row_matches
from annotator.agreement.registry import Measure, MeasureRegistry, MeasureValues, measures
from annotator.agreement.relations import RelationKey, relation_f1, relation_f1_arrays, relation_keys
from annotator.agreement.spans import span_f1, span_f1_arrays
from annotator.agreement.tokens import token_label_codes, token_labels
from annotator.agreement.unitizing import (
    UnitizingCategory,
    UnitizingResult,
    combine_unitizing,
    unitizing_alpha,
    unitizing_by_group,
    unitizing_category_disagreement,
)

# The built-in measures register themselves in ``measures`` (imported for that effect).
from annotator.agreement import builtin_measures as _builtin_measures  # noqa: E402,F401  isort: skip

__all__ = [
    "OUTSIDE",
    "Level",
    "MatchMode",
    "KappaResult",
    "FleissResult",
    "AlphaResult",
    "UnitizingCategory",
    "UnitizingResult",
    "PRF",
    "F1Result",
    "RelationKey",
    "SpanKey",
    "contingency_table",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "scott_pi",
    "observed_agreement",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "category_counts",
    "fleiss_kappa_from_codes",
    "unit_patterns",
    "krippendorff_alpha",
    "krippendorff_alpha_codes",
    "krippendorff_alpha_from_counts",
    "coincidence_matrix",
    "value_counts_from_codes",
    "unitizing_alpha",
    "unitizing_category_disagreement",
    "combine_unitizing",
    "span_f1",
    "relation_f1",
    "span_f1_arrays",
    "relation_f1_arrays",
    "exact_row_matches",
    "unitizing_by_group",
    "relation_keys",
    "token_labels",
    "token_label_codes",
    "nan_to_none",
    "AgreementData",
    "Measure",
    "MeasureRegistry",
    "MeasureValues",
    "measures",
]
