"""spaCy DocBin files (``.spacy``): ``spacy convert`` output, Prodigy ``data-to-spacy``,
Explosion's project assets, and this program's own spaCy export.

One record per ``Doc``:

* the text is ``doc.text`` and the tokens are the stored tokens, exactly (whitespace tokens
  included); sentence boundaries are kept when the file has them;
* spans: ``doc.ents`` and every span group ``doc.spans[key]``, in one layer, each distinct
  ``(start, end, label)`` once (this program's export writes the same spans to both), with its
  knowledge-base id (``kb_id_``, the first one seen when ents and a group disagree);
* relations: ``doc._.rel`` as this program's export (and Explosion's relation-extraction
  tutorial) writes it, ``{(head start token, child start token): {label: score}}``; an entry
  with a score of at least :data:`REL_THRESHOLD` is a relation between the spans that start on
  those tokens (the longest one when several do); an entry whose tokens start no span is named
  in a warning;
* the document name is ``user_data["name"]`` when a tool stored one, else ``<file stem>:<n>``.

Not kept, and named in a warning once per file (never dropped silently): ``doc.cats`` and tokens marked missing
in ``doc.ents`` (spaCy's "unknown" NER annotation, e.g. from binary Prodigy answers: they are
read as outside an entity).

spaCy is imported when a file is read, not when the format is registered.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from corpus.errors import InputError
from corpus.formats.records import ImportRecord, check_relations, check_spans
from corpus.formats.registry import Format, register

__all__ = ["REL_THRESHOLD", "read_docbin", "sniff_docbin"]

#: A ``doc._.rel`` score at or above this is a relation (the export writes 1.0 / 0.0).
REL_THRESHOLD = 0.5
_REL_KEY = ("._.", "rel", None, None)


def _load_docs(path: Path) -> Iterator[Any]:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    p = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(p, f"cannot read file ({exc.strerror or exc})") from None
    if not data:
        raise InputError(p, "empty file")
    try:
        bin_ = DocBin().from_bytes(data)
    except Exception as exc:  # zlib, msgpack or a wrong layout: spaCy raises several kinds
        raise InputError(p, f"not a spaCy DocBin file ({type(exc).__name__}: {exc})".splitlines()[0]) from None
    return bin_.get_docs(Vocab())


def _spans_of(doc: Any) -> tuple[list[tuple[int, int, int, str]], dict[tuple[int, int, str], str]]:
    """``(start_token, start_char, end_char, label)`` of ents and span groups, each once,
    in order of position, and the kb id of those that have one."""
    seen: dict[tuple[int, int, str], tuple[int, int, int, str]] = {}
    kb_ids: dict[tuple[int, int, str], str] = {}
    groups = [doc.ents, *doc.spans.values()]
    for group in groups:
        for sp in group:
            if not sp.label_:
                continue
            key = (sp.start_char, sp.end_char, sp.label_)
            if key not in seen:
                seen[key] = (sp.start, sp.start_char, sp.end_char, sp.label_)
            if sp.kb_id_ and key not in kb_ids:
                kb_ids[key] = sp.kb_id_
    return sorted(seen.values(), key=lambda t: (t[1], -t[2], t[3])), kb_ids


def _relations(
    doc: Any, spans: Sequence[tuple[int, int, int, str]], warn: list[str], where: str
) -> list[tuple[int, int, str]]:
    rel = doc.user_data.get(_REL_KEY)
    if not isinstance(rel, dict) or not rel:
        return []
    at: dict[int, int] = {}
    for i, (tok, s, e, _) in enumerate(spans):
        best = at.get(tok)
        if best is None or e - s > spans[best][2] - spans[best][1]:
            at[tok] = i
    out: list[tuple[int, int, str]] = []
    unplaced = 0
    for pair, scores in rel.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not isinstance(scores, dict):
            raise InputError(where, "doc._.rel must map (head token, child token) to {label: score}")
        positive = [lab for lab, v in scores.items() if isinstance(v, (int, float)) and v >= REL_THRESHOLD]
        if not positive:
            continue
        h, c = at.get(pair[0]), at.get(pair[1])
        if h is None or c is None:
            unplaced += len(positive)
            continue
        out.extend((h, c, str(lab)) for lab in positive)
    if unplaced:
        warn.append(f"{where}: {unplaced} relation(s) in doc._.rel start on tokens that start no span; not imported")
    return out


def _file_remarks(doc: Any, noted: set[str], where: str) -> list[str]:
    """What this document holds that is not kept, each kind named once per file."""
    out: list[str] = []
    kinds = {
        "cats": bool(doc.cats),
        "missing": doc.has_annotation("ENT_IOB") and any(t.ent_iob == 0 for t in doc),
    }
    text = {
        "cats": "text categories (doc.cats) are not read",
        "missing": "tokens marked as missing NER annotation are read as outside an entity",
    }
    for kind, present in kinds.items():
        if present and kind not in noted:
            noted.add(kind)
            out.append(f"{where}: {text[kind]} (first seen here)")
    return out


def read_docbin(path: str | Path, name: str | None = None) -> Iterator[ImportRecord]:
    """Yield one record per ``Doc`` of a ``.spacy`` file (see the module docstring)."""
    p = Path(path)
    src, stem = str(p), p.stem
    noted: set[str] = set()
    for n, doc in enumerate(_load_docs(p), start=1):
        where = f"{src}, document {n}"
        text = doc.text
        if not text.strip():
            raise InputError(src, f"document {n} has no text")
        warn = _file_remarks(doc, noted, where)
        tokens = tuple((t.idx, t.idx + len(t.text)) for t in doc)
        sents = tuple((s.start_char, s.end_char) for s in doc.sents) if doc.has_annotation("SENT_START") else None
        spans, kb_ids = _spans_of(doc)
        relations = _relations(doc, spans, warn, where)
        checked = check_spans(text, [(s, e, lab) for _, s, e, lab in spans], src, None)
        user_name = doc.user_data.get("name")
        yield ImportRecord(
            text=text, source=src, line=None,
            name=str(user_name) if isinstance(user_name, (str, int)) and str(user_name).strip() else f"{stem}:{n}",
            tokens=tokens, sents=sents, spans=checked,
            relations=check_relations(relations, len(checked), src, None),
            annotated=True, warnings=tuple(warn),
            span_info={key: (kb, ()) for key, kb in kb_ids.items()},
        )


def sniff_docbin(path: Path, lines: Sequence[str]) -> float:
    """A ``.spacy`` file (decided by its extension: the content is compressed binary)."""
    return 1.0 if Path(path).suffix.lower() == ".spacy" else 0.0


register(Format(
    name="spacy",
    description="spaCy DocBin",
    suffixes=(".spacy",),
    sniff=sniff_docbin,
    reader=read_docbin,
    suffix_decides=True,
))
