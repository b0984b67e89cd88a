"""JSONL with ``text`` and optional ``meta``/``name``/``id``."""

import json
from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.formats.jsonl import read_jsonl


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_text_meta_and_names(tmp_path: Path) -> None:
    f = write(tmp_path / "news.jsonl", [
        json.dumps({"text": "One.", "meta": {"source": "AP", "name": "from-meta"}}),
        "",
        json.dumps({"text": "Two.", "id": 17}),
        json.dumps({"text": "Three.", "name": "third"}),
        json.dumps({"text": "Four."}),
    ])
    recs = list(read_jsonl(f))
    assert [r.text for r in recs] == ["One.", "Two.", "Three.", "Four."]
    assert [r.name for r in recs] == ["from-meta", "17", "third", "news:5"]
    assert recs[0].meta == {"source": "AP", "name": "from-meta"}
    assert [r.line for r in recs] == [1, 3, 4, 5]


@pytest.mark.parametrize(
    "lines, message",
    [
        (['{"text": "ok"}', '{"text": "broken"'], r"bad\.jsonl, line 2: broken JSON"),
        (['{"text": "ok"}', '["a list"]'], r"line 2: expected a JSON object"),
        (['{"title": "no text"}'], r"line 1: record has no \"text\""),
        (['{"text": 5}'], r"line 1: \"text\" must be a string"),
        (['{"text": "x", "meta": "not an object"}'], r"line 1: \"meta\" must be an object"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, lines: list[str], message: str) -> None:
    f = write(tmp_path / "bad.jsonl", lines)
    with pytest.raises(InputError, match=message):
        list(read_jsonl(f))


def test_non_utf8_line_is_named(tmp_path: Path) -> None:
    f = tmp_path / "cp1252.jsonl"
    f.write_bytes(b'{"text": "fine"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"cp1252\.jsonl, line 2: not UTF-8"):
        list(read_jsonl(f))


def test_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "empty.jsonl"
    f.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.jsonl: empty file"):
        list(read_jsonl(f))
