"""Prodigy JSONL (``ner.manual``, ``rel.manual``, ``db-out`` output, and this program's export).

Each line: ``text``; optional ``tokens`` (``{"text", "start", "end", "id", "ws"}``, kept as the
document's tokens); ``spans`` (char ``start``/``end`` end exclusive, ``token_start``/``token_end``
INCLUSIVE, ``label``); ``relations`` (``head``/``child`` = the token index of the LAST token
(``token_end``) of ``head_span``/``child_span``, ``label``); ``meta``; ``_annotator_id`` (names
the layer); ``answer`` (``accept``/``reject``/``ignore``).

Answers keep their meaning:

* a rejected or ignored example is imported as a document without annotations, with its answer
  (the exports never write it as a negative example; the JSONL export writes the answer back);
* a binary example (``"_view_id": "ner"``, what ``ner.teach`` and other binary recipes write)
  confirms or rejects the spans shown and says nothing about the rest of the text: an accept is a
  *partial* annotation (``ImportRecord.partial``: the spaCy export marks the other tokens as
  missing, not outside an entity), and the spans of a binary reject are remembered as rejected
  for the annotator (:attr:`ImportRecord.rejected`) instead of becoming entities;
* a span with its own ``"answer": "reject"`` (or ``"ignore"``) inside an accepted example is not
  an entity: a rejected one is remembered as rejected, and relations to it are left out with a
  warning.

A relation whose ``head_span``/``child_span`` is not among ``spans`` adds that span; a relation
that names neither a known span nor one by its token index is an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from corpus.errors import InputError
from corpus.formats.jsonl import (
    JSON_SUFFIXES,
    first_json_object,
    iter_json_objects,
    json_candidate,
    record_meta,
    record_name,
    require_text,
)
from corpus.formats.records import ImportRecord, RawRelation, RawSpan, check_relations, check_spans
from corpus.formats.registry import Format, register

__all__ = ["read_prodigy", "sniff_prodigy"]

ANSWERS = ("accept", "reject", "ignore")


def _tokens(obj: Mapping[str, Any], text: str, path: str, line: int) -> tuple[tuple[int, int], ...] | None:
    toks = obj.get("tokens")
    if not toks:
        return None
    if not isinstance(toks, list):
        raise InputError(path, "\"tokens\" must be a list", line)
    out: list[tuple[int, int]] = []
    prev_end = 0
    for t in toks:
        if not isinstance(t, dict) or "start" not in t or "end" not in t:
            raise InputError(path, "each token needs \"start\" and \"end\"", line)
        s, e = t["start"], t["end"]
        if not isinstance(s, int) or not isinstance(e, int) or s < prev_end or e <= s or e > len(text):
            raise InputError(path, f"token {t.get('id', len(out))} has bad offsets {s}-{e}", line)
        out.append((s, e))
        prev_end = e
    return tuple(out)


def _span_tuple(sp: Any, path: str, line: int) -> tuple[Any, Any, Any]:
    if not isinstance(sp, dict):
        raise InputError(path, f"a span must be an object, got {sp!r}", line)
    if "start" not in sp or "end" not in sp:
        raise InputError(path, "a span needs character \"start\" and \"end\"", line)
    return (sp["start"], sp["end"], sp.get("label"))


def read_prodigy(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8", skip_lines: frozenset[int] = frozenset()
) -> Iterator[ImportRecord]:
    """Yield one record per Prodigy task (see the module docstring for the mapping)."""
    p = str(path)
    stem = Path(path).stem
    for lineno, obj in iter_json_objects(path, encoding, skip_lines):
        text = require_text(obj, p, lineno)
        meta = record_meta(obj, p, lineno)
        answer = obj.get("answer")
        if answer is not None and answer not in ANSWERS:
            raise InputError(p, f"unknown answer {answer!r} (expected accept, reject or ignore)", lineno)
        annotator = obj.get("_annotator_id")
        annotator = str(annotator).strip() if annotator not in (None, "") else None
        tokens = _tokens(obj, text, p, lineno)
        raw_spans = obj.get("spans") or []
        raw_rels = obj.get("relations") or []
        if not isinstance(raw_spans, list) or not isinstance(raw_rels, list):
            raise InputError(p, "\"spans\" and \"relations\" must be lists", lineno)
        spans = list(check_spans(text, [_span_tuple(s, p, lineno) for s in raw_spans], p, lineno))
        ends = {}  # token_end -> span index (first one wins)
        for i, sp in enumerate(raw_spans):
            te = sp.get("token_end")
            if isinstance(te, int):
                ends.setdefault(te, i)
        index = {sp: i for i, sp in reversed(list(enumerate(spans)))}

        def resolve(rel: Mapping[str, Any], role: str) -> int:
            sp = rel.get(f"{role}_span")
            if isinstance(sp, dict) and "start" in sp and "end" in sp:
                key = check_spans(text, [_span_tuple(sp, p, lineno)], p, lineno)[0]
                if key not in index:
                    index[key] = len(spans)
                    spans.append(key)
                return index[key]
            tok = rel.get(role)
            if isinstance(tok, int) and tok in ends:
                return ends[tok]
            raise InputError(
                p, f"relation {rel.get('label')!r} points to a {role} span that does not exist", lineno
            )

        rels = []
        for rel in raw_rels:
            if not isinstance(rel, dict):
                raise InputError(p, f"a relation must be an object, got {rel!r}", lineno)
            rels.append((resolve(rel, "head"), resolve(rel, "child"), rel.get("label")))
        relations = check_relations(rels, len(spans), p, lineno)
        accepted = answer is None or answer == "accept"
        binary = obj.get("_view_id") == "ner"
        spans, relations, rejected, warnings = _span_answers(raw_spans, spans, relations, p, lineno)
        if binary and answer == "reject":
            rejected = rejected + tuple(spans)
        yield ImportRecord(
            text=text,
            source=p,
            line=lineno,
            name=record_name(obj, meta, f"{stem}:{lineno}"),
            meta=meta,
            tokens=tokens,
            spans=tuple(spans) if accepted else (),
            relations=relations if accepted else (),
            annotated=True,
            annotator=annotator,
            answer=answer,
            partial=accepted and binary,
            rejected=rejected,
            warnings=warnings,
        )


def _span_answers(
    raw_spans: Sequence[Any], spans: list[RawSpan], relations: Sequence[RawRelation], path: str, line: int
) -> tuple[list[RawSpan], tuple[RawRelation, ...], tuple[RawSpan, ...], tuple[str, ...]]:
    """Spans without their own reject/ignore answer, the relations between those, the spans
    rejected one by one, and a warning for relations left out."""
    own = [sp.get("answer") if isinstance(sp, dict) else None for sp in raw_spans]
    declined = {i for i, a in enumerate(own) if a in ("reject", "ignore")}
    if not declined:
        return spans, tuple(relations), (), ()
    rejected = tuple(spans[i] for i in sorted(declined) if own[i] == "reject")
    new_index: dict[int, int] = {}
    kept: list[RawSpan] = []
    for i, sp in enumerate(spans):
        if i not in declined:
            new_index[i] = len(kept)
            kept.append(sp)
    rels = tuple((new_index[h], new_index[c], lab) for h, c, lab in relations if h in new_index and c in new_index)
    warnings: tuple[str, ...] = ()
    if len(rels) < len(relations):
        warnings = (f"{path}, line {line}: {len(relations) - len(rels)} relation(s) to spans answered "
                    "reject/ignore left out",)
    return kept, rels, rejected, warnings


#: Keys only Prodigy's tasks carry (a first record holding one is Prodigy's).
_KEYS = ("spans", "tokens", "answer", "_input_hash", "_task_hash", "_annotator_id")
#: The same, looked for in the raw text of a first line too long or broken to parse.
_RAW_KEYS = ("_input_hash", "_task_hash", "_view_id", "tokens", "spans")


def sniff_prodigy(path: Path, lines: Sequence[str]) -> float:
    """A JSON-looking file whose first record has Prodigy's keys."""
    if not json_candidate(path, lines):
        return 0.0
    obj = first_json_object(lines)
    if obj is None:
        head = lines[0].lstrip()[:2000]
        return 0.9 if any(f'"{k}"' in head for k in _RAW_KEYS) else 0.0
    return 0.9 if any(k in obj for k in _KEYS) else 0.0


register(Format(
    name="prodigy",
    description="Prodigy JSONL",
    suffixes=JSON_SUFFIXES,
    sniff=sniff_prodigy,
    reader=read_prodigy,
))
