"""CoNLL-style token-per-line NER files (and spaCy's one-sentence-per-line ``word|tag`` IOB).

Column files: 2 to 4 columns per line (``word [POS [chunk]] NE``), separated by tabs or spaces
(a line containing a tab is split on tabs, otherwise on runs of spaces); the first column is the
token and the last the tag. A blank line ends a sentence; a ``-DOCSTART-`` line starts a new
document. A file without ``-DOCSTART-`` is one document (named by the file stem); documents
after the first ``-DOCSTART-`` are named ``<stem>:<n>``.

Pipe files (every field of a line looks like ``word|tag`` or ``word|POS|tag``): one sentence per
line.

Tags: IOB1, IOB2, BILOU/BIOES and plain ``IO`` tags are all read by one decoder: ``B``/``U``/``S``
start an entity, ``I``/``L``/``E`` continue the open entity of the same label or start one,
``L``/``E``/``U``/``S`` close it, ``O`` closes it.

Dependency treebanks (CoNLL-X, CoNLL-U: 10 tab-separated columns starting with a token ID, and
CoNLL-U's ``# sent_id``/``# text`` comments) are refused by name, with the line: their first
column is an ID, not a word, and their last is not an entity tag column (NorNE-style files keep
NER tags in MISC; ``spacy convert --converter conllu`` reads those, and its ``.spacy`` output
imports here).

Text: tokens joined by single spaces, sentences by a newline (``"I like London .\\nIt rains ."``).
Tokens and sentence boundaries come from the file, never from a tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from corpus.errors import InputError
from corpus.formats.records import ImportRecord, iter_text_lines
from corpus.formats.registry import Format, register
from corpus.formats.txt import TEXT_SUFFIXES

__all__ = [
    "dependency_format", "read_conll", "decode_tags", "is_pipe_line", "looks_conll", "sniff_conll", "CONLL_SUFFIXES"]

#: Extensions that are CoNLL whatever the first line says.
CONLL_SUFFIXES = (".conll", ".conllx", ".conll03", ".iob", ".iob2", ".bio", ".bilou", ".tsv")

_TAG = re.compile(r"^(O|[BIELUS][-_]\S+)$")

DOCSTART = "-DOCSTART-"


def is_pipe_line(line: str) -> bool:
    """True for a line of spaCy's ``word|tag`` IOB format (every field holds a ``|``)."""
    fields = line.split()
    return bool(fields) and "\t" not in line and all("|" in f and not f.startswith("|") for f in fields)


def _split_tag(tag: str) -> tuple[str, str]:
    if tag == "O" or tag == "-" or tag == "_":
        return "O", ""
    if len(tag) > 2 and tag[1] in "-_" and tag[0] in "BILUES":
        return tag[0], tag[2:]
    raise ValueError(tag)


def check_tag(tag: str) -> str | None:
    """``None`` when ``tag`` is an entity tag (``O``, ``B-X``, ``I-X``, ``L-X``, ``U-X``, ``E-X``,
    ``S-X``), else the reason it is not one. Like spaCy's converters, bare labels are refused: a
    last column of part-of-speech tags (``NNP``) must not become entity labels."""
    try:
        _split_tag(tag)
    except ValueError:
        return (
            f"{tag!r} is not an IOB/BILOU entity tag (expected O, B-LABEL, I-LABEL, L-LABEL or "
            "U-LABEL in the last column)"
        )
    return None


