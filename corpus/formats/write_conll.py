"""CoNLL-2003 text: ``word POS chunk NE`` (or ``word NE`` with two columns).

Layout, as the CoNLL-2003 shared task files (and conlleval.pl, seqeval and ``spacy convert
--converter ner``) expect it:

* every document starts with ``-DOCSTART- -X- O O`` followed by a blank line (with two columns
  too): the document delimiter ``spacy convert`` recognises (it reads CoNLL-2003's own
  ``-DOCSTART- -X- -X- O`` as a one-word sentence and regroups the sentences itself);
  conlleval.pl and seqeval read it as an ``O`` token as they read the original line; every
  sentence is followed by a blank line;
* fields are separated by ONE space (conlleval splits on spaces);
* sentences are the stored sentence boundaries; sentences that an entity crosses are joined so an
  entity is never cut in two;
* whitespace tokens (newlines, runs of spaces) are skipped; a token with whitespace inside it
  (possible with pre-tokenised imports) has each whitespace character replaced by ``_``;
* the POS column is ``-X-`` (the placeholder CoNLL-2003 itself uses on ``-DOCSTART-`` lines)
  unless tags are given, the chunk column is ``O`` unless chunks are given;
* tags: IOB2 (default: every entity starts with ``B-``), IOB1 (``B-`` only for an entity right
  after another of the same type in the same sentence, as the original CoNLL-2003 data: a
  sentence's first entity starts with ``I-`` whatever ended the sentence before) or BILOU
  (``B- I- L- U-``);
  whitespace inside a label is replaced by ``_``.

Spans that do not sit on token boundaries are expanded to the tokens they touch (spaCy's
``alignment_mode="expand"``); overlapping spans cannot be written in one tag column, so the
longest (then earliest) are kept and the others are returned as ``dropped``. Nothing is left
out silently: :class:`ConllDocument` reports both.

Pure functions: no file or database access here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from corpus.model import Document, Span, is_token_aligned
from corpus.formats.write_jsonl import token_range

__all__ = ["SCHEMES", "DOCSTART", "ConllDocument", "conll_word", "conll_label", "tag_words", "conll_document"]

#: Tag schemes on offer.
SCHEMES = ("iob2", "iob1", "bilou")
#: Placeholder for the POS column when no tagger is used.
POS_PLACEHOLDER = "-X-"
#: Placeholder for the chunk column.
CHUNK_PLACEHOLDER = "O"
#: The document delimiter of ``spacy convert`` (conll_ner_to_docs), for both column counts.
DOCSTART = {4: "-DOCSTART- -X- O O\n\n", 2: "-DOCSTART- -X- O O\n\n"}

_WS = re.compile(r"\s")


@dataclass(frozen=True)
class ConllDocument:
    """One document as CoNLL text, and what had to be adapted to write it.

    ``expanded``: spans widened to token boundaries; ``dropped``: spans left out because they
    overlap a longer one (or cover only whitespace); ``renamed_tokens``: tokens whose inner
    whitespace became ``_``.
    """

    text: str
    words: int
    sentences: int
    entities: int
    expanded: tuple[Span, ...] = ()
    dropped: tuple[Span, ...] = ()
    renamed_tokens: int = 0


def conll_word(token_text: str) -> str:
    """A token as a CoNLL field: whitespace characters inside it become ``_``."""
    return _WS.sub("_", token_text)


def conll_label(label: str) -> str:
    """A label usable in a tag: whitespace characters become ``_``."""
    return _WS.sub("_", label)


def tag_words(
    n_words: int,
    entities: Sequence[tuple[int, int, str]],
    scheme: str = "iob2",
    sentence_starts: Collection[int] = (),
) -> list[str]:
    """Tags for ``n_words`` words given non-overlapping ``(first, last_inclusive, label)`` entities.

    ``sentence_starts`` (word indexes) matter to IOB1 only: an entity at a sentence start begins
    with ``I-`` even right after an entity of the same type (CoNLL-2003's own files)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tag scheme {scheme!r} (choose {', '.join(SCHEMES)})")
    tags = ["O"] * n_words
    prev_end, prev_label = -2, None
    for first, last, label in sorted(entities):
        lab = conll_label(label)
        if scheme == "bilou":
            if first == last:
                tags[first] = f"U-{lab}"
            else:
                tags[first] = f"B-{lab}"
                for k in range(first + 1, last):
                    tags[k] = f"I-{lab}"
                tags[last] = f"L-{lab}"
        else:
            for k in range(first, last + 1):
                tags[k] = f"I-{lab}"
            if scheme == "iob2" or (prev_end == first - 1 and prev_label == lab and first not in sentence_starts):
                tags[first] = f"B-{lab}"
        prev_end, prev_label = last, lab
    return tags


def _choose(candidates: list[tuple[int, int, Span]]) -> tuple[list[tuple[int, int, Span]], list[Span]]:
    """Longest first, then earliest (spaCy's ``filter_spans``): a non-overlapping subset."""
    order = sorted(candidates, key=lambda c: (-(c[1] - c[0]), c[0], c[2].label))
    taken: set[int] = set()
    kept: list[tuple[int, int, Span]] = []
    dropped: list[Span] = []
    for first, last, sp in order:
        if any(k in taken for k in range(first, last + 1)):
            dropped.append(sp)
            continue
        taken.update(range(first, last + 1))
        kept.append((first, last, sp))
    kept.sort(key=lambda c: c[0])
    dropped.sort(key=lambda s: (s.start, s.end, s.label))
    return kept, dropped


def conll_document(
    doc: Document,
    spans: Iterable[Span],
    scheme: str = "iob2",
    columns: int = 4,
    pos: Sequence[str] | None = None,
    chunks: Sequence[str] | None = None,
) -> ConllDocument:
    """``doc`` and one layer's ``spans`` as CoNLL lines (see the module docstring).

    ``pos``/``chunks``, when given, hold one tag per stored token (whitespace tokens included).
    """
    if columns not in (2, 4):
        raise ValueError(f"columns must be 2 or 4, got {columns}")
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tag scheme {scheme!r} (choose {', '.join(SCHEMES)})")
    text, tokens = doc.text, doc.tokens
    # Words: the stored tokens that are not whitespace; word_of maps token index -> word index.
    word_tok: list[int] = []
    word_of: dict[int, int] = {}
    for k, (s, e) in enumerate(tokens):
        if e > s and not text[s:e].isspace():
            word_of[k] = len(word_tok)
            word_tok.append(k)
    expanded: list[Span] = []
    unusable: list[Span] = []
    candidates: list[tuple[int, int, Span]] = []
    for sp in spans:
        ts, te = token_range(tokens, sp.start, sp.end)
        ws = [word_of[k] for k in range(ts, te + 1) if k in word_of]
        if not tokens or not ws:
            unusable.append(sp)
            continue
        if not is_token_aligned(tokens, sp.start, sp.end):
            expanded.append(sp)
        candidates.append((ws[0], ws[-1], sp))
    kept, dropped = _choose(candidates)

    # Sentence of each word, from the stored sentence starts; entities crossing a boundary join
    # the sentences they touch.
    starts = sorted(s for s, _ in doc.sents)
    sent_of: list[int] = []
    si = 0
    for k in word_tok:
        pos_char = tokens[k][0]
        while si + 1 < len(starts) and starts[si + 1] <= pos_char:
            si += 1
        sent_of.append(si)
    joined: set[int] = set()  # sentence s is joined with s + 1
    for first, last, _ in kept:
        joined.update(range(sent_of[first], sent_of[last]))
    merged: list[int] = []
    for w, s in enumerate(sent_of):
        if w and (s == sent_of[w - 1] or all(k in joined for k in range(sent_of[w - 1], s))):
            merged.append(merged[-1])
        else:
            merged.append(s)
    sent_of = merged
    starts_at = {w for w in range(len(sent_of)) if w == 0 or sent_of[w] != sent_of[w - 1]}
    tags = tag_words(len(word_tok), [(f, l, sp.label) for f, l, sp in kept], scheme, starts_at)

    lines: list[str] = [DOCSTART[columns]]
    renamed = 0
    n_sents = 0
    for w, k in enumerate(word_tok):
        if w > 0 and sent_of[w] != sent_of[w - 1]:
            lines.append("\n")
        if w == 0 or sent_of[w] != sent_of[w - 1]:
            n_sents += 1
        raw = text[tokens[k][0] : tokens[k][1]]
        word = conll_word(raw)
        renamed += word != raw
        if columns == 4:
            p = conll_word(pos[k]) if pos is not None and pos[k].strip() else POS_PLACEHOLDER
            c = conll_word(chunks[k]) if chunks is not None and chunks[k].strip() else CHUNK_PLACEHOLDER
            lines.append(f"{word} {p} {c} {tags[w]}\n")
        else:
            lines.append(f"{word} {tags[w]}\n")
    if word_tok:
        lines.append("\n")
    return ConllDocument(
        text="".join(lines),
        words=len(word_tok),
        sentences=n_sents,
        entities=len(kept),
        expanded=tuple(expanded),
        dropped=tuple(sorted(dropped + unusable, key=lambda s: (s.start, s.end, s.label))),
        renamed_tokens=renamed,
    )
