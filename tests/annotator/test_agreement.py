"""Agreement coefficients: the published reference figures (shared/reference/agreement.md),
cross-checks against independent implementations on generated data, and F1 behaviour."""

from __future__ import annotations

import itertools
import math
import random

import krippendorff
import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import cohen_kappa_score

from annotator.agreement import (
    PRF,
    RelationKey,
    cohen_kappa,
    cohen_kappa_from_table,
    contingency_table,
    fleiss_kappa,
    fleiss_kappa_from_codes,
    fleiss_kappa_from_counts,
    krippendorff_alpha,
    krippendorff_alpha_codes,
    krippendorff_alpha_from_counts,
    observed_agreement,
    relation_f1,
    relation_f1_arrays,
    relation_keys,
    scott_pi,
    span_f1,
    span_f1_arrays,
    token_label_codes,
    token_labels,
    unit_patterns,
    unitizing_alpha,
    unitizing_by_group,
    unitizing_category_disagreement,
)
from corpus.model import Relation, Span

N = None

# --------------------------------------------------------------------------------------------
# Reference figures
# --------------------------------------------------------------------------------------------

KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("nominal", 0.743421052631579),
        ("interval", 0.8491071428571428),
        ("ordinal", 0.8153875037548814),
        ("ratio", 0.7974027747116121),
    ],
)
def test_krippendorff_alpha_reference(level: str, expected: float) -> None:
    result = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert result.alpha == pytest.approx(expected, abs=1e-15)
    assert result.pairable == 40  # unit 12 has one value and is not pairable
    assert result.units == 11


def test_krippendorff_alpha_nominal_disagreements() -> None:
    result = krippendorff_alpha(KRIPPENDORFF_2011, "nominal")
    assert round(result.observed, 3) == 0.200
    assert round(result.expected, 3) == 0.779


def test_krippendorff_alpha_accepts_nan_strings_and_numpy() -> None:
    as_nan = np.array([[math.nan if x is None else x for x in row] for row in KRIPPENDORFF_2011])
    assert krippendorff_alpha(as_nan, "interval").alpha == pytest.approx(0.8491071428571428, abs=1e-15)
    words = {1: "a", 2: "b", 3: "c", 4: "d", 5: "e"}
    as_str = [[None if x is None else words[x] for x in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha(as_str, "nominal").alpha == pytest.approx(0.743421052631579, abs=1e-15)
    # ordinal strings need the order
    ordinal = krippendorff_alpha(as_str, "ordinal", value_domain=["a", "b", "c", "d", "e"])
    assert ordinal.alpha == pytest.approx(0.8153875037548814, abs=1e-15)
    with pytest.raises(ValueError):
        krippendorff_alpha(as_str, "interval")


def test_krippendorff_alpha_perfect_and_undefined() -> None:
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 3]]).alpha == 1.0
    assert math.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]).alpha)  # one value: no De
    assert math.isnan(krippendorff_alpha([[1, N], [N, 2]]).alpha)  # nothing pairable


FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip


def test_fleiss_kappa_reference() -> None:
    by_rater = [list(r) for r in zip(*FLEISS_1971)]
    result = fleiss_kappa(by_rater)
    assert result.kappa == pytest.approx(0.43024452006014074, abs=1e-15)
    assert round(result.p_bar, 4) == 0.5556
    # The reference quotes Pe 0.2201 as printed by Fleiss (1971), who summed squares of p_j
    # rounded to three digits; the exact Pe that yields kappa 0.43024452006014074 is 0.219938...
    assert round(result.p_e, 3) == 0.220
    assert result.p_e == pytest.approx(0.21993827160493828, abs=1e-15)
    assert (result.subjects, result.raters) == (30, 6)


def test_fleiss_kappa_from_counts_matches_label_lists() -> None:
    counts = [[row.count(c) for c in range(1, 6)] for row in FLEISS_1971]
    assert fleiss_kappa_from_counts(counts).kappa == pytest.approx(0.43024452006014074, abs=1e-15)
    with pytest.raises(ValueError):
        fleiss_kappa_from_counts([[2, 0], [1, 0]])  # unequal numbers of ratings


