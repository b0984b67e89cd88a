"""Plain text files and folders."""

from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.formats.detect import expand_paths, read_records
from corpus.formats.txt import read_txt


def test_one_file_is_one_document_named_by_its_stem(tmp_path: Path) -> None:
    f = tmp_path / "summit-in-paris.txt"
    f.write_text("Leaders met in Paris.\r\nThey talked.", encoding="utf-8")
    (rec,) = read_txt(f)
    assert rec.name == "summit-in-paris"
    assert rec.text == "Leaders met in Paris.\nThey talked."  # line endings normalised
    assert rec.spans == () and not rec.annotated


def test_folder_is_read_recursively_with_relative_names(tmp_path: Path) -> None:
    (tmp_path / "world" / "europe").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("First.", encoding="utf-8")
    (tmp_path / "world" / "europe" / "b.txt").write_text("Second.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / "picture.png").write_bytes(b"\x89PNG")
    warnings: list[str] = []
    items = list(expand_paths([tmp_path], "auto", warnings))
    names = [r.name for it in items for r in read_records(it)]
    assert names == ["a", "world/europe/b"]
    assert any("picture.png" in w for w in warnings)


def test_bom_is_dropped(tmp_path: Path) -> None:
    f = tmp_path / "bom.txt"
    f.write_bytes("\ufeffRésumé of São Paulo.".encode("utf-8"))
    assert next(read_txt(f)).text == "Résumé of São Paulo."


@pytest.mark.parametrize("content", [b"", b"  \n\n"])
def test_empty_file_is_refused_naming_it(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    with pytest.raises(InputError, match=r"empty\.txt: empty file"):
        list(read_txt(f))


def test_latin1_file_is_refused_with_its_line(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    f.write_bytes("Line one\nZürich\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.txt, line 2: not UTF-8"):
        list(read_txt(f))
