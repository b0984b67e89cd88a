"""Reading a document's tokens and sentences: the same Document comes back, damage is one line.

A document read from a project decodes its token pairs only when one is first asked for; these
tests pin what every caller relies on: it is the same sequence of ``(start, end)`` tuples.
"""

from __future__ import annotations

import bisect
import pickle
import sqlite3
from pathlib import Path

import pytest

from corpus.errors import ProjectError
from corpus.model import Document, snap_to_tokens, token_index_at
from corpus.store import Store

TEXT = "Alice met Bob in Paris. Then they left."
TOKENS = ((0, 5), (5, 6), (6, 9), (10, 13), (14, 16), (17, 22), (22, 23), (24, 28), (29, 33), (34, 38), (38, 39))
SENTS = ((0, 23), (24, 39))


def _project(tmp_path: Path, tokens: str | None = None, sents: str | None = None) -> tuple[Path, int, Document]:
    """A project with one document; its stored token/sentence JSON replaced when given."""
    path = tmp_path / "p.db"
    doc = Document(text=TEXT, name="article-7", meta={"source": "wire"}, tokens=TOKENS, sents=SENTS)
    with Store(path) as s:
        d = s.add_document(doc)
    if tokens is not None or sents is not None:
        conn = sqlite3.connect(path)
        if tokens is not None:
            conn.execute("UPDATE documents SET tokens = ? WHERE id = ?", [tokens, d])
        if sents is not None:
            conn.execute("UPDATE documents SET sents = ? WHERE id = ?", [sents, d])
        conn.commit()
        conn.close()
    return path, d, doc.with_id(d)


def test_the_same_document_comes_back(tmp_path: Path) -> None:
    path, d, doc = _project(tmp_path)
    with Store(path) as s:
        back = s.get_document(d)
        assert back == doc and doc == back
        assert back.tokens == TOKENS and TOKENS == back.tokens and back.sents == SENTS
        assert hash(back.tokens) == hash(TOKENS)
        assert len(back.tokens) == len(TOKENS) and bool(back.tokens)
        assert back.tokens[2] == (6, 9) and back.tokens[-1] == (38, 39) and back.tokens[1:3] == TOKENS[1:3]
        assert list(back.tokens) == list(TOKENS) and (10, 13) in back.tokens
        assert all(type(t) is tuple for t in back.tokens)  # noqa: E721 -- tuples, hashable
        assert {t for t in back.tokens} == set(TOKENS)
        assert sorted([back.tokens, TOKENS[:2]]) == [TOKENS[:2], TOKENS]
        assert token_index_at(back.tokens, 11) == 3 and snap_to_tokens(back.tokens, 7, 12) == (6, 13)
        assert bisect.bisect_left([a for a, _ in back.tokens], 10) == 3
        assert [x for x in s.iter_documents()] == [doc]
        assert pickle.loads(pickle.dumps(back)) == doc  # documents go to worker processes


def test_a_document_read_from_one_project_is_copied_into_another_unchanged(tmp_path: Path) -> None:
    path, d, doc = _project(tmp_path)
    with Store(path) as s:
        back = s.get_document(d)
    with Store(tmp_path / "other.db") as other:
        d2 = other.add_document(Document(text=back.text, name=back.name, meta=back.meta,
                                         tokens=back.tokens, sents=back.sents))
        copy = other.get_document(d2)
        assert copy.tokens == TOKENS and copy.sents == SENTS
        assert other.count_tokens() == sum(1 for a, b in TOKENS if not TEXT[a:b].isspace())


def test_offsets_written_by_another_tool_with_spaces_read_the_same(tmp_path: Path) -> None:
    spaced = "[" + ", ".join(f"[{a}, {b}]" for a, b in TOKENS) + "]"
    path, d, doc = _project(tmp_path, tokens=spaced, sents="[ [0,23] , [24,39] ]")
    with Store(path) as s:
        assert s.get_document(d) == doc


def test_a_document_without_tokens_has_none(tmp_path: Path) -> None:
    path, d, _doc = _project(tmp_path, tokens="[]", sents="[]")
    with Store(path) as s:
        back = s.get_document(d)
    assert back.tokens == () and not back.tokens and len(back.sents) == 0


@pytest.mark.parametrize("column, value, reason", [
    ("tokens", "[[0,5],[5,6", "malformed JSON"),
    ("tokens", "[[01,5]]", "malformed JSON"),  # a leading zero is not JSON: never decoded later
    ("tokens", "[[0,5],[5,\u0666]]", "malformed JSON"),  # an Arabic-Indic digit is not a JSON digit
    ("tokens", "[1,2]", "not a list of \\[start, end\\] offsets"),
    ("sents", "{\"a\": ", "malformed JSON"),
])
def test_damaged_offsets_are_one_line_naming_the_document(tmp_path: Path, column: str, value: str,
                                                          reason: str) -> None:
    path, d, _doc = _project(tmp_path, **{column: value})
    with Store(path) as s:
        with pytest.raises(ProjectError, match=rf"p\.db: documents table, document 1 \('article-7'\), "
                                               rf"{column}: {reason}") as err:
            s.get_document(d)
        assert "\n" not in str(err.value)
        with pytest.raises(ProjectError, match="article-7"):
            list(s.iter_documents())