ARTSTEIN_POESIO_TABLE4 = [[46, 0, 0], [6, 32, 6], [0, 0, 10]]


def test_cohen_kappa_reference() -> None:
    result = cohen_kappa_from_table(ARTSTEIN_POESIO_TABLE4, ["STAT", "IReq", "Chck"])
    assert result.kappa == pytest.approx(0.8013245033112583, abs=1e-15)
    assert result.observed == pytest.approx(0.88, abs=1e-15)
    assert round(result.scott_pi, 4) == 0.7995
    assert result.n == 100


def test_cohen_kappa_from_labels_equals_table() -> None:
    labels = ["STAT", "IReq", "Chck"]
    a: list[str] = []
    b: list[str] = []
    for i, row in enumerate(ARTSTEIN_POESIO_TABLE4):
        for j, count in enumerate(row):
            a += [labels[i]] * count
            b += [labels[j]] * count
    rng = random.Random(3)
    order = list(range(len(a)))
    rng.shuffle(order)
    a = [a[i] for i in order]
    b = [b[i] for i in order]
    assert cohen_kappa(a, b).kappa == pytest.approx(0.8013245033112583, abs=1e-15)
    assert observed_agreement(a, b) == pytest.approx(0.88)
    assert round(scott_pi(a, b), 4) == 0.7995
    labs, table = contingency_table(a, b, labels)
    assert labs == tuple(labels)
    assert table.tolist() == ARTSTEIN_POESIO_TABLE4


def test_cohen_kappa_undefined_when_one_category() -> None:
    assert math.isnan(cohen_kappa(["O", "O"], ["O", "O"]).kappa)
    with pytest.raises(ValueError):
        cohen_kappa(["O"], ["O", "O"])


def test_unitizing_alpha_reference() -> None:
    rater0 = [(1, 9, "A")]  # offset 1, length 8
    rater1 = [(2, 3, "A"), (4, 5, "A"), (6, 7, "A")]
    result = unitizing_alpha([rater0, rater1], length=10)
    cat = result.per_category["A"]
    assert cat.observed == pytest.approx(0.91, abs=1e-15)
    assert cat.expected == pytest.approx(0.5351851851851852, abs=1e-15)
    assert cat.alpha == pytest.approx(-0.7003460207612457, abs=1e-15)
    assert result.alpha == pytest.approx(-0.7003460207612457, abs=1e-15)
    # symmetric in the raters
    assert unitizing_alpha([rater1, rater0], length=10).alpha == pytest.approx(result.alpha, abs=1e-15)


def test_unitizing_alpha_identical_is_one() -> None:
    spans = [(0, 4, "PER"), (10, 15, "ORG"), (20, 22, "PER")]
    assert unitizing_alpha([spans, list(spans), list(spans)], length=30).alpha == 1.0
    assert unitizing_alpha([[Span(1, "a", 3, 7, "X")], [Span(1, "b", 3, 7, "X")]], length=12).alpha == 1.0


def test_unitizing_alpha_disagreement_is_lower() -> None:
    a = [(0, 4, "PER"), (10, 15, "ORG")]
    b = [(0, 4, "PER"), (11, 15, "ORG")]
    c = [(0, 4, "ORG"), (20, 25, "PER")]
    close = unitizing_alpha([a, b], length=30).alpha
    far = unitizing_alpha([a, c], length=30).alpha
    assert 0 < close < 1
    assert far < close


