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
The measures are the entries of :data:`annotator.agreement.measures` (name, title, what they
take, at which levels they give values, compute function, format); each measure's values go to
``overall[name]``, ``pairs[i][name]`` and ``per_label[label][name]`` for the levels it has, and
the counts (``documents``, ``tokens``, ``tp``, ``fp``, ``fn``, ``spans``) are the report's own.
The built-in measures (:mod:`annotator.agreement.builtin_measures`):

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

import re
from collections import defaultdict
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotator.agreement import (
    OUTSIDE,
    AgreementData,
    MeasureValues,
    measures,
    nan_to_none,
    token_label_codes,
)
from annotator.agreement.builtin_measures import pair_span_f1
from annotator.progress import Progress, drain
from corpus.errors import ProjectError
from corpus.model import is_person_layer
from corpus.store import Store
from corpus.store.documents import iter_document_rows
from corpus.store.reports import (layer_documents_done, layer_relation_rows, layer_span_documents,
                                  layer_span_rows)
from corpus.store.suggestions import suggested_documents_by_layer

__all__ = ["agreement_job", "agreement_report", "format_report"]

# Characters str.isspace() accepts; a whitespace token (spaCy's is_space) starts with one.
#: A document's stored tokens with the brackets taken out: integers and commas only.
_OFFSET_LIST = re.compile(r"[0-9,\s]*")
_WHITESPACE = np.array(sorted(c for c in range(0x3001) if chr(c).isspace()), dtype=np.uint32)
_WS_TABLE = np.zeros(int(_WHITESPACE[-1]) + 1, dtype=bool)
_WS_TABLE[_WHITESPACE] = True


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
    done = layer_documents_done(store, names)
    others = [n for n in names if not is_person_layer(n)]
    if others:
        suggested = suggested_documents_by_layer(store, others)
        with_spans = layer_span_documents(store, others)
        for n in others:
            done[n] |= suggested[n] | with_spans[n]
    return done


def _compared_documents(store: Store, names: Sequence[str], all_docs: bool) -> tuple[list[int], np.ndarray]:
    """The compared documents and who takes part on each (annotators x documents)."""
    if all_docs:
        doc_ids = store.document_ids()
        return doc_ids, np.ones((len(names), len(doc_ids)), dtype=bool)
    ann_index = {a: i for i, a in enumerate(names)}
    count: dict[int, set[int]] = defaultdict(set)
    for a, docs in _finished(store, names).items():
        for d in docs:
            count[d].add(ann_index[a])
    doc_ids = sorted(d for d, s in count.items() if len(s) >= 2)
    presence = np.zeros((len(names), len(doc_ids)), dtype=bool)
    for i, d in enumerate(doc_ids):
        presence[list(count[d]), i] = True
    return doc_ids, presence


@dataclass
class _Texts:
    """The compared documents' names, texts and stored token offsets (flat "s, e, s, e" text)."""

    names: list[str]
    texts: list[str]
    lengths: np.ndarray
    token_strings: list[str]
    n_ints: np.ndarray

    def base(self) -> np.ndarray:
        """Where each document starts on one continuum of the corpus (one separator between)."""
        if not len(self.lengths):
            return np.zeros(0, np.int64)
        return np.concatenate([[0], np.cumsum(self.lengths + 1)[:-1]]).astype(np.int64)


def _read_documents(store: Store, doc_ids: Sequence[int], total: int) -> Generator[Progress, None, _Texts]:
    n_docs = len(doc_ids)
    doc_pos = {d: i for i, d in enumerate(doc_ids)}
    out = _Texts([""] * n_docs, [""] * n_docs, np.zeros(n_docs, dtype=np.int64), [""] * n_docs,
                 np.zeros(n_docs, dtype=np.int64))
    for k, (d, name, text, tokens_json) in enumerate(iter_document_rows(store, doc_ids)):
        i = doc_pos[d]
        out.names[i] = name
        out.texts[i] = text
        out.lengths[i] = len(text)
        flat = tokens_json.replace("[", "").replace("]", "").strip()
        n_ints = flat.count(",") + 1 if flat else 0
        if n_ints % 2 or not _OFFSET_LIST.fullmatch(flat):
            # read fast, as text, but never a traceback (or wrong figures) on a damaged column
            raise ProjectError(f"{store.path}: document {d} ({name}): its tokens are not a list of "
                               "[start, end] offsets in the project file")
        out.token_strings[i] = flat
        out.n_ints[i] = n_ints
        if k % 500 == 499:
            yield Progress(k + 1, total, "reading documents", unit="step")
    return out


