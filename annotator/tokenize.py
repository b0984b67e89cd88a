"""Tokenisation and alignment: the project's spaCy tokenizer and offsets <-> spaCy ``Doc``.

Documents store their token and sentence boundaries as character offsets, computed once at
import by the project's tokenizer (a blank pipeline of the project language plus a
sentencizer: the same tokenization rules as the language's trained pipelines, so model
suggestions line up with stored tokens). Exporters and suggesters rebuild a spaCy ``Doc`` from
the stored offsets with :func:`doc_from_offsets`, so offsets always line up.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from corpus.model import Document, Offsets
from corpus.settings import DEFAULT_LANG

if TYPE_CHECKING:  # spaCy is imported when a tokenizer or a Doc is first needed, never at
    # start-up: the window paints before spaCy loads
    import spacy
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "DEFAULT_LANG",
    "project_tokenizer",
    "tokenize",
    "tokenize_many",
    "doc_from_offsets",
    "words_and_spaces",
    "offsets_from_words",
    "split_at_boundaries",
]



@lru_cache(maxsize=4)
def project_tokenizer(lang: str = DEFAULT_LANG) -> Language:
    """A blank pipeline for ``lang`` with a rule-based sentencizer (cached)."""
    import spacy

    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    return nlp


def _offsets(doc: Doc) -> tuple[tuple[Offsets, ...], tuple[Offsets, ...]]:
    from spacy.attrs import IDX, LENGTH

    # one array read instead of a Token object per token (4x faster on an import's hot path)
    arr = doc.to_array([IDX, LENGTH])
    starts = arr[:, 0]
    tokens = tuple(zip(starts.tolist(), (starts + arr[:, 1]).tolist()))
    sents = tuple((s.start_char, s.end_char) for s in doc.sents) if len(doc) else ()
    return tokens, sents


def tokenize(text: str, lang: str = DEFAULT_LANG) -> tuple[tuple[Offsets, ...], tuple[Offsets, ...]]:
    """Token and sentence offsets of ``text`` (character offsets, end exclusive)."""
    return _offsets(project_tokenizer(lang)(text))


def tokenize_many(
    texts: Iterable[str], lang: str = DEFAULT_LANG, batch_size: int = 256
) -> Iterator[tuple[tuple[Offsets, ...], tuple[Offsets, ...]]]:
    """Stream :func:`tokenize` over many texts (``nlp.pipe``)."""
    for doc in project_tokenizer(lang).pipe(texts, batch_size=batch_size):
        yield _offsets(doc)


def words_and_spaces(text: str, tokens: Sequence[Offsets]) -> tuple[list[str], list[bool]]:
    """spaCy's ``words``/``spaces`` for stored offsets.

    A token is followed by a space when the gap after it (before the next token or the end of the
    text) starts with ``" "``; the rest of a gap (newlines, further spaces, text the stored
    tokens do not cover) becomes a token of its own, as spaCy's tokenizer would make, so
    ``Doc.text`` always equals ``text``.
    """
    words: list[str] = []
    spaces: list[bool] = []

    def gap(between: str) -> None:
        # spaCy attaches one leading space to the token before; the rest is a token of its own
        if words and not spaces[-1] and between.startswith(" "):
            spaces[-1] = True
            between = between[1:]
        if between:
            words.append(between)
            spaces.append(False)

    pos = 0
    for start, end in tokens:
        if start > pos:
            gap(text[pos:start])
        words.append(text[start:end])
        spaces.append(False)
        pos = end
    if pos < len(text):
        gap(text[pos:])
    return words, spaces


def doc_from_offsets(vocab_or_nlp: Language | spacy.vocab.Vocab, doc: Document) -> Doc:
    """A spaCy ``Doc`` with exactly the stored tokens and sentence starts of ``doc``.

    The text is identical to ``doc.text``. Built in one constructor call (``sent_starts=``):
    setting ``is_sent_start`` token by token costs more than the rest of an export.
    """
    from spacy.language import Language
    from spacy.tokens import Doc

    vocab = vocab_or_nlp.vocab if isinstance(vocab_or_nlp, Language) else vocab_or_nlp
    if not doc.tokens:
        if not doc.text:
            return Doc(vocab, words=[])
        # Stored without tokens (made through the API): tokenise as an import would have.
        tokens, sents = tokenize(doc.text)
        doc = replace(doc, tokens=tokens, sents=doc.sents or sents)
    words, spaces = words_and_spaces(doc.text, doc.tokens)
    if not doc.sents:
        return Doc(vocab, words=words, spaces=spaces)
    starts = {s for s, _ in doc.sents}
    sent_starts: list[bool] = []
    pos = 0
    for i, (word, space) in enumerate(zip(words, spaces)):
        sent_starts.append(i == 0 or pos in starts)
        pos += len(word) + space
    return Doc(vocab, words=words, spaces=spaces, sent_starts=sent_starts)


def offsets_from_words(words: Sequence[str], spaces: Sequence[bool] | None = None) -> tuple[str, tuple[Offsets, ...]]:
    """Text and token offsets for pre-tokenised input (CoNLL, Prodigy ``tokens``).

    Words are joined by one space unless ``spaces`` says otherwise.
    """
    parts: list[str] = []
    offsets: list[Offsets] = []
    pos = 0
    for i, w in enumerate(words):
        offsets.append((pos, pos + len(w)))
        parts.append(w)
        pos += len(w)
        sp = True if spaces is None else bool(spaces[i])
        if sp and i < len(words) - 1:
            parts.append(" ")
            pos += 1
        elif sp and spaces is not None:
            parts.append(" ")
            pos += 1
    return "".join(parts), tuple(offsets)



def split_at_boundaries(tokens: Sequence[Offsets], boundaries: Iterable[int]) -> tuple[tuple[Offsets, ...], int]:
    """``tokens`` with every token that a boundary falls strictly inside of cut there.

    ``boundaries`` are character offsets (the starts and ends of a document's imported spans);
    a boundary already between tokens, or outside every token, changes nothing. Returns the new
    token offsets (still sorted, still covering the same characters) and how many tokens were
    cut. Used at import so that every imported span starts and ends on token boundaries
    ("YfeABCD" with spans YfeA, B, C, D becomes the tokens ``YfeA B C D``).
    """
    cuts = sorted(set(boundaries))
    if not cuts:
        return tuple(tokens), 0
    out: list[Offsets] = []
    n_cut = 0
    for start, end in tokens:
        i = bisect_right(cuts, start)
        inner: list[int] = []
        while i < len(cuts) and cuts[i] < end:
            inner.append(cuts[i])
            i += 1
        if not inner:
            out.append((start, end))
            continue
        n_cut += 1
        for cut in inner:
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return tuple(out), n_cut