def _dkpro_observed(r1: list[tuple[int, int]], r2: list[tuple[int, int]], begin: int, length: int) -> float:
    """A literal port of DKPro's observed-disagreement walk for one rater pair (the reference
    the vectorised overlap formulation is checked against)."""

    def dist(o1: int, l1: int, c1: bool, o2: int, l2: int, c2: bool) -> float:
        bd, ld = o1 - o2, l1 - l2
        if c1 and c2 and -l1 < bd < l2:
            return bd * bd + (bd + ld) * (bd + ld)
        if c1 and not c2 and -ld >= bd >= 0:
            return l1 * l1
        if not c1 and c2 and -ld <= bd <= 0:
            return l2 * l2
        return 0.0

    u1 = iter([(s, e - s) for s, e in sorted(r1)])
    u2 = iter([(s, e - s) for s, e in sorted(r2)])
    n1, n2 = next(u1, None), next(u2, None)
    off1, len1, off2, len2 = begin, 0, begin, 0
    c1 = c2 = False
    pos, total = begin, 0.0
    while pos < begin + length and (n1 is not None or n2 is not None):
        if pos == off1 + len1:
            if n1 is not None and pos == n1[0]:
                len1, c1 = n1[1], True
                n1 = next(u1, None)
            else:
                len1, c1 = (n1[0] if n1 is not None else begin + length) - pos, False
            off1 = pos
        if pos == off2 + len2:
            if n2 is not None and pos == n2[0]:
                len2, c2 = n2[1], True
                n2 = next(u2, None)
            else:
                len2, c2 = (n2[0] if n2 is not None else begin + length) - pos, False
            off2 = pos
        total += dist(off1, len1, c1, off2, len2, c2)
        pos = min(off1 + len1, off2 + len2)
    return total


def _random_units(rng: random.Random, length: int) -> list[tuple[int, int]]:
    units, pos = [], 0
    while True:
        pos += rng.randint(0, 6)
        ln = rng.randint(1, 7)
        if pos + ln > length:
            return units
        units.append((pos, pos + ln))
        pos += ln


def test_unitizing_observed_matches_dkpro_walk_on_random_data() -> None:
    rng = random.Random(11)
    for _ in range(300):
        length = rng.randint(5, 80)
        raters = [_random_units(rng, length) for _ in range(rng.randint(2, 4))]
        if not any(raters):
            continue
        ours = unitizing_category_disagreement(raters, 0, length)
        r = len(raters)
        walk = sum(
            _dkpro_observed(raters[i], raters[j], 0, length) for i in range(r) for j in range(i + 1, r)
        )
        assert ours.observed == pytest.approx(2 * walk / (r * (r - 1) * length * length), abs=1e-12)


# --------------------------------------------------------------------------------------------
# Cross-checks against scikit-learn and the `krippendorff` package on generated annotations
# --------------------------------------------------------------------------------------------

LABELS = ["PER", "ORG", "LOC", "MISC"]


def _random_doc_annotations(rng: random.Random, n_tokens: int, base: list | None = None) -> list:
    """Token-aligned spans over tokens [0, n_tokens) (one char per token plus a space)."""
    spans = []
    if base is not None:  # a noisy copy of another annotator's spans
        for s, e, lab in base:
            roll = rng.random()
            if roll < 0.75:
                spans.append((s, e, lab))
            elif roll < 0.85:
                spans.append((s, e, rng.choice(LABELS)))
            elif roll < 0.95 and e - s > 1:
                spans.append((s, e - 2, lab))
        return spans
    i = 0
    while i < n_tokens:
        if rng.random() < 0.2:
            ln = rng.randint(1, 3)
            j = min(n_tokens, i + ln)
            spans.append((2 * i, 2 * j - 1, rng.choice(LABELS)))
            i = j + 1
        else:
            i += 1
    return spans


def test_token_kappa_and_alpha_match_sklearn_and_krippendorff_package() -> None:
    rng = random.Random(7)
    n_tokens = 400
    tokens = [(2 * i, 2 * i + 1) for i in range(n_tokens)]
    a = _random_doc_annotations(rng, n_tokens)
    b = _random_doc_annotations(rng, n_tokens, base=a)
    c = _random_doc_annotations(rng, n_tokens, base=a)
    la, lb, lc = (token_labels(tokens, x) for x in (a, b, c))
    assert cohen_kappa(la, lb).kappa == pytest.approx(cohen_kappa_score(la, lb), abs=1e-12)
    assert cohen_kappa(lb, lc).kappa == pytest.approx(cohen_kappa_score(lb, lc), abs=1e-12)
    # alpha with missing annotators on some tokens
    names = sorted(set(la) | set(lb) | set(lc))
    code = {n: float(i) for i, n in enumerate(names)}
    data = np.array([[code[x] for x in row] for row in (la, lb, lc)])
    data[2, :150] = np.nan
    data[0, 300:] = np.nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    rows = [[None if math.isnan(x) else names[int(x)] for x in row] for row in data]
    assert krippendorff_alpha(rows, "nominal").alpha == pytest.approx(expected, abs=1e-12)
    assert krippendorff_alpha(data, "nominal").alpha == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff_package_on_random_data(level: str) -> None:
    rng = np.random.default_rng(5)
    for trial in range(20):
        raters, units = rng.integers(2, 6), rng.integers(5, 200)
        truth = rng.integers(1, 7, size=units)
        noise = rng.integers(-1, 2, size=(raters, units)) * (rng.random((raters, units)) < 0.3)
        data = (truth + noise).astype(float)
        data[rng.random((raters, units)) < 0.25] = np.nan
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert krippendorff_alpha(data, level).alpha == pytest.approx(expected, abs=1e-10), trial


