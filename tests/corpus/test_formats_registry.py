"""The format registry: one entry per format, read by detection, folder walking and the file dialog."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.formats import registry
from corpus.formats import detect
from corpus.formats.detect import detect_format, expand_paths, read_records
from corpus.formats.records import ImportRecord
from corpus.formats.registry import Format, file_dialog_filter, register, unregister


def read_toy(path: Path, name: str | None) -> Iterator[ImportRecord]:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("doc:"):
            yield ImportRecord(text=line[4:], source=str(path), line=i, name=f"{name or path.stem}-{i}")


def sniff_toy(path: Path, lines: Sequence[str]) -> float:
    return 0.95 if lines[0].startswith("#toy") else 0.0


TOY = Format(name="toy", description="Toy corpus", suffixes=(".toy",), sniff=sniff_toy, reader=read_toy)


@pytest.fixture
def toy():
    register(TOY)
    yield TOY
    unregister("toy")


def test_a_registered_format_is_detected_walked_read_and_offered(toy: Format, tmp_path: Path) -> None:
    sub = tmp_path / "corpus"
    sub.mkdir()
    (sub / "a.toy").write_text("#toy\ndoc:First text.\ndoc:Second text.\n", encoding="utf-8")
    (sub / "b.txt").write_text("#toy\ndoc:By content, not by extension.\n", encoding="utf-8")
    assert detect_format(sub / "a.toy") == "toy"
    assert detect_format(sub / "b.txt") == "toy"  # the sniffer beats plain text's low confidence
    items = list(expand_paths([sub]))
    assert [(i.path.name, i.fmt) for i in items] == [("a.toy", "toy"), ("b.txt", "toy")]
    texts = [r.text for i in items for r in read_records(i)]
    assert texts == ["First text.", "Second text.", "By content, not by extension."]
    assert "toy" in detect.FORMATS
    assert "Toy corpus (*.toy)" in file_dialog_filter().split(";;")
    assert "*.toy" in file_dialog_filter().split(";;")[0]
    with_fmt = list(expand_paths([sub], "toy", warnings := []))
    assert [i.path.name for i in with_fmt] == ["a.toy"] and "b.txt" in warnings[0]


def test_unregistered_format_is_gone(tmp_path: Path) -> None:
    register(TOY)
    unregister("toy")
    f = tmp_path / "a.toy"
    f.write_text("#toy\ndoc:x\n", encoding="utf-8")
    assert "toy" not in detect.FORMATS
    with pytest.raises(InputError, match=r"a\.toy: unknown format"):
        detect_format(f)
    with pytest.raises(InputError, match="unknown format 'toy'"):
        list(expand_paths([f], "toy"))


def test_the_dialog_filter_offers_exactly_what_detection_reads() -> None:
    parts = file_dialog_filter().split(";;")
    assert parts[-1] == "All files (*)"
    offered = set(parts[0][parts[0].index("(") + 1 : -1].split())
    readable = {f"*{s}" for f in registry.all_formats() if f.reader is not None for s in f.suffixes}
    assert offered == readable
    assert {"*.txt", "*.jsonl", "*.json", "*.ann", "*.conll", "*.iob", "*.tsv"} <= offered


def test_names_are_unique_and_checked() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(Format(name="txt", description="another txt", suffixes=(".txt",)))
    with pytest.raises(ValueError, match="format name"):
        Format(name="My Format", description="x")
    with pytest.raises(ValueError, match="suffix"):
        Format(name="x", description="x", suffixes=("TXT",))
    with pytest.raises(ValueError, match="auto"):
        Format(name="auto", description="x")


def test_builtin_order_does_not_depend_on_what_was_imported_first() -> None:
    names = registry.import_format_names()
    assert names[:6] == ("txt", "jsonl", "prodigy", "doccano", "brat", "conll")
