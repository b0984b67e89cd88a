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

Knowledge-base ids: a span's own ``kb_id`` (and ``attributes``, an object of texts and flags) are
kept; an entity-linking task (``nel.manual``: ``options`` to choose from and the chosen ids in
``accept``) gives its one span the one accepted id (the options are not kept; several ids or
spans are a warning). A review task (Prodigy's ``review`` recipe) carries ``versions``, each with
the ``sessions`` that annotated it: every session's version is one more record in the layer of
that session's annotator (the session id without its ``DATASET-`` prefix), so agreement can
compare them; the task itself (the reviewed answer) stays in its own layer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from corpus.errors import InputError
from corpus.model import normalise_attributes
from corpus.formats.jsonl import (
    JSON_SUFFIXES,
    first_json_object,
    iter_json_objects,
    json_candidate,
    record_meta,
    record_name,
    require_text,
)
from corpus.formats.records import ImportRecord, RawRelation, RawSpan, SpanInfo, check_relations, check_spans
from corpus.formats.registry import Format, register

__all__ = ["read_prodigy", "sniff_prodigy", "session_annotator"]

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
    """Yield one record per Prodigy task (see the module docstring for the mapping), and one
    more per annotator of a review task's ``versions``."""
    p = str(path)
    stem = Path(path).stem
    for lineno, obj in iter_json_objects(path, encoding, skip_lines):
        record = _task_record(obj, p, lineno, stem)
        yield record
        yield from _version_records(obj, record, p, lineno, stem)


def _task_record(
    obj: Mapping[str, Any], p: str, lineno: int, stem: str, annotator: str | None = None,
    text: str | None = None,
) -> ImportRecord:
    """The record of one task (or one review version, with its ``annotator`` and the task's
    ``text``)."""
    text = require_text(obj, p, lineno) if text is None else text
    meta = record_meta(obj, p, lineno)
    answer = obj.get("answer")
    if answer is not None and answer not in ANSWERS:
        raise InputError(p, f"unknown answer {answer!r} (expected accept, reject or ignore)", lineno)
    if annotator is None:
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
    info = _span_info(obj, raw_spans, spans, p, lineno)
    spans, relations, rejected, warnings = _span_answers(raw_spans, spans, relations, p, lineno)
    info, nel_warnings = _nel_choice(obj, spans, info, p, lineno)
    if binary and answer == "reject":
        rejected = rejected + tuple(spans)
    return ImportRecord(
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
        warnings=warnings + nel_warnings,
        span_info=info if accepted else {},
    )


def _span_info(
    obj: Mapping[str, Any], raw_spans: Sequence[Any], spans: Sequence[RawSpan], p: str, lineno: int
) -> dict[RawSpan, SpanInfo]:
    """``kb_id`` and ``attributes`` written on spans (this program's export, spaCy-minded tools)."""
    out: dict[RawSpan, SpanInfo] = {}
    for raw, key in zip(raw_spans, spans):
        kb_id = raw.get("kb_id") or ""
        attributes = raw.get("attributes") or {}
        if not kb_id and not attributes:
            continue
        if not isinstance(kb_id, str) or not isinstance(attributes, dict):
            raise InputError(p, f"span {key[0]}-{key[1]}: \"kb_id\" must be text and \"attributes\" an object", lineno)
        try:
            out[key] = (kb_id, normalise_attributes(attributes))
        except ValueError as exc:
            raise InputError(p, f"span {key[0]}-{key[1]}: {exc}", lineno) from None
    return out


def _nel_choice(
    obj: Mapping[str, Any], spans: Sequence[RawSpan], info: dict[RawSpan, SpanInfo], p: str, lineno: int
) -> tuple[dict[RawSpan, SpanInfo], tuple[str, ...]]:
    """Prodigy NEL (``nel.manual``, a choice task over one span): the id in ``accept`` becomes
    that span's kb id. ``options`` (the candidates) are not kept."""
    accept = obj.get("accept")
    if "options" not in obj or accept is None or not spans:
        return info, ()
    if not isinstance(accept, list) or not all(isinstance(a, (str, int)) for a in accept):
        raise InputError(p, f"\"accept\" must be a list of option ids, got {accept!r}", lineno)
    if not accept:
        return info, ()
    if len(spans) != 1 or len(accept) != 1:
        return info, (f"{p}, line {lineno}: {len(accept)} accepted option(s) for {len(spans)} span(s): "
                      "no knowledge-base id kept (one option for one span expected)",)
    key = spans[0]
    attributes = info.get(key, ("", ()))[1]
    return {**info, key: (str(accept[0]), attributes)}, ()


def _version_records(
    obj: Mapping[str, Any], task: ImportRecord, p: str, lineno: int, stem: str
) -> Iterator[ImportRecord]:
    """A review task's ``versions`` (Prodigy's ``review`` recipe): one record per session of each
    version, in the layer of that session's annotator (:func:`session_annotator`)."""
    versions = obj.get("versions")
    if versions is None:
        return
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        raise InputError(p, "\"versions\" must be a list of objects (Prodigy's review output)", lineno)
    sessions = [str(s) for v in versions for s in (v.get("sessions") or [])]
    for k, version in enumerate(versions, start=1):
        names = version.get("sessions") or []
        if not isinstance(names, list) or not names:
            raise InputError(p, f"review version {k} names no \"sessions\" (who annotated it)", lineno)
        vtext = version.get("text", task.text)
        if vtext != task.text:
            raise InputError(p, f"review version {k} has another text than its task", lineno)
        for session in names:
            who = session_annotator(str(session), sessions)
            yield _task_record(version, p, lineno, stem, annotator=who, text=task.text)


def session_annotator(session: str, sessions: Sequence[str] = ()) -> str:
    """The annotator of a Prodigy session id (``DATASET-NAME``, e.g. ``ner_news-alice``): the part
    after the dataset prefix all ``sessions`` share, else the part after the last ``-``, else the
    whole id."""
    prefix = os.path.commonprefix(list(sessions)) if len(set(sessions)) > 1 else ""
    prefix = prefix[: prefix.rfind("-") + 1]
    if prefix and session.startswith(prefix) and session[len(prefix):]:
        return session[len(prefix):]
    head, dash, tail = session.rpartition("-")
    return tail if dash and head and tail else session


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
