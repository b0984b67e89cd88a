"""The agreement report of a project: how much its annotators (and suggesters) agree.

:func:`agreement_job` is a generator yielding :class:`annotator.progress.Progress` and
returning the report, so the window can run it in a worker; :func:`agreement_report` runs it
to the end. The report is plain JSON-ready data; its shape is the contract of
``annotator agreement --json`` (issue 6)::

    {"documents": int, "annotators": [str], "labels": [str], "all_docs": bool,
     "overall": {"span_f1", "span_f1_overlap", "token_kappa_fleiss", "token_alpha",
                 "unitizing_alpha", "relation_f1", "span_f1_macro", "tokens"},
     "pairs": [{"a", "b", "documents", "span_f1", "span_f1_overlap", "span_f1_macro",
                "token_kappa", "relation_f1", "tokens", "tp", "fp", "fn"}],
     "per_label": {label: {"span_f1", "span_f1_overlap", "unitizing_alpha", "tp", "fp", "fn",
                           "spans": {annotator: int}}},
     "notes": [str],
     "disagreements": [{"doc_id", "doc_name", "start", "end", "text",
                        "labels": {annotator: label | None},
                        "spans": {annotator: [[start, end, label], ...]}}]}

A measure that cannot be computed is ``None`` and a line in ``notes`` says why.

What is compared
----------------
* Annotators default to the project's people; any layer can be named instead (a suggester
  such as ``model:en_core_web_sm`` or ``gold`` is compared like a person).
* A person has finished a document when they marked it ``done``. A layer that is not a
  person (suggester, gold) has finished a document when it is marked done for it, its
  suggester processed it, or it holds spans on it.
* Compared documents: those at least two compared annotators finished; with ``all_docs``
  every document, with every compared annotator counted on it (no spans = all ``O``).
* ``labels`` restricts every measure to those entity labels (other spans are ignored, and
  relations are compared only when both endpoints keep their label).

Measures
--------
* Pairwise span F1 (exact and overlap), relation F1 (exact: label and both endpoints'
  (start, end, label) identical), Cohen's kappa on token labels -- each over the documents both
  annotators of the pair finished. ``overall.span_f1`` / ``span_f1_overlap`` /
  ``relation_f1`` are the mean over pairs of the pair's micro F1 (the "mean over annotator
  pairs" of the reference); ``per_label`` F1 is the mean over pairs of that label's F1.
* Token labels: every stored token that is not whitespace gets the label of the span sharing
  a character with it, or ``O``.
* Fleiss' kappa on token labels over the documents *all* compared annotators finished.
* Krippendorff's alpha (nominal) on token labels over all compared documents; an annotator
  who did not finish a document is a missing value there.
* Krippendorff's unitizing alpha on character spans: per document, the continuum is the
  document's characters and the raters are the annotators who finished it (at least two);
  each label's observed and expected disagreement are averaged over documents weighted by
  document length, then ``alpha_c = 1 - Do_c / De_c`` and the overall value is
  ``1 - mean_c Do_c / mean_c De_c`` (DKPro's pooling over categories). For a single document
  this is exactly DKPro's ``KrippendorffAlphaUnitizingAgreement``.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from annotator.agreement import (
    OUTSIDE,
    F1Result,
    UnitizingCategory,
    cohen_kappa_from_table,
    combine_unitizing,
    fleiss_kappa_from_codes,
    krippendorff_alpha_codes,
    nan_to_none,
    relation_f1_arrays,
    span_f1_arrays,
    token_label_codes,
    unitizing_by_group,
)
from annotator.progress import Progress, drain
from corpus.errors import ProjectError
from corpus.model import is_person_layer
from corpus.store import Store
from corpus.store import agreement_queries as q

__all__ = ["agreement_job", "agreement_report", "format_report"]

# Characters str.isspace() accepts; a whitespace token (spaCy's is_space) starts with one.
_WHITESPACE = np.array(sorted(c for c in range(0x3001) if chr(c).isspace()), dtype=np.uint32)
_WS_TABLE = np.zeros(int(_WHITESPACE[-1]) + 1, dtype=bool)
_WS_TABLE[_WHITESPACE] = True


def _mean(values: Sequence[float]) -> float:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return sum(vals) / len(vals) if vals else float("nan")


def _resolve_annotators(store: Store, annotators: Sequence[str] | None) -> list[str]:
    if annotators is None:
        names = store.annotators()
    else:
        names = list(dict.fromkeys(a.strip() for a in annotators if a.strip()))
        known = set(store.annotators()) | set(store.layers())
        unknown = [a for a in names if a not in known]
        if unknown:
            raise ProjectError(
                f"{store.path}: no annotator or layer named {', '.join(repr(u) for u in unknown)}"
                f" (known: {', '.join(sorted(known)) or 'none'})"
            )
    if len(names) < 2:
        what = "were given" if annotators is not None else "the project has"
        raise ProjectError(
            f"{store.path}: agreement needs at least two annotators, {what} "
            f"{len(names)} ({', '.join(names) or 'none'})"
        )
    return names


def _finished(store: Store, names: Sequence[str]) -> dict[str, set[int]]:
    done = q.layer_documents_done(store, names)
    others = [n for n in names if not is_person_layer(n)]
    if others:
        suggested = q.suggested_documents_by_layer(store, others)
        with_spans = q.layer_span_documents(store, others)
        for n in others:
            done[n] |= suggested[n] | with_spans[n]
    return done


def agreement_job(
    store: Store,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    all_docs: bool = False,
) -> Iterator[Progress]:
    """Compute the agreement report, yielding progress; the generator returns the report dict.

    See the module docstring for what is compared and how. Raises :class:`ProjectError`
    (one line) for unknown annotators or fewer than two.
    """
    names = _resolve_annotators(store, annotators)
    label_filter = list(dict.fromkeys(labels)) if labels else None
    notes: list[str] = []
    n_ann = len(names)
    ann_index = {a: i for i, a in enumerate(names)}

    # -- which documents, and who is present on each ----------------------------------------
    finished = _finished(store, names)
    if all_docs:
        doc_ids = store.document_ids()
        present = {d: set(range(n_ann)) for d in doc_ids}
    else:
        count: dict[int, set[int]] = defaultdict(set)
        for a, docs in finished.items():
            for d in docs:
                count[d].add(ann_index[a])
        present = {d: s for d, s in count.items() if len(s) >= 2}
        doc_ids = sorted(present)
    n_docs = len(doc_ids)
    pairs = list(itertools.combinations(range(n_ann), 2))
    total = 2 * n_docs + len(pairs) + 1
    yield Progress(0, total, "reading documents", unit="step")
    if n_docs == 0:
        notes.append(
            "no document was marked done by at least two of the compared annotators"
            " (use --all-docs to compare every document)"
        )

    # -- documents and tokens -----------------------------------------------------------------
    doc_pos = {d: i for i, d in enumerate(doc_ids)}
    names_by_doc: list[str] = [""] * n_docs
    texts: list[str] = [""] * n_docs
    lengths = np.zeros(n_docs, dtype=np.int64)
    token_strings: list[str] = [""] * n_docs
    n_ints = np.zeros(n_docs, dtype=np.int64)
    for k, (d, name, text, tokens_json) in enumerate(q.iter_document_rows(store, doc_ids)):
        i = doc_pos[d]
        names_by_doc[i] = name
        texts[i] = text
        lengths[i] = len(text)
        flat = tokens_json.replace("[", "").replace("]", "").strip()
        token_strings[i] = flat
        n_ints[i] = flat.count(",") + 1 if flat else 0
        if k % 500 == 499:
            yield Progress(k + 1, total, "reading documents", unit="step")
    no_tokens = int((n_ints == 0).sum())
    if no_tokens:
        notes.append(f"{no_tokens} compared document(s) have no stored tokens; token measures skip them")
    # One continuum for the corpus: document i starts at base[i] (a separator between documents).
    base = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64) if n_docs else np.zeros(0, np.int64)
    flat_all = np.fromstring(",".join(t for t in token_strings if t), dtype=np.int64, sep=",")
    t_doc = np.repeat(np.arange(n_docs, dtype=np.int64), n_ints // 2)
    t_start = flat_all[0::2] + base[t_doc]
    t_end = flat_all[1::2] + base[t_doc]
    # drop whitespace tokens (spaCy's is_space: a whitespace token starts with whitespace)
    cps = np.frombuffer("\0".join(texts).encode("utf-32-le"), dtype=np.uint32)
    if len(t_start):
        first_cp = cps[np.minimum(t_start, len(cps) - 1)]
        is_ws = np.zeros(len(t_start), dtype=bool)
        small = first_cp <= _WHITESPACE[-1]
        is_ws[small] = _WS_TABLE[first_cp[small]]
        t_doc, t_start, t_end = t_doc[~is_ws], t_start[~is_ws], t_end[~is_ws]
    presence = np.zeros((n_ann, n_docs), dtype=bool)
    for d, s in present.items():
        if d in doc_pos:
            presence[list(s), doc_pos[d]] = True
    yield Progress(n_docs, total, "reading annotations", unit="step")

    # -- spans and relations (as integer arrays) ------------------------------------------
    rows = q.layer_span_rows(store, names, label_filter)
    label_names = sorted({r[5] for r in rows} | set(label_filter or ()))
    code_of = {lab: k for k, lab in enumerate(label_names)}
    n_lab = len(label_names)
    max_id = max((r[1] for r in rows), default=0)
    pos_of_id = np.full(max(max_id, max(doc_ids, default=0)) + 1, -1, dtype=np.int64)
    if n_docs:
        pos_of_id[np.asarray(doc_ids, dtype=np.int64)] = np.arange(n_docs)
    sp = np.array(
        [(sid, d, ann_index[layer], s, e, code_of[lab]) for sid, d, layer, s, e, lab in rows], dtype=np.int64
    ).reshape(-1, 6)
    sp_doc = pos_of_id[sp[:, 1]]
    keep = sp_doc >= 0
    keep[keep] = presence[sp[keep, 2], sp_doc[keep]]
    sp, sp_doc = sp[keep], sp_doc[keep]
    s_id, s_ann, s_start, s_end, s_lab = sp[:, 0], sp[:, 2], sp[:, 3], sp[:, 4], sp[:, 5]
    yield Progress(n_docs + n_docs // 4, total, "token labels", unit="step")

    rel_rows = q.layer_relation_rows(store, names)
    rel_names = sorted({r[4] for r in rel_rows})
    rel_code = {lab: k for k, lab in enumerate(rel_names)}
    id_order = np.argsort(s_id)
    sorted_ids = s_id[id_order]

    def span_index(ids: np.ndarray) -> np.ndarray:
        if len(sorted_ids) == 0:
            return np.full(len(ids), -1, dtype=np.int64)
        k = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
        return np.where(sorted_ids[k] == ids, id_order[k], -1)

    rl = np.array(
        [(ann_index[layer], h, c, rel_code[lab]) for _, layer, h, c, lab in rel_rows], dtype=np.int64
    ).reshape(-1, 4)
    hi_, ci_ = span_index(rl[:, 1]), span_index(rl[:, 2])
    ok_rel = (hi_ >= 0) & (ci_ >= 0)
    rl, hi_, ci_ = rl[ok_rel], hi_[ok_rel], ci_[ok_rel]
    # (doc, head start, head end, head label, child start, child end, child label, label)
    rel_keys = np.stack(
        [sp_doc[hi_], s_start[hi_], s_end[hi_], s_lab[hi_], s_start[ci_], s_end[ci_], s_lab[ci_], rl[:, 3]], axis=1
    ).reshape(-1, 8)
    rel_ann = rl[:, 0]

    # -- token labels (vectorised over the whole corpus) -------------------------------------
    values = [OUTSIDE, *label_names]
    codes = np.full((n_ann, len(t_start)), -1, dtype=np.int64)
    t_present = presence[:, t_doc] if len(t_doc) else np.zeros((n_ann, 0), dtype=bool)
    for a in range(n_ann):
        mine = s_ann == a
        g = base[sp_doc[mine]] if n_docs else np.zeros(0, dtype=np.int64)
        c = token_label_codes(t_start, t_end, g + s_start[mine], g + s_end[mine], s_lab[mine] + 1)
        codes[a] = np.where(t_present[a], c, -1)

    # -- whole-group measures -----------------------------------------------------------------
    overall: dict[str, Any] = {}
    all_present = t_present.all(axis=0) if n_ann else np.zeros(0, dtype=bool)
    fleiss = None
    if all_present.any():
        fleiss = fleiss_kappa_from_codes(codes[:, all_present], len(values), values).kappa
        if math.isnan(fleiss):
            notes.append("token_kappa_fleiss: undefined (every token has the same label)")
    else:
        notes.append("token_kappa_fleiss: no tokens in documents finished by all of " + ", ".join(names))
    alpha = None
    if len(t_start) and (t_present.sum(axis=0) >= 2).any():
        alpha = krippendorff_alpha_codes(codes, values, "nominal", len(values)).alpha
        if math.isnan(alpha):
            notes.append("token_alpha: undefined (every token has the same label)")
    else:
        notes.append("token_alpha: no token was labelled by two annotators")
    yield Progress(n_docs + n_docs // 2, total, "unitizing alpha", unit="step")

    # -- unitizing alpha per document, pooled -------------------------------------------------
    do, de, n_units = unitizing_by_group(sp_doc, s_ann, s_lab, s_start, s_end, lengths, presence, n_lab)
    unit_parts = []
    for c, lab in enumerate(label_names):
        docs_c = np.flatnonzero((n_units[:, c] > 0) & (presence.sum(axis=0) >= 2) & (lengths > 0))
        for i in docs_c.tolist():
            unit_parts.append(({lab: UnitizingCategory(float(do[i, c]), float(de[i, c]), int(n_units[i, c]))},
                               float(lengths[i])))
    unitizing = combine_unitizing(unit_parts)
    if not unit_parts:
        notes.append("unitizing_alpha: no spans in documents finished by two annotators")
    yield Progress(n_docs + 3 * n_docs // 4, total, "disagreements", unit="step")

    # -- disagreements ------------------------------------------------------------------------
    disagreements = _disagreements(
        doc_ids, names_by_doc, texts, base, presence, sp_doc, s_ann, s_start, s_end, s_lab, names, label_names
    )
    yield Progress(2 * n_docs, total, "pairs", unit="step")

    # -- pairs --------------------------------------------------------------------------------
    pair_out: list[dict[str, Any]] = []
    pair_f1: list[tuple[F1Result, F1Result, F1Result]] = []
    for k, (a, b) in enumerate(pairs):
        both_docs = presence[a] & presence[b]
        in_a = (s_ann == a) & both_docs[sp_doc] if len(sp_doc) else np.zeros(0, dtype=bool)
        in_b = (s_ann == b) & both_docs[sp_doc] if len(sp_doc) else np.zeros(0, dtype=bool)
        rows_a = np.stack([sp_doc[in_a], s_start[in_a], s_end[in_a], s_lab[in_a]], axis=1)
        rows_b = np.stack([sp_doc[in_b], s_start[in_b], s_end[in_b], s_lab[in_b]], axis=1)
        exact = span_f1_arrays(rows_a, rows_b, label_names, "exact")
        overlap = span_f1_arrays(rows_a, rows_b, label_names, "overlap")
        ra = rel_keys[(rel_ann == a) & both_docs[rel_keys[:, 0]]] if len(rel_keys) else rel_keys
        rb = rel_keys[(rel_ann == b) & both_docs[rel_keys[:, 0]]] if len(rel_keys) else rel_keys
        rel = relation_f1_arrays(ra, rb, rel_names)
        pair_f1.append((exact, overlap, rel))
        mask = t_present[a] & t_present[b]
        kappa = None
        if mask.any():
            kk = len(values)
            table = np.bincount(codes[a][mask] * kk + codes[b][mask], minlength=kk * kk).reshape(kk, kk)
            kappa = nan_to_none(cohen_kappa_from_table(table, values).kappa)
        pair_out.append(
            {
                "a": names[a],
                "b": names[b],
                "documents": int(both_docs.sum()),
                "span_f1": nan_to_none(exact.f1),
                "span_f1_overlap": nan_to_none(overlap.f1),
                "span_f1_macro": nan_to_none(exact.macro_f1),
                "token_kappa": kappa,
                "relation_f1": nan_to_none(rel.f1),
                "tokens": int(mask.sum()),
                "tp": exact.micro.tp,
                "fp": exact.micro.fp,
                "fn": exact.micro.fn,
            }
        )
        yield Progress(2 * n_docs + k + 1, total, f"{names[a]} vs {names[b]}", unit="step")
    if len(rel_keys) == 0:
        notes.append("relation_f1: no relations in the compared documents")
    if n_docs and all(p["documents"] == 0 for p in pair_out):
        notes.append("no pair of annotators finished a common document")
    elif n_docs and not any(pf[0].micro.tp + pf[0].micro.fp + pf[0].micro.fn for pf in pair_f1):
        notes.append("span_f1: no spans in the compared documents")

    overall["span_f1"] = nan_to_none(_mean([p[0].f1 for p in pair_f1]))
    overall["span_f1_overlap"] = nan_to_none(_mean([p[1].f1 for p in pair_f1]))
    overall["token_kappa_fleiss"] = nan_to_none(fleiss)
    overall["token_alpha"] = nan_to_none(alpha)
    overall["unitizing_alpha"] = nan_to_none(unitizing.alpha)
    overall["relation_f1"] = nan_to_none(_mean([p[2].f1 for p in pair_f1]))
    overall["span_f1_macro"] = nan_to_none(_mean([p[0].macro_f1 for p in pair_f1]))
    overall["tokens"] = int(len(t_start))

    per_label: dict[str, dict[str, Any]] = {}
    span_counts = np.bincount(s_ann * max(n_lab, 1) + s_lab, minlength=n_ann * max(n_lab, 1)).reshape(n_ann, -1)
    for c, lab in enumerate(label_names):
        ex = [p[0].per_label[lab] for p in pair_f1 if lab in p[0].per_label]
        ov = [p[1].per_label[lab] for p in pair_f1 if lab in p[1].per_label]
        uc = unitizing.per_category.get(lab)
        per_label[lab] = {
            "span_f1": nan_to_none(_mean([x.f1 for x in ex])),
            "span_f1_overlap": nan_to_none(_mean([x.f1 for x in ov])),
            "unitizing_alpha": nan_to_none(uc.alpha) if uc is not None else None,
            "tp": sum(x.tp for x in ex),
            "fp": sum(x.fp for x in ex),
            "fn": sum(x.fn for x in ex),
            "spans": {names[a]: int(span_counts[a, c]) for a in range(n_ann)},
        }
    report = {
        "documents": n_docs,
        "annotators": list(names),
        "labels": label_names,
        "all_docs": bool(all_docs),
        "overall": overall,
        "pairs": pair_out,
        "per_label": per_label,
        "notes": notes,
        "disagreements": disagreements,
    }
    yield Progress(total, total, "done", unit="step")
    return report


def _disagreements(
    doc_ids: Sequence[int],
    doc_names: Sequence[str],
    texts: Sequence[str],
    base: np.ndarray,
    presence: np.ndarray,
    sp_doc: np.ndarray,
    s_ann: np.ndarray,
    s_start: np.ndarray,
    s_end: np.ndarray,
    s_lab: np.ndarray,
    names: Sequence[str],
    label_names: Sequence[str],
) -> list[dict[str, Any]]:
    """Clusters of overlapping spans (over the annotators present on a document) they differ on.

    A cluster is agreed when every present annotator has exactly one span there, all with the
    same offsets and label; otherwise it is listed with each present annotator's spans and
    labels (``None``: no span there). Clustering is vectorised; only disagreements reach Python.
    """
    if len(sp_doc) == 0:
        return []
    gs = base[sp_doc] + s_start
    ge = base[sp_doc] + s_end
    order = np.lexsort((s_ann, s_lab, ge, gs))
    gs, ge = gs[order], ge[order]
    doc, ann, start, end, lab = sp_doc[order], s_ann[order], s_start[order], s_end[order], s_lab[order]
    run_end = np.maximum.accumulate(ge)
    new = np.ones(len(gs), dtype=bool)
    new[1:] = gs[1:] >= run_end[:-1]
    first = np.flatnonzero(new)
    size = np.diff(np.append(first, len(gs)))
    r_doc = presence.sum(axis=0)[doc[first]]
    same = (
        (np.maximum.reduceat(start, first) == np.minimum.reduceat(start, first))
        & (np.maximum.reduceat(end, first) == np.minimum.reduceat(end, first))
        & (np.maximum.reduceat(lab, first) == np.minimum.reduceat(lab, first))
    )
    agreed = same & (size == r_doc)
    bad = np.flatnonzero(~agreed)
    lo_all = first[bad].tolist()
    hi_all = (first[bad] + size[bad]).tolist()
    c_start_all = np.minimum.reduceat(start, first)[bad].tolist()
    c_end_all = np.maximum.reduceat(end, first)[bad].tolist()
    doc_l, ann_l, start_l, end_l, lab_l = doc.tolist(), ann.tolist(), start.tolist(), end.tolist(), lab.tolist()
    present_of: dict[int, list[int]] = {}
    out: list[dict[str, Any]] = []
    for lo, hi, c_start, c_end in zip(lo_all, hi_all, c_start_all, c_end_all):
        i = doc_l[lo]
        present = present_of.get(i)
        if present is None:
            present = present_of[i] = [a for a in range(len(names)) if presence[a, i]]
        by_ann: dict[int, list[list[Any]]] = {a: [] for a in present}
        for j in range(lo, hi):
            by_ann[ann_l[j]].append([start_l[j], end_l[j], label_names[lab_l[j]]])
        labels: dict[str, str | None] = {}
        for a in present:
            spans = by_ann[a]
            if not spans:
                labels[names[a]] = None
            elif len(spans) == 1:
                labels[names[a]] = spans[0][2]
            else:
                labels[names[a]] = "|".join(sorted({x[2] for x in spans}))
        out.append(
            {
                "doc_id": doc_ids[i],
                "doc_name": doc_names[i],
                "start": c_start,
                "end": c_end,
                "text": texts[i][c_start:c_end],
                "labels": labels,
                "spans": {names[a]: by_ann[a] for a in present},
            }
        )
    return out


def agreement_report(
    store: Store,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    all_docs: bool = False,
) -> dict[str, Any]:
    """The agreement report as a dict (the ``--json`` contract); see :func:`agreement_job`."""
    return drain(agreement_job(store, annotators, labels, all_docs))  # type: ignore[return-value]


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_report(report: dict[str, Any]) -> str:
    """A readable plain-text rendering of a report (what the CLI prints without ``--json``)."""
    lines: list[str] = []
    o = report["overall"]
    lines.append(
        f"Agreement of {', '.join(report['annotators'])} on {report['documents']} document(s)"
        f"{' (all documents)' if report.get('all_docs') else ''}"
    )
    lines.append("")
    lines.append("Overall")
    rows = [
        ("span F1 (exact, mean over pairs)", o["span_f1"]),
        ("span F1 (overlap)", o["span_f1_overlap"]),
        ("relation F1", o["relation_f1"]),
        ("token Fleiss' kappa", o["token_kappa_fleiss"]),
        ("token Krippendorff's alpha", o["token_alpha"]),
        ("unitizing alpha (characters)", o["unitizing_alpha"]),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        lines.append(f"  {name:<{width}}  {_fmt(value)}")
    if report["pairs"]:
        lines.append("")
        lines.append("Pairs")
        head = ("a", "b", "docs", "span F1", "overlap", "kappa", "rel F1")
        table = [
            (p["a"], p["b"], str(p["documents"]), _fmt(p["span_f1"]), _fmt(p["span_f1_overlap"]),
             _fmt(p["token_kappa"]), _fmt(p["relation_f1"]))
            for p in report["pairs"]
        ]
        lines.extend(_table(head, table, text_columns=2))
    if report["per_label"]:
        lines.append("")
        lines.append("Per label")
        head = ("label", "span F1", "overlap", "u-alpha", "tp", "fp", "fn")
        table = [
            (lab, _fmt(v["span_f1"]), _fmt(v["span_f1_overlap"]), _fmt(v["unitizing_alpha"]),
             str(v["tp"]), str(v["fp"]), str(v["fn"]))
            for lab, v in report["per_label"].items()
        ]
        lines.extend(_table(head, table))
    lines.append("")
    lines.append(f"Disagreements: {len(report['disagreements'])}")
    for note in report["notes"]:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], text_columns: int = 1) -> list[str]:
    widths = [max(len(head[c]), *(len(r[c]) for r in rows)) for c in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "  " + "  ".join(
            cell.ljust(w) if c < text_columns else cell.rjust(w) for c, (cell, w) in enumerate(zip(cells, widths))
        )

    return [line(head), "  " + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
