"""Plain text: one document per ``.txt`` file; folders are read recursively.

The document name is the file stem for a file given directly and the path relative to the
given folder, without the extension, for files found in a folder (``world/2024-05-01-summit``).
Line endings are normalised to ``\\n`` (an article has no offsets yet, so nothing can shift);
a leading BOM is dropped. Empty files and files that are not UTF-8 are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from corpus.formats.records import ImportRecord, read_text_file

__all__ = ["read_txt", "TEXT_SUFFIXES"]

#: Extensions read as plain text when a folder is walked.
TEXT_SUFFIXES = (".txt", ".text")


def read_txt(path: str | Path, name: str | None = None) -> Iterator[ImportRecord]:
    """Yield the document of one text file (``name`` defaults to the file stem)."""
    p = Path(path)
    text = read_text_file(p, universal_newlines=True)
    yield ImportRecord(text=text, source=str(p), line=None, name=name or p.stem)
