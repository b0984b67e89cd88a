"""Hostile input, as a reliability sweep feeds it: each file gets one line naming the file and
line, a non-zero exit, no traceback, and the project exactly as it was (issue 14, items 4, 6, 10)."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import pytest

from annotator.cli import main
from corpus.store import Store

TEXT_OK = b"Leaders met in Paris on Monday.\n"


def dump(path: Path) -> str:
    with Store(path, create=False) as s:
        return "\n".join(s.db.conn.iterdump())


def jl(*objs: object) -> bytes:
    return b"".join(json.dumps(o).encode() + b"\n" for o in objs)


def deep(n: int) -> bytes:
    return b'{"text": "x", "meta": {"a": ' + b"[" * n + b"]" * n + b"}}\n"


#: name -> (file name, bytes, expected message (regex on the one stderr line))
HOSTILE: dict[str, tuple[str, bytes, str]] = {
    "surrogate_in_text": ("s.jsonl", jl({"text": "ok"}) + b'{"text": "half \\ud800 char"}\n',
                          r"s\.jsonl, line 2: text holds a lone surrogate \(\\ud800\)"),
    "surrogate_in_meta": ("m.jsonl", b'{"text": "ok", "meta": {"title": "\\udc00"}}\n',
                          r"m\.jsonl, line 1: meta\.title holds a lone surrogate"),
    "surrogate_in_name": ("n.jsonl", b'{"text": "ok", "name": "a\\ud83d"}\n', r"n\.jsonl, line 1: name holds a lone surrogate"),
    "surrogate_in_key": ("k.jsonl", b'{"text": "ok", "meta": {"\\ud800": 1}}\n', r"k\.jsonl, line 1: a key of meta holds a lone"),
    "surrogate_in_doccano_label": ("d.jsonl", b'{"text": "abc", "label": [[0, 1, "\\ud800"]]}\n',
                                   r"d\.jsonl, line 1: label holds a lone surrogate"),
    "surrogate_in_doccano_text": ("dt.jsonl", b'{"text": "a\\udfffb", "label": [[0, 1, "X"]]}\n',
                                  r"dt\.jsonl, line 1: text holds a lone surrogate"),
    "surrogate_in_prodigy_label": ("p.jsonl", b'{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "\\udbff"}]}\n',
                                   r"p\.jsonl, line 1: spans\.label holds a lone surrogate"),
    "nul_escape_in_text": ("z.jsonl", b'{"text": "a\\u0000b"}\n', r"z\.jsonl, line 1: text holds a NUL character"),
    "nul_byte_in_txt": ("nul.txt", b"first line\nsecond \x00 line\n", r"nul\.txt, line 2: holds a NUL character"),
    "nul_byte_in_conll": ("nul.conll", b"EU\tB-ORG\nre\x00jects\tO\n", r"nul\.conll, line 2: holds a NUL character"),
    "utf16_no_bom_txt": ("u16.txt", "Leaders met in Paris.\nAgain.\n".encode("utf-16-le"),
                         r"u16\.txt, line 1: the file looks like UTF-16 without a byte-order mark"),
    "utf16_no_bom_jsonl": ("u16.jsonl", '{"text": "Paris"}\n'.encode("utf-16-le"),
                           r"u16\.jsonl, line 1: the file looks like UTF-16 without a byte-order mark"),
    "utf16_bom_txt": ("bom.txt", "Leaders met.\n".encode("utf-16"), r"bom\.txt(, line 1)?: the file is UTF-16 \(little-endian"),
    "utf32_bom_txt": ("bom32.txt", "Leaders met.\n".encode("utf-32"), r"bom32\.txt(, line 1)?: the file is UTF-32"),
    "nan_in_meta": ("nan.jsonl", b'{"text": "ok", "meta": {"score": NaN}}\n', r"nan\.jsonl, line 1: not valid JSON: NaN"),
    "infinity_in_meta": ("inf.jsonl", b'{"text": "ok", "meta": {"score": -Infinity}}\n',
                         r"inf\.jsonl, line 1: not valid JSON: -Infinity"),
    "float_overflow_in_meta": ("big.jsonl", b'{"text": "ok", "meta": {"score": 1e400}}\n',
                               r"big\.jsonl, line 1: not valid JSON: the number 1e400 is too large"),
    "nested_100000_deep": ("deep.jsonl", jl({"text": "ok"}) + deep(100_000), r"deep\.jsonl, line 2: JSON nested too deeply"),
    "nested_300_deep_meta": ("deep3.jsonl", deep(300), r"deep3\.jsonl, line 1: meta(\.a)? is nested more than 200"),
    "int_5000_digits": ("int.jsonl", b'{"text": "ok", "meta": {"n": ' + b"7" * 5000 + b"}}\n",
                        r"int\.jsonl, line 1: a number too long to read"),
    "offset_5000_digits_doccano": ("off.jsonl", b'{"text": "abc", "label": [["' + b"1" * 5000 + b'", 2, "X"]]}\n',
                                   r"off\.jsonl, line 1: span start is not a usable offset"),
    "offset_30_digits_prodigy": ("off2.jsonl", b'{"text": "abc", "spans": [{"start": 0, "end": ' + b"9" * 30 + b', "label": "X"}]}\n',
                                 r"off2\.jsonl, line 1: span end is not a usable offset"),
    "brat_offset_5000_digits": ("doc.ann", b"T1\tPerson 0 " + b"9" * 5000 + b"\tx\n", r"doc\.ann, line 1: T1 has bad offsets"),
}


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "p.db"
    good = tmp_path / "good.txt"
    good.write_bytes(TEXT_OK)
    assert main(["import", str(project), str(good), "--quiet"]) == 0
    return project


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_input_gets_one_line_and_the_project_is_unchanged(case: str, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    name, content, message = HOSTILE[case]
    project = _project(tmp_path)
    before = dump(project)
    if name == "doc.ann":
        (tmp_path / "doc.txt").write_bytes(b"Ann met Bob.\n")
    bad = tmp_path / name
    bad.write_bytes(content)
    line = _refused(["import", str(project), str(bad)], capsys)
    assert line.startswith("annotator import: error: ")
    import re

    assert re.search(message, line), line
    assert dump(project) == before


@pytest.mark.parametrize("case", ["surrogate_in_meta", "utf16_no_bom_txt", "nested_100000_deep"])
def test_hostile_input_into_a_new_project_leaves_no_file(case: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    name, content, message = HOSTILE[case]
    bad = tmp_path / name
    bad.write_bytes(content)
    _refused(["import", str(tmp_path / "new.db"), str(bad)], capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_is_refused_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path)
    before = dump(project)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fine.txt").write_bytes(TEXT_OK.replace(b"Paris", b"Rome"))
    raw = os.path.join(os.fsencode(folder), b"Z\xfcrich.txt")
    with open(raw, "wb") as fh:
        fh.write(b"A text from a file with a Latin-1 name.\n")
    for target in (str(folder), os.fsdecode(raw)):
        line = _refused(["import", str(project), target], capsys)
        assert "Z\\xfcrich.txt: the file name is not UTF-8 text; rename the file" in line
    assert dump(project) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_in_a_folder_is_skipped_with_a_warning_and_never_blocks(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(TEXT_OK)
    os.mkfifo(folder / "b.txt")
    project = tmp_path / "p.db"
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(["import", str(project), str(folder)])), daemon=True)
    worker.start()
    worker.join(60)
    if worker.is_alive():  # unblock the reader so the test run can end, then fail
        with open(folder / "b.txt", "wb"):
            pass
        worker.join(10)
        pytest.fail("import blocked on a named pipe")
    assert result == [0]
    captured = capsys.readouterr()
    assert "b.txt: skipped (not a regular file)" in captured.err
    assert "1 documents added" in captured.out
    line = _refused(["import", str(project), str(folder / "b.txt")], capsys)
    assert "b.txt: not a regular file" in line


def test_a_document_over_a_million_characters_is_imported_whole(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sentence = "Leaders met in Paris on Monday and talked for a long time. "
    text = sentence * (1_000_000 // len(sentence) + 10)
    assert len(text) > 1_000_000
    big = tmp_path / "big.txt"
    big.write_text(text, encoding="utf-8")
    project = tmp_path / "p.db"
    assert main(["import", str(project), str(big), "--quiet"]) == 0
    with Store(project, create=False) as s:
        (doc,) = list(s.iter_documents())
        assert doc.text == text.replace("\r\n", "\n")
        assert doc.tokens[-1][1] <= len(text) and len(doc.tokens) > 100_000