def test_alpha_codes_and_counts_agree() -> None:
    rng = np.random.default_rng(9)
    codes = rng.integers(-1, 4, size=(3, 500))
    by_codes = krippendorff_alpha_codes(codes, n_values=4)
    counts = np.stack([(codes == v).sum(axis=0) for v in range(4)], axis=1)
    by_counts = krippendorff_alpha_from_counts(counts)
    expected = krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
    assert by_codes.alpha == pytest.approx(expected, abs=1e-12)
    assert by_counts.alpha == pytest.approx(expected, abs=1e-12)


def test_fleiss_kappa_matches_direct_formula_on_random_data() -> None:
    rng = np.random.default_rng(2)
    ratings = rng.integers(0, 4, size=(5, 60))  # 5 raters x 60 subjects
    result = fleiss_kappa(ratings.tolist())
    n, k, m = 60, 4, 5
    counts = np.array([[np.sum(ratings[:, i] == j) for j in range(k)] for i in range(n)])
    p_j = counts.sum(axis=0) / (n * m)
    p_i = [(sum(c * c for c in row) - m) / (m * (m - 1)) for row in counts]
    p_bar = sum(p_i) / n
    p_e = sum(p * p for p in p_j)
    assert result.kappa == pytest.approx((p_bar - p_e) / (1 - p_e), abs=1e-12)
    # with two raters Fleiss' kappa is Scott's pi
    two = fleiss_kappa(ratings[:2].tolist())
    assert two.kappa == pytest.approx(scott_pi(ratings[0].tolist(), ratings[1].tolist()), abs=1e-12)


# --------------------------------------------------------------------------------------------
# Token labels
# --------------------------------------------------------------------------------------------


def test_token_labels() -> None:
    tokens = [(0, 3), (4, 9), (10, 12), (13, 18), (18, 19)]
    spans = [(4, 12, "ORG"), Span(1, "x", 13, 18, "PER")]
    assert token_labels(tokens, spans) == ["O", "ORG", "ORG", "PER", "O"]
    assert token_labels(tokens, []) == ["O"] * 5
    # a span covering part of a token still labels it
    assert token_labels(tokens, [(5, 6, "X")]) == ["O", "X", "O", "O", "O"]


def test_token_label_codes_global_offsets() -> None:
    ts = np.array([0, 5, 10, 100, 105])
    te = np.array([4, 9, 14, 104, 109])
    codes = token_label_codes(ts, te, np.array([5, 100]), np.array([14, 104]), np.array([2, 3]))
    assert codes.tolist() == [0, 2, 2, 3, 0]


# --------------------------------------------------------------------------------------------
# Span F1
# --------------------------------------------------------------------------------------------


def test_span_f1_exact_counts_per_label_micro_macro() -> None:
    a = [(0, 5, "PER"), (10, 15, "ORG"), (20, 25, "PER"), (30, 35, "LOC")]
    b = [(0, 5, "PER"), (10, 15, "PER"), (20, 25, "PER"), (40, 45, "LOC")]
    r = span_f1(a, b)
    assert r.per_label["PER"] == PRF(tp=2, fp=0, fn=1)
    assert r.per_label["ORG"] == PRF(tp=0, fp=1, fn=0)
    assert r.per_label["LOC"] == PRF(tp=0, fp=1, fn=1)
    assert r.micro == PRF(tp=2, fp=2, fn=2)
    assert r.f1 == pytest.approx(0.5)
    assert r.macro_f1 == pytest.approx((0.8 + 0 + 0) / 3)
    assert r.per_label["PER"].precision == 1.0
    assert r.per_label["PER"].recall == pytest.approx(2 / 3)
    assert set(r.only_a) == {(None, 10, 15, "ORG"), (None, 30, 35, "LOC")}
    assert set(r.only_b) == {(None, 10, 15, "PER"), (None, 40, 45, "LOC")}


