"""Whole-file JSON (a JSON array, or one pretty-printed object) and the formats written that way.

JSON Lines readers (:mod:`corpus.formats.jsonl` and the Prodigy/doccano readers) take one object
per line. Several tools write one JSON document per file instead:

* Label Studio's JSON export (an array of tasks with ``annotations``/``predictions``) and its
  JSON-MIN export (an array of flat records): :mod:`corpus.formats.label_studio`;
* spaCy v2's training JSON (an array of ``{"id", "paragraphs": [...]}``): read here;
* spaCy v2 ``TRAIN_DATA`` (an array of ``[text, {"entities": [[start, end, label], ...]}]``):
  read here;
* doccano's JSON export (an array of doccano records): read with the doccano rules.

:func:`json_document_kind` names the shape of a file from its first element;
:func:`read_json_document` reads it with the right reader. A shape no reader knows is refused
with one line saying what the file holds and which JSON formats are known, never with a bare
"expected a JSON object".

:func:`iter_json_document` streams the elements of the array with the line each one starts on,
so every error names the line as the JSONL readers do.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from corpus.errors import InputError
from corpus.formats.jsonl import _constant, _float, _NotJSON
from corpus.formats.records import BlankRecord, ImportRecord, check_json_value, check_spans, read_text_file
from corpus.formats.registry import Format, register

__all__ = [
    "KNOWN_JSON_FORMATS",
    "is_json_document",
    "iter_json_document",
    "json_document_kind",
    "read_json_document",
    "read_spacy_v2_json",
    "read_train_data",
    "cached_kind",
    "sniff_json_document",
]

#: What :func:`read_json_document` reads, for messages.
KNOWN_JSON_FORMATS = (
    "Label Studio JSON (tasks with \"annotations\"/\"predictions\"), Label Studio JSON-MIN, "
    "spaCy v2 JSON (\"paragraphs\"), spaCy TRAIN_DATA ([text, {\"entities\": ...}]), "
    "doccano JSON (\"text\" with \"label\" or \"entities\")"
)

_WS = " \t\r\n"


def is_json_document(path: str | Path) -> bool:
    """True when the file is one JSON document rather than JSON Lines: it starts with ``[``,
    or it starts with ``{`` and its first line is not a complete JSON value."""
    p = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise InputError(p, f"cannot read file ({exc.strerror or exc})") from None
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    stripped = head.lstrip()
    if stripped.startswith(b"["):
        return True
    if not stripped.startswith(b"{"):
        return False
    first = stripped.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip()
    if len(first) >= (1 << 16) - 8:
        return False  # a one-line object longer than the head: JSONL
    try:
        json.loads(first)
    except json.JSONDecodeError as exc:
        # Cut short at the end of the line: an object that goes on (pretty-printed JSON); broken
        # inside the line: a bad JSONL line, which the JSONL reader names.
        return exc.pos >= len(first) - 1 and b"\n" in stripped
    except (ValueError, RecursionError):
        return False  # a complete line JSON cannot hold (huge number, deep nesting): JSONL's to name
    return False


def _skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    return i


def iter_json_document(
    path: str | Path, *, encoding: str = "utf-8", skip_lines: frozenset[int] = frozenset()
) -> Iterator[tuple[int, Any]]:
    """Stream ``(line, element)`` of a JSON array file, or ``(1, object)`` for a single object.

    ``line`` is the 1-based line on which the element starts; elements starting on a line of
    ``skip_lines`` (bad records the importer steps over) are left out. Broken JSON raises
    :class:`InputError` naming the line.
    """
    p = str(path)
    text = read_text_file(path, encoding=encoding)
    decoder = json.JSONDecoder(parse_constant=_constant, parse_float=_float)
    line, pos = 1, 0

    def advance(to: int) -> None:
        nonlocal line, pos
        line += text.count("\n", pos, to)
        pos = to

    def decode(at: int) -> tuple[Any, int]:
        try:
            obj, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            advance(exc.pos)
            raise InputError(p, f"broken JSON: {exc.msg}", line) from None
        except _NotJSON as exc:
            raise InputError(p, f"not valid JSON: {exc}", line) from None
        except RecursionError:
            raise InputError(p, "JSON nested too deeply to read", line) from None
        except ValueError as exc:  # int() refuses numbers of more than 4300 digits
            raise InputError(p, f"a number too long to read ({str(exc).split(';')[0]})", line) from None
        check_json_value(obj, "", p, line)  # NUL characters, lone surrogates
        return obj, end

    i = _skip_ws(text, 0)
    advance(i)
    if not text.startswith("[", i):
        obj, end = decode(i)
        if text[_skip_ws(text, end):].strip():
            advance(_skip_ws(text, end))
            raise InputError(p, "extra data after the JSON document (JSON Lines need one object per line)", line)
        yield 1, obj
        return
    i = _skip_ws(text, i + 1)
    if text.startswith("]", i):
        return
    while True:
        advance(i)
        start_line = line
        obj, end = decode(i)
        if start_line not in skip_lines:
            yield start_line, obj
        i = _skip_ws(text, end)
        if text.startswith("]", i):
            return
        if not text.startswith(",", i):
            advance(min(i, len(text)))
            raise InputError(p, "broken JSON: expected ',' or ']' between array items", line)
        i = _skip_ws(text, i + 1)


def _kind_of(first: Any) -> str | None:
    """The format of a JSON document from its first element (``None``: unknown shape)."""
    from corpus.formats.label_studio import looks_like_label_studio, looks_like_label_studio_min

    if isinstance(first, list) and len(first) == 2 and isinstance(first[0], str) and isinstance(first[1], dict):
        return "train-data"
    if not isinstance(first, dict):
        return None
    if looks_like_label_studio(first):
        return "label-studio"
    if isinstance(first.get("paragraphs"), list):
        return "spacy-v2"
    if looks_like_label_studio_min(first):
        return "label-studio-min"
    if isinstance(first.get("text"), str) and ("entities" in first or "label" in first or "labels" in first):
        return "doccano"
    return None


def _describe(path: str, first: Any, n_items: int | None) -> str:
    if n_items is None:
        keys = ", ".join(sorted(first)[:8]) if isinstance(first, dict) else type(first).__name__
        return f"a JSON object (keys: {keys})"
    if isinstance(first, dict):
        keys = ", ".join(sorted(first)[:8])
        return f"a JSON array of {n_items} items (the first with keys: {keys})"
    return f"a JSON array of {n_items} items (the first a {type(first).__name__})"


def json_document_kind(path: str | Path, *, encoding: str = "utf-8") -> str:
    """``label-studio``, ``label-studio-min``, ``spacy-v2``, ``train-data`` or ``doccano`` for a
    whole-file JSON document; raises :class:`InputError` naming what the file holds otherwise."""
    p = str(path)
    items = iter_json_document(path, encoding=encoding)
    with open(path, "rb") as fh:
        is_array = fh.read(1 << 16).lstrip(b"\xef\xbb\xbf" + _WS.encode()).startswith(b"[")
    first: Any = None
    n = 0
    for _, obj in items:
        if n == 0:
            first = obj
        n += 1
        if not is_array or n > 1 and _kind_of(first) is not None:
            break
    if n == 0:
        raise InputError(p, "an empty JSON array: nothing to import")
    kind = _kind_of(first)
    if kind is None:
        if is_array:
            n += sum(1 for _ in items)
        raise InputError(
            p, f"{_describe(p, first, n if is_array else None)}; known JSON formats are {KNOWN_JSON_FORMATS}"
        )
    return kind


def _v2_doc(para: Mapping[str, Any], path: str, line: int) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int, str]]]:
    """Text, tokens, sentences and entity spans of one spaCy v2 paragraph."""
    from corpus.formats.conll import decode_tags

    parts: list[str] = []
    tokens: list[tuple[int, int]] = []
    sents: list[tuple[int, int]] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    raw = para.get("raw")
    for sent in para.get("sentences") or []:
        toks = sent.get("tokens") if isinstance(sent, dict) else None
        if not isinstance(toks, list) or not toks:
            continue
        first = len(tokens)
        tags: list[str] = []
        for tok in toks:
            orth = tok.get("orth") if isinstance(tok, dict) else None
            if not isinstance(orth, str) or not orth:
                raise InputError(path, "spaCy v2 JSON: every token needs an \"orth\"", line)
            if isinstance(raw, str):
                at = raw.find(orth, pos)
                if at < 0:
                    raise InputError(path, f"spaCy v2 JSON: token {orth!r} is not in \"raw\" after offset {pos}", line)
                pos = at
            elif parts:
                parts.append(" ")
                pos += 1
            tokens.append((pos, pos + len(orth)))
            if not isinstance(raw, str):
                parts.append(orth)
            pos += len(orth)
            ner = tok.get("ner", "O")
            tags.append("O" if ner in ("-", "", None) else str(ner))
        sents.append((tokens[first][0], tokens[-1][1]))
        try:
            decoded = decode_tags(tags)
        except ValueError as exc:
            raise InputError(path, f"spaCy v2 JSON: {exc.args[0]!r} is not a BILUO tag", line) from None
        spans.extend((tokens[first + a][0], tokens[first + b - 1][1], lab) for a, b, lab in decoded)
    text = raw if isinstance(raw, str) else "".join(parts)
    return text, tokens, sents, spans


def read_spacy_v2_json(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8",
    skip_lines: frozenset[int] = frozenset(),
) -> Iterator[ImportRecord]:
    """spaCy v2 training JSON: one document per paragraph, tokens as written, BILUO ``ner`` tags.

    With ``raw`` the paragraph text is kept exactly and tokens are found in it; without, tokens
    are joined by single spaces. ``-`` (missing) tags are read as ``O``."""
    p = str(path)
    stem = Path(path).stem
    for line, obj in iter_json_document(path, encoding=encoding, skip_lines=skip_lines):
        if not isinstance(obj, dict) or not isinstance(obj.get("paragraphs"), list):
            raise InputError(p, "spaCy v2 JSON: expected {\"id\", \"paragraphs\": [...]}", line)
        for k, para in enumerate(obj["paragraphs"]):
            if not isinstance(para, dict):
                raise InputError(p, "spaCy v2 JSON: a paragraph must be an object", line)
            text, tokens, sents, spans = _v2_doc(para, p, line)
            if not tokens or not text.strip():
                continue
            yield ImportRecord(
                text=text, source=p, line=line, name=f"{stem}:{obj.get('id', line)}:{k}",
                tokens=tuple(tokens), sents=tuple(sents),
                spans=check_spans(text, spans, p, line), annotated=True,
            )


def read_train_data(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8",
    skip_lines: frozenset[int] = frozenset(),
) -> Iterator[ImportRecord]:
    """spaCy v2 ``TRAIN_DATA`` saved as JSON: ``[[text, {"entities": [[start, end, label]]}], ...]``.

    Character offsets, end exclusive. Other annotation keys (``cats``, ``heads``, ``deps``...)
    are named in a warning, once per file."""
    p = str(path)
    stem = Path(path).stem
    warned = False
    for n, (line, item) in enumerate(iter_json_document(path, encoding=encoding, skip_lines=skip_lines), start=1):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict)):
            raise InputError(p, "TRAIN_DATA: expected [text, {\"entities\": [...]}]", line)
        text, annots = item
        if not text.strip():
            raise BlankRecord(p, "the text is empty or only whitespace", line)
        ents = annots.get("entities") or []
        if not isinstance(ents, list) or not all(isinstance(e, list) and len(e) == 3 for e in ents):
            raise InputError(p, "TRAIN_DATA: \"entities\" must be a list of [start, end, label]", line)
        other = sorted(k for k in annots if k != "entities")
        warnings: tuple[str, ...] = ()
        if other and not warned:
            warned = True
            warnings = (f"{p}, line {line}: TRAIN_DATA keys {', '.join(other)} are not read (only \"entities\")",)
        yield ImportRecord(
            text=text, source=p, line=line, name=f"{stem}:{n}",
            spans=check_spans(text, [tuple(e) for e in ents], p, line),  # type: ignore[misc]
            annotated=True, warnings=warnings,
        )


def _read_doccano_array(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8",
    skip_lines: frozenset[int] = frozenset(),
) -> Iterator[ImportRecord]:
    from corpus.formats.doccano import records_from_objects

    p = str(path)
    objs = []
    for line, obj in iter_json_document(path, encoding=encoding, skip_lines=skip_lines):
        if not isinstance(obj, dict):
            raise InputError(p, f"doccano JSON: expected an object, got {type(obj).__name__}", line)
        objs.append((line, obj))
    return records_from_objects(p, Path(path).stem, iter(objs))


def _readers() -> dict[str, Callable[..., Iterator[ImportRecord]]]:
    from corpus.formats.label_studio import read_label_studio, read_label_studio_min

    return {
        "label-studio": read_label_studio,
        "label-studio-min": read_label_studio_min,
        "spacy-v2": read_spacy_v2_json,
        "train-data": read_train_data,
        "doccano": _read_doccano_array,
    }


def read_json_document(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8",
    skip_lines: frozenset[int] = frozenset(),
) -> Iterator[ImportRecord]:
    """Read a whole-file JSON document with the reader of its shape (see the module docstring)."""
    kind = json_document_kind(path, encoding=encoding)
    return _readers()[kind](path, name, encoding=encoding, skip_lines=skip_lines)


_KIND_CACHE: dict[tuple[str, int, int], str | None] = {}


def cached_kind(path: Path) -> str | None:
    """:func:`json_document_kind` for sniffers: ``None`` for a file that is not a JSON document
    or is of an unknown shape (the reader names the problem), remembered per file version so
    the sniffers of several formats parse a file once."""
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _KIND_CACHE:
        kind: str | None = None
        try:
            if is_json_document(path):
                kind = json_document_kind(path)
        except InputError:
            kind = None
        if len(_KIND_CACHE) > 256:
            _KIND_CACHE.clear()
        _KIND_CACHE[key] = kind
    return _KIND_CACHE[key]


def sniff_json_document(path: Path, lines: Sequence[str]) -> float:
    """Any whole-file JSON document that Label Studio's formats do not claim: read by shape,
    or refused with a message naming what it holds (above the JSONL formats, which would only
    say that a line is not a JSON object)."""
    try:
        if not is_json_document(path):
            return 0.0
    except InputError:
        return 0.0
    return 0.0 if cached_kind(path) in ("label-studio", "label-studio-min") else 0.93


register(Format(
    name="json",
    description="JSON document (spaCy v2 JSON, TRAIN_DATA, doccano JSON)",
    suffixes=(".json",),
    sniff=sniff_json_document,
    reader=read_json_document,
))
