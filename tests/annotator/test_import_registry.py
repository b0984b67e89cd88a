"""Adding an import format is one module plus its registration: the CLI offers it and imports with it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from annotator.cli import build_parser, main
from corpus.formats.records import ImportRecord
from corpus.formats.registry import Format, register, unregister
from corpus.store import Store


def read_toy(path: Path, name: str | None) -> Iterator[ImportRecord]:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("doc:"):
            yield ImportRecord(text=line[4:], source=str(path), line=i, name=f"toy-{i}")


def sniff_toy(path: Path, lines: Sequence[str]) -> float:
    return 0.95 if lines[0].startswith("#toy") else 0.0


@pytest.fixture
def toy():
    fmt = register(Format(name="toy", description="Toy corpus", suffixes=(".toy",), sniff=sniff_toy, reader=read_toy))
    yield fmt
    unregister("toy")


def _import_choices() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command" or getattr(a, "choices", None) and "import" in a.choices)
    imp = sub.choices["import"]
    return list(next(a for a in imp._actions if a.dest == "fmt").choices)


def test_cli_offers_and_imports_a_registered_format(toy: Format, tmp_path: Path, capsys) -> None:
    assert "toy" in _import_choices()
    f = tmp_path / "a.toy"
    f.write_text("#toy\ndoc:One.\ndoc:Two.\n", encoding="utf-8")
    db = tmp_path / "p.db"
    assert main(["import", str(db), str(f), "--format", "toy", "--quiet"]) == 0
    assert main(["import", str(db), str(f), "--quiet"]) == 0  # detected: same texts, nothing added
    out = capsys.readouterr().out
    assert "2 documents added" in out and "2 already in the project" in out
    with Store(db, create=False) as s:
        assert sorted(d.name for d in s.iter_documents()) == ["toy-2", "toy-3"]


def test_cli_choices_follow_the_registry() -> None:
    assert "toy" not in _import_choices()
    assert _import_choices()[:7] == ["auto", "txt", "jsonl", "prodigy", "doccano", "brat", "conll"]