def test_span_f1_is_symmetric() -> None:
    rng = random.Random(4)
    for _ in range(50):
        a = _random_doc_annotations(rng, 60)
        b = _random_doc_annotations(rng, 60, base=a) + _random_doc_annotations(rng, 10)
        for mode in ("exact", "overlap"):
            ab, ba = span_f1(a, b, mode), span_f1(b, a, mode)
            assert ab.f1 == pytest.approx(ba.f1)
            assert ab.micro.tp == ba.micro.tp
            assert (ab.micro.fp, ab.micro.fn) == (ba.micro.fn, ba.micro.fp)


def test_span_f1_overlap_is_lenient_and_one_to_one() -> None:
    a = [(0, 10, "PER"), (20, 25, "ORG")]
    b = [(2, 4, "PER"), (6, 8, "PER"), (21, 30, "ORG"), (40, 41, "ORG")]
    assert span_f1(a, b).micro.tp == 0
    r = span_f1(a, b, "overlap")
    # the long PER span matches only one of the two short ones
    assert r.micro == PRF(tp=2, fp=0, fn=2)
    assert r.per_label["PER"] == PRF(tp=1, fp=0, fn=1)
    # a different label never matches, even when overlapping
    assert span_f1([(0, 5, "PER")], [(0, 5, "ORG")], "overlap").micro.tp == 0


def test_span_f1_overlap_prefers_exact_and_finds_maximum_matching() -> None:
    # a0 overlaps b0 and b1, a1 overlaps only b0: a greedy match a0-b0 would lose a1
    a = [(0, 10, "X"), (0, 3, "X")]
    b = [(0, 3, "X"), (5, 10, "X")]
    r = span_f1(a, b, "overlap")
    assert r.micro.tp == 2
    assert ((None, 0, 3, "X"), (None, 0, 3, "X")) in r.matched


def test_span_f1_overlap_matches_scipy_assignment_on_random_data() -> None:
    rng = random.Random(8)
    for _ in range(100):
        a = [(s, s + rng.randint(1, 8), "X") for s in (rng.randint(0, 50) for _ in range(rng.randint(0, 12)))]
        b = [(s, s + rng.randint(1, 8), "X") for s in (rng.randint(0, 50) for _ in range(rng.randint(0, 12)))]
        a, b = list(dict.fromkeys(a)), list(dict.fromkeys(b))
        ours = span_f1(a, b, "overlap").micro.tp
        if not a or not b:
            assert ours == 0
            continue
        w = np.array([[1 if x[0] < y[1] and y[0] < x[1] else 0 for y in b] for x in a])
        rows, cols = linear_sum_assignment(w, maximize=True)
        assert ours == int(w[rows, cols].sum())


def test_span_f1_documents_and_label_filter() -> None:
    a = [Span(1, "alice", 0, 5, "PER"), Span(2, "alice", 0, 5, "PER"), Span(2, "alice", 7, 9, "ORG")]
    b = [Span(1, "bob", 0, 5, "PER"), Span(3, "bob", 0, 5, "PER"), (2, 7, 9, "ORG")]
    r = span_f1(a, b)
    assert r.micro == PRF(tp=2, fp=1, fn=1)  # doc 2 PER vs doc 3 PER never match
    only_per = span_f1(a, b, labels=["PER"])
    assert set(only_per.per_label) == {"PER"}
    assert only_per.micro == PRF(tp=1, fp=1, fn=1)


def test_span_f1_empty() -> None:
    r = span_f1([], [])
    assert math.isnan(r.f1) and math.isnan(r.macro_f1)
    assert span_f1([(0, 1, "X")], []).f1 == 0.0


