"""Plain text: one document per ``.txt`` file; folders are read recursively.

The document name is the file stem for a file given directly and the path relative to the
given folder, without the extension, for files found in a folder (``world/2024-05-01-summit``).
Line endings are normalised to ``\\n`` (an article has no offsets yet, so nothing can shift);
a leading BOM is dropped. Empty files and files that are not UTF-8 are refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from corpus.formats.records import ImportRecord, read_text_file
from corpus.formats.registry import Format, register

__all__ = ["read_txt", "sniff_txt", "TEXT_SUFFIXES"]

#: Extensions read as plain text when a folder is walked.
TEXT_SUFFIXES = (".txt", ".text")


def read_txt(path: str | Path, name: str | None = None, *, encoding: str = "utf-8") -> Iterator[ImportRecord]:
    """Yield the document of one text file (``name`` defaults to the file stem)."""
    p = Path(path)
    text = read_text_file(p, universal_newlines=True, encoding=encoding)
    yield ImportRecord(text=text, source=str(p), line=None, name=name or p.stem)


def sniff_txt(path: Path, lines: Sequence[str]) -> float:
    """Low confidence for a ``.txt``/``.text`` file or a file without extension: plain text is
    what such a file is when no structured format claims it."""
    suffix = Path(path).suffix.lower()
    return 0.1 if suffix in TEXT_SUFFIXES or suffix == "" else 0.0


register(Format(
    name="txt",
    description="Plain text",
    suffixes=TEXT_SUFFIXES,
    sniff=sniff_txt,
    reader=read_txt,
))
