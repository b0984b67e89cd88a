"""Format detection from the extension and the first non-empty line."""

from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.formats.detect import detect_format, expand_paths


@pytest.mark.parametrize(
    "name, content, fmt",
    [
        ("a.txt", "Leaders met in Paris on Monday.\n", "txt"),
        ("a.txt", "\n\n-DOCSTART- -X- O O\n", "conll"),
        ("a.txt", "EU\tB-ORG\nrejects\tO\n", "conll"),
        ("a", "Plain words here\n", "txt"),
        ("a.jsonl", '{"text": "x", "meta": {}}\n', "jsonl"),
        ("a.jsonl", '{"text": "x", "spans": []}\n', "prodigy"),
        ("a.jsonl", '{"text": "x", "label": [[0, 1, "X"]]}\n', "doccano"),
        ("a.json", '{"text": "x", "entities": [], "relations": []}\n', "doccano"),
        ("a.conll", "whatever\n", "conll"),
    ],
)
def test_detect(tmp_path: Path, name: str, content: str, fmt: str) -> None:
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    assert detect_format(f) == fmt


def test_unknown_extension_and_missing_path(tmp_path: Path) -> None:
    f = tmp_path / "report.docx"
    f.write_text("hello\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"report\.docx: unknown format"):
        detect_format(f)
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        list(expand_paths([tmp_path / "nope.txt"]))
    with pytest.raises(InputError, match=r"unknown format 'xml'"):
        list(expand_paths([f], "xml"))