# --------------------------------------------------------------------------------------------
# Relation F1
# --------------------------------------------------------------------------------------------


def test_relation_f1_exact_needs_label_and_both_endpoints() -> None:
    per, org, loc = (0, 5, "PER"), (10, 15, "ORG"), (20, 25, "LOC")
    a = [(per, org, "works_for"), (org, loc, "located_in"), (per, loc, "lives_in")]
    b = [
        (per, org, "works_for"),  # match
        ((10, 15, "MISC"), loc, "located_in"),  # head label differs
        (per, loc, "born_in"),  # relation label differs
    ]
    r = relation_f1(a, b)
    assert r.micro == PRF(tp=1, fp=2, fn=2)
    assert r.per_label["works_for"].f1 == 1.0
    assert r.per_label["born_in"] == PRF(tp=0, fp=0, fn=1)
    assert relation_f1(b, a).f1 == pytest.approx(r.f1)
    # direction matters
    assert relation_f1([(per, org, "r")], [(org, per, "r")]).micro.tp == 0


def test_relation_f1_overlap_variant() -> None:
    a = [((0, 5, "PER"), (10, 15, "ORG"), "works_for")]
    b = [((0, 4, "PER"), (9, 15, "ORG"), "works_for")]
    assert relation_f1(a, b).micro.tp == 0
    assert relation_f1(a, b, "overlap").micro == PRF(tp=1, fp=0, fn=0)
    c = [((0, 4, "PER"), (20, 25, "ORG"), "works_for")]  # child does not overlap
    assert relation_f1(a, c, "overlap").micro.tp == 0


def test_relation_keys_resolve_store_relations() -> None:
    spans_a = [Span(1, "alice", 0, 5, "PER", id=1), Span(1, "alice", 10, 15, "ORG", id=2)]
    spans_b = [Span(1, "bob", 0, 5, "PER", id=7), Span(1, "bob", 10, 15, "ORG", id=8)]
    ra = relation_keys([Relation(1, "alice", 1, 2, "works_for")], spans_a)
    rb = relation_keys([Relation(1, "bob", 7, 8, "works_for"), Relation(1, "bob", 7, 99, "x")], spans_b)
    assert ra == [RelationKey(1, (0, 5, "PER"), (10, 15, "ORG"), "works_for")]
    assert len(rb) == 1
    assert relation_f1(ra, rb).f1 == 1.0


def test_max_matching_exhaustive_small_cases() -> None:
    # every small interval configuration: our TP equals the brute-force maximum matching
    ivs = [(s, e) for s in range(4) for e in range(s + 1, 5)]
    rng = random.Random(1)
    for _ in range(200):
        a = rng.sample(ivs, rng.randint(1, 4))
        b = rng.sample(ivs, rng.randint(1, 4))
        best = 0
        for perm in itertools.permutations(range(len(b)), min(len(a), len(b))):
            best = max(best, sum(1 for i, j in enumerate(perm) if a[i][0] < b[j][1] and b[j][0] < a[i][1]))
        if len(a) > len(b):
            for perm in itertools.permutations(range(len(a)), len(b)):
                best = max(best, sum(1 for j, i in enumerate(perm) if a[i][0] < b[j][1] and b[j][0] < a[i][1]))
        tp = span_f1([(s, e, "X") for s, e in a], [(s, e, "X") for s, e in b], "overlap").micro.tp
        assert tp == best


# --------------------------------------------------------------------------------------------
# Vectorised forms (used by the report) agree with the plain functions
# --------------------------------------------------------------------------------------------

VEC_LABELS = ["A", "B", "C"]


def _rand_units(rng: random.Random, length: int, overlapping: bool) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    while True:
        pos += rng.randint(0, 8)
        ln = rng.randint(1, 6)
        if pos + ln > length:
            return out
        out.append((pos, pos + ln, rng.choice(VEC_LABELS)))
        pos += ln if not overlapping or rng.random() < 0.7 else -rng.randint(0, ln - 1)