def decode_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entity spans ``(first_token, last_token_exclusive, label)`` from IOB1/IOB2/BILOU tags."""
    out: list[tuple[int, int, str]] = []
    start: int | None = None
    label = ""
    for i, tag in enumerate(tags):
        prefix, lab = _split_tag(tag)
        if prefix == "O":
            if start is not None:
                out.append((start, i, label))
                start = None
            continue
        if prefix in "BUS" or start is None or lab != label:
            if start is not None:
                out.append((start, i, label))
            start, label = i, lab
        if prefix in "LEUS":
            out.append((start, i + 1, label))
            start = None
    if start is not None:
        out.append((start, len(tags), label))
    return out


class _DocBuilder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.tokens: list[tuple[int, int]] = []
        self.sents: list[tuple[int, int]] = []
        self.spans: list[tuple[int, int, str]] = []
        self.line: int | None = None

    def add_sentence(self, words: Sequence[str], tags: Sequence[str]) -> None:
        if not words:
            return
        if self.parts:
            self.parts.append("\n")
            self.pos += 1
        first = len(self.tokens)
        for j, w in enumerate(words):
            if j:
                self.parts.append(" ")
                self.pos += 1
            self.tokens.append((self.pos, self.pos + len(w)))
            self.parts.append(w)
            self.pos += len(w)
        self.sents.append((self.tokens[first][0], self.pos))
        for a, b, lab in decode_tags(tags):
            self.spans.append((self.tokens[first + a][0], self.tokens[first + b - 1][1], lab))

    @property
    def empty(self) -> bool:
        return not self.tokens


_UD_ID = re.compile(r"^\d+([-.]\d+)?$")
_UD_COMMENTS = ("# sent_id", "# text", "# newdoc", "# newpar", "# global.columns")


def dependency_format(line: str) -> str | None:
    """``"CoNLL-U"`` or ``"CoNLL-X"`` when ``line`` is a token line (or a CoNLL-U comment) of a
    dependency treebank, else ``None``."""
    s = line.strip()
    if s.startswith(_UD_COMMENTS):
        return "CoNLL-U"
    cols = line.rstrip("\r\n").split("\t")
    if len(cols) != 10 or not _UD_ID.match(cols[0].strip()):
        return None
    multiword_or_empty = _UD_ID.match(cols[0].strip()).group(1) is not None  # "3-4", "5.1"
    if multiword_or_empty or "=" in cols[5] or "=" in cols[9]:
        return "CoNLL-U"
    return "CoNLL-X"


def _refuse_treebank(path: str, kind: str, line: str, lineno: int) -> InputError:
    return InputError(
        path,
        f"{kind} (a dependency treebank: ID FORM LEMMA ... in 10 tab-separated columns) is not a CoNLL "
        "NER file (word [POS [chunk]] TAG); for entity tags kept in its MISC column run `python -m spacy "
        f"convert FILE OUT --converter conllu` and import the .spacy file; the line: {line.strip()[:60]!r}",
        lineno,
    )


def read_conll(
    path: str | Path, name: str | None = None, *, encoding: str = "utf-8", skip_lines: frozenset[int] = frozenset()
) -> Iterator[ImportRecord]:
    """Yield the documents of a CoNLL (column or pipe) file; a document holding a line of
    ``skip_lines`` (a bad line the importer steps over) is left out whole."""
    p = str(path)
    stem = Path(path).stem
    doc = _DocBuilder()
    words: list[str] = []
    tags: list[str] = []
    n_docs = 0
    had_docstart = False
    pipe: bool | None = None

    def finish(builder: _DocBuilder) -> ImportRecord:
        nonlocal n_docs
        n_docs += 1
        name = stem if not had_docstart or n_docs == 1 else f"{stem}:{n_docs}"
        return ImportRecord(
            text="".join(builder.parts), source=p, line=builder.line, name=name,
            tokens=tuple(builder.tokens), sents=tuple(builder.sents), spans=tuple(builder.spans),
            annotated=True,
        )

    bad_doc = False
    for lineno, line in iter_text_lines(path, encoding):
        stripped = line.strip()
        if lineno in skip_lines:
            bad_doc = True
            continue
        if not stripped:
            doc.add_sentence(words, tags)
            words, tags = [], []
            continue
        treebank = dependency_format(line)
        if treebank:
            raise _refuse_treebank(p, treebank, line, lineno)
        first = stripped.split(None, 1)[0]
        if first == DOCSTART or first.startswith(DOCSTART + "|"):
            doc.add_sentence(words, tags)
            words, tags = [], []
            if not doc.empty and not bad_doc:
                yield finish(doc)
            elif bad_doc:
                n_docs += 1  # keep the names of the documents after it
            doc, bad_doc = _DocBuilder(), False
            had_docstart = True
            continue
        if pipe is None:
            pipe = is_pipe_line(stripped)
        if doc.line is None:
            doc.line = lineno
        if pipe:
            doc.add_sentence(words, tags)
            words, tags = [], []
            for field in stripped.split():
                parts = field.split("|")
                if len(parts) < 2 or not parts[0]:
                    raise InputError(p, f"expected word|tag, got {field!r}", lineno)
                problem = check_tag(parts[-1])
                if problem:
                    raise InputError(p, problem, lineno)
                words.append(parts[0])
                tags.append(parts[-1])
            doc.add_sentence(words, tags)
            words, tags = [], []
            continue
        cols = stripped.split("\t") if "\t" in stripped else stripped.split()
        cols = [c.strip() for c in cols]
        if len(cols) < 2 or not cols[0] or not cols[-1]:
            raise InputError(p, f"expected 2 to 4 columns (word ... tag), got {stripped[:40]!r}", lineno)
        problem = check_tag(cols[-1])
        if problem:
            raise InputError(p, problem, lineno)
        words.append(cols[0])
        tags.append(cols[-1])
    doc.add_sentence(words, tags)
    if not doc.empty and not bad_doc:
        yield finish(doc)
    elif n_docs == 0 and not bad_doc:
        raise InputError(p, "no tokens found")


def looks_conll(lines: Sequence[str]) -> bool:
    """True when the first lines are ``-DOCSTART-``, ``word|TAG`` pipes, or 2-4 column rows whose
    last column is an IOB/BILOU tag."""
    first = lines[0].strip()
    if first.startswith(DOCSTART):
        return True
    if is_pipe_line(first) and all(_TAG.match(f.split("|")[-1]) for f in first.split()):
        return True
    for line in lines:
        s = line.strip()
        cols = s.split("\t") if "\t" in s else s.split()
        if not (2 <= len(cols) <= 4) or not _TAG.match(cols[-1].strip()):
            return False
    return True


def sniff_conll(path: Path, lines: Sequence[str]) -> float:
    """Certain for a CoNLL extension; else likely when the first lines look like CoNLL rows
    (below a JSON-shaped file: a ``.jsonl`` is JSON whatever its lines look like)."""
    if Path(path).suffix.lower() in CONLL_SUFFIXES:
        return 1.0
    if any(dependency_format(line) for line in lines):
        return 0.45  # read by the CoNLL reader, which refuses it by name
    return 0.4 if looks_conll(lines) else 0.0


register(Format(
    name="conll",
    description="CoNLL",
    suffixes=CONLL_SUFFIXES,
    folder_suffixes=CONLL_SUFFIXES + TEXT_SUFFIXES,
    sniff=sniff_conll,
    reader=read_conll,
    suffix_decides=True,
))