def _tokens(docs: _Texts, base: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document, start, end) of every token that is not whitespace, on the corpus continuum."""
    n_docs = len(docs.lengths)
    flat_all = np.fromstring(",".join(t for t in docs.token_strings if t), dtype=np.int64, sep=",")
    t_doc = np.repeat(np.arange(n_docs, dtype=np.int64), docs.n_ints // 2)
    t_start = flat_all[0::2] + base[t_doc]
    t_end = flat_all[1::2] + base[t_doc]
    # drop whitespace tokens (spaCy's is_space: a whitespace token starts with whitespace)
    cps = np.frombuffer("\0".join(docs.texts).encode("utf-32-le"), dtype=np.uint32)
    if len(t_start):
        first_cp = cps[np.minimum(t_start, len(cps) - 1)]
        is_ws = np.zeros(len(t_start), dtype=bool)
        small = first_cp <= _WHITESPACE[-1]
        is_ws[small] = _WS_TABLE[first_cp[small]]
        t_doc, t_start, t_end = t_doc[~is_ws], t_start[~is_ws], t_end[~is_ws]
    return t_doc, t_start, t_end


def _span_rows(
    store: Store, names: Sequence[str], label_filter: list[str] | None, doc_ids: Sequence[int], presence: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The label names and the spans on compared documents their annotator finished:
    rows (id, doc id, annotator, start, end, label code) and each row's document position."""
    ann_index = {a: i for i, a in enumerate(names)}
    rows = layer_span_rows(store, names, label_filter)
    label_names = sorted({r[5] for r in rows} | set(label_filter or ()))
    code_of = {lab: k for k, lab in enumerate(label_names)}
    max_id = max((r[1] for r in rows), default=0)
    pos_of_id = np.full(max(max_id, max(doc_ids, default=0)) + 1, -1, dtype=np.int64)
    if doc_ids:
        pos_of_id[np.asarray(doc_ids, dtype=np.int64)] = np.arange(len(doc_ids))
    sp = np.array(
        [(sid, d, ann_index[layer], s, e, code_of[lab]) for sid, d, layer, s, e, lab in rows], dtype=np.int64
    ).reshape(-1, 6)
    sp_doc = pos_of_id[sp[:, 1]]
    keep = sp_doc >= 0
    keep[keep] = presence[sp[keep, 2], sp_doc[keep]]
    return label_names, sp[keep], sp_doc[keep]