def test_vectorised_unitizing_and_span_f1_equal_plain_functions() -> None:
    rng = random.Random(3)
    for trial in range(150):
        n_docs, n_raters = rng.randint(1, 6), rng.randint(2, 4)
        lengths = np.array([rng.randint(1, 60) for _ in range(n_docs)])
        presence = np.array([[rng.random() < 0.8 for _ in range(n_docs)] for _ in range(n_raters)])
        data = {
            (d, r): _rand_units(rng, int(lengths[d]), overlapping=trial % 3 == 0)
            for d in range(n_docs)
            for r in range(n_raters)
        }
        rows = np.array(
            [(d, r, VEC_LABELS.index(lab), s, e) for (d, r), us in data.items() for s, e, lab in us], dtype=np.int64
        ).reshape(-1, 5)
        do, de, units = unitizing_by_group(
            rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4], lengths, presence, len(VEC_LABELS)
        )
        for d in range(n_docs):
            raters = [r for r in range(n_raters) if presence[r, d]]
            for c, lab in enumerate(VEC_LABELS):
                plain = unitizing_category_disagreement(
                    [[(s, e) for s, e, x in data[d, r] if x == lab] for r in raters], 0, int(lengths[d])
                )
                assert do[d, c] == pytest.approx(plain.observed, abs=1e-12)
                assert de[d, c] == pytest.approx(plain.expected, abs=1e-12)
        a = [(d, s, e, lab) for (d, r), us in data.items() if r == 0 for s, e, lab in us]
        b = [(d, s, e, lab) for (d, r), us in data.items() if r == 1 for s, e, lab in us]
        arr_a = np.array([(d, s, e, VEC_LABELS.index(lab)) for d, s, e, lab in a], dtype=np.int64).reshape(-1, 4)
        arr_b = np.array([(d, s, e, VEC_LABELS.index(lab)) for d, s, e, lab in b], dtype=np.int64).reshape(-1, 4)
        for mode in ("exact", "overlap"):
            assert dict(span_f1_arrays(arr_a, arr_b, VEC_LABELS, mode).per_label) == dict(span_f1(a, b, mode).per_label)


def test_relation_f1_arrays_equal_relation_f1() -> None:
    rng = random.Random(6)
    spans = [(s, s + rng.randint(1, 4), rng.choice("XY")) for s in range(0, 60, 5)]
    rels = ["r", "q"]

    def draw() -> list[tuple[int, tuple[int, int, str], tuple[int, int, str], str]]:
        return [(rng.randint(0, 2), rng.choice(spans), rng.choice(spans), rng.choice(rels)) for _ in range(30)]

    def arr(keys: list) -> np.ndarray:
        return np.array(
            [(d, *h[:2], "XY".index(h[2]), *c[:2], "XY".index(c[2]), rels.index(lab)) for d, h, c, lab in keys],
            dtype=np.int64,
        )

    for _ in range(30):
        a, b = draw(), draw() + []
        b += a[:10]
        assert dict(relation_f1_arrays(arr(a), arr(b), rels).per_label) == dict(relation_f1(a, b).per_label)


def test_fleiss_from_codes_and_unit_pattern_fallback() -> None:
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 5, size=(4, 300))
    assert fleiss_kappa_from_codes(codes, 5).kappa == pytest.approx(fleiss_kappa(codes.tolist()).kappa, abs=1e-12)
    # many raters: too many value combinations to compress, one row per unit instead
    many = rng.integers(-1, 5, size=(14, 400))
    vc, freq = unit_patterns(many, 5)
    assert vc.shape == (400, 5) and freq.sum() == 400
    data = np.where(many < 0, np.nan, many).astype(float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha_codes(many, n_values=5).alpha == pytest.approx(expected, abs=1e-12)
    # few raters: compressed, same alpha
    few = rng.integers(-1, 5, size=(3, 5000))
    vc, freq = unit_patterns(few, 5)
    assert len(vc) <= 6**3 and freq.sum() == 5000
    data = np.where(few < 0, np.nan, few).astype(float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha_codes(few, n_values=5).alpha == pytest.approx(expected, abs=1e-12)
    # float input with non-integer values takes the sorting path
    halves = data / 2
    expected = krippendorff.alpha(reliability_data=halves, level_of_measurement="interval")
    assert krippendorff_alpha(halves, "interval").alpha == pytest.approx(expected, abs=1e-12)