def _relation_rows(
    store: Store, names: Sequence[str], sp: np.ndarray, sp_doc: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Relation label names, (n, 8) relation rows (see :class:`AgreementData`) and annotators,
    for the relations whose two endpoints are among the compared spans."""
    ann_index = {a: i for i, a in enumerate(names)}
    s_id, s_start, s_end, s_lab = sp[:, 0], sp[:, 3], sp[:, 4], sp[:, 5]
    rel_rows = layer_relation_rows(store, names)
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
    rel_keys = np.stack(
        [sp_doc[hi_], s_start[hi_], s_end[hi_], s_lab[hi_], s_start[ci_], s_end[ci_], s_lab[ci_], rl[:, 3]], axis=1
    ).reshape(-1, 8)
    return rel_names, rel_keys, rl[:, 0]


def _token_codes(
    n_ann: int, presence: np.ndarray, base: np.ndarray, tokens: tuple[np.ndarray, np.ndarray, np.ndarray],
    sp: np.ndarray, sp_doc: np.ndarray,
) -> np.ndarray:
    """Annotators x tokens: the code of each token's label (``O`` = 0), -1 where the annotator
    did not finish the token's document (vectorised over the whole corpus)."""
    t_doc, t_start, t_end = tokens
    s_ann, s_start, s_end, s_lab = sp[:, 2], sp[:, 3], sp[:, 4], sp[:, 5]
    codes = np.full((n_ann, len(t_start)), -1, dtype=np.int64)
    t_present = presence[:, t_doc] if len(t_doc) else np.zeros((n_ann, 0), dtype=bool)
    for a in range(n_ann):
        mine = s_ann == a
        g = base[sp_doc[mine]] if len(base) else np.zeros(0, dtype=np.int64)
        c = token_label_codes(t_start, t_end, g + s_start[mine], g + s_end[mine], s_lab[mine] + 1)
        codes[a] = np.where(t_present[a], c, -1)
    return codes


def _assemble(data: AgreementData, results: dict[str, MeasureValues]) -> tuple[dict, list, dict]:
    """The report's ``overall``, ``pairs`` and ``per_label``: each measure's values where it has
    them, with the report's counts."""
    names, labels = data.names, data.labels
    overall: dict[str, Any] = {m.name: nan_to_none(results[m.name].overall) for m in measures.with_scope("overall")}
    overall["tokens"] = int(data.token_codes.shape[1])
    pairs: list[dict[str, Any]] = []
    for a, b in data.pairs:
        exact = pair_span_f1(data, a, b, "exact").micro
        entry: dict[str, Any] = {"a": names[a], "b": names[b], "documents": int(data.pair_documents(a, b).sum())}
        entry.update({m.name: nan_to_none(results[m.name].pairs.get((a, b))) for m in measures.with_scope("pair")})
        entry.update(tokens=int(data.pair_tokens(a, b).sum()), tp=exact.tp, fp=exact.fp, fn=exact.fn)
        pairs.append(entry)
    n_lab = max(len(labels), 1)
    n_ann = len(names)
    span_counts = np.bincount(data.span_ann * n_lab + data.span_label, minlength=n_ann * n_lab).reshape(n_ann, -1)
    per_label: dict[str, dict[str, Any]] = {}
    for c, lab in enumerate(labels):
        counts = [pair_span_f1(data, a, b, "exact").per_label.get(lab) for a, b in data.pairs]
        counts = [x for x in counts if x is not None]
        entry = {m.name: nan_to_none(results[m.name].labels.get(lab)) for m in measures.with_scope("label")}
        entry.update(
            tp=sum(x.tp for x in counts), fp=sum(x.fp for x in counts), fn=sum(x.fn for x in counts),
            spans={names[a]: int(span_counts[a, c]) for a in range(n_ann)},
        )
        per_label[lab] = entry
    return overall, pairs, per_label


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
    doc_ids, presence = _compared_documents(store, names, all_docs)
    n_docs = len(doc_ids)
    steps = measures.all()
    total = n_docs + len(steps) + 3
    yield Progress(0, total, "reading documents", unit="step")
    if n_docs == 0:
        notes.append(
            "no document was marked done by at least two of the compared annotators"
            " (use --all-docs to compare every document)"
        )
    docs = yield from _read_documents(store, doc_ids, total)
    no_tokens = int((docs.n_ints == 0).sum())
    if no_tokens:
        notes.append(f"{no_tokens} compared document(s) have no stored tokens; token measures skip them")
    yield Progress(n_docs + 1, total, "reading annotations", unit="step")
    base = docs.base()
    label_names, sp, sp_doc = _span_rows(store, names, label_filter, doc_ids, presence)
    rel_names, rel_keys, rel_ann = _relation_rows(store, names, sp, sp_doc)
    codes = _token_codes(len(names), presence, base, _tokens(docs, base), sp, sp_doc)
    data = AgreementData(
        list(names), label_names, presence, docs.lengths, sp_doc, sp[:, 2], sp[:, 3], sp[:, 4], sp[:, 5],
        rel_names, rel_keys, rel_ann, [OUTSIDE, *label_names], codes,
    )
    results: dict[str, MeasureValues] = {}
    for k, measure in enumerate(steps):
        yield Progress(n_docs + 2 + k, total, measure.title, unit="step")
        results[measure.name] = measure.compute(data)
        notes.extend(results[measure.name].notes)
    if n_docs and not any(data.pair_documents(a, b).any() for a, b in data.pairs):
        notes.append("no pair of annotators finished a common document")
    yield Progress(total - 1, total, "disagreements", unit="step")
    disagreements = _disagreements(
        doc_ids, docs.names, docs.texts, base, presence, sp_doc, sp[:, 2], sp[:, 3], sp[:, 4], sp[:, 5],
        names, label_names,
    )
    overall, pairs, per_label = _assemble(data, results)
    report = {
        "documents": n_docs,
        "annotators": list(names),
        "labels": label_names,
        "all_docs": bool(all_docs),
        "overall": overall,
        "pairs": pairs,
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


def format_report(report: dict[str, Any]) -> str:
    """A readable plain-text rendering of a report (what the CLI prints without ``--json``):
    the overall value of each registered measure, then the pairs and the labels with one column
    per measure that has values there."""
    lines: list[str] = []
    o = report["overall"]
    lines.append(
        f"Agreement of {', '.join(report['annotators'])} on {report['documents']} document(s)"
        f"{' (all documents)' if report.get('all_docs') else ''}"
    )
    lines.append("")
    lines.append("Overall")
    rows = [(m.title, m.text(o.get(m.name))) for m in measures.with_scope("overall")]
    width = max((len(r[0]) for r in rows), default=0)
    for name, value in rows:
        lines.append(f"  {name:<{width}}  {value}")
    if report["pairs"]:
        pair_measures = measures.with_scope("pair")
        lines.append("")
        lines.append("Pairs")
        head = ("a", "b", "docs", *(m.short for m in pair_measures))
        table = [
            (p["a"], p["b"], str(p["documents"]), *(m.text(p.get(m.name)) for m in pair_measures))
            for p in report["pairs"]
        ]
        lines.extend(_table(head, table, text_columns=2))
    if report["per_label"]:
        label_measures = measures.with_scope("label")
        lines.append("")
        lines.append("Per label")
        head = ("label", *(m.short for m in label_measures), "tp", "fp", "fn")
        table = [
            (lab, *(m.text(v.get(m.name)) for m in label_measures), str(v["tp"]), str(v["fp"]), str(v["fn"]))
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
