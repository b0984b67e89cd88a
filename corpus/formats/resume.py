"""Reading past bad records: the rest of a file when one record of it is unusable.

:func:`read_resilient` streams the records of one input file like
:func:`corpus.formats.detect.read_records`, and when a record is bad it yields a
:class:`Skipped` naming the file, the line and the reason, then goes on with the next record:

* a record whose text is empty or only whitespace (:class:`~corpus.formats.records.BlankRecord`)
  is always skipped this way (Explosion's own tweets dataset holds two);
* any other bad record (broken JSON, a span outside the text, a relation to a missing span...)
  is skipped only when ``skip_bad`` asks for it; otherwise its error stops the import as before.

How a reader goes on: readers of record formats take ``skip_lines`` (JSONL, Prodigy, doccano,
the JSON documents, CoNLL) and leave out the records that start on, or hold, those lines; the
file is read again from its start with the bad record's line added, and the records already
passed on are not passed on twice. Records of the bad line that came out before the error (a
Label Studio task yields one record per annotation) are dropped with it: a task is imported
whole or not at all. A CoNLL document holding a bad line is left out whole. A reader without
``skip_lines`` (plain text, brat: one document per file; spaCy DocBin) loses the rest of the
file at a bad record, and the :class:`Skipped` says so. Broken JSON inside a JSON array cannot
be stepped over (the array's structure is lost there): that error stops the import.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from corpus.errors import InputError
from corpus.formats.detect import InputFile
from corpus.formats.records import BlankRecord, ImportRecord, validate_record
from corpus.formats.registry import get

__all__ = ["Skipped", "read_resilient"]


@dataclass(frozen=True)
class Skipped:
    """A record left out: where it is and why."""

    source: str
    line: int | None
    reason: str
    rest_of_file: bool = False

    def message(self) -> str:
        """One line for the report: ``FILE, line N: reason (record skipped)``."""
        where = self.source + (f", line {self.line}" if self.line is not None else "")
        what = "the rest of the file skipped (this format cannot step over one record)" if self.rest_of_file \
            else "record skipped"
        return f"{where}: {self.reason} ({what})"


def _takes(reader: object, name: str) -> bool:
    try:
        return name in inspect.signature(reader).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _open(
    item: InputFile, encoding: str, skip: frozenset[int], options: Mapping[str, object]
) -> Iterator[ImportRecord]:
    entry = get(item.fmt)
    if entry is None or entry.reader is None:
        raise InputError(str(item.path), f"unknown format {item.fmt!r}")
    kwargs: dict[str, object] = {k: v for k, v in options.items() if _takes(entry.reader, k)}
    if encoding != "utf-8" and _takes(entry.reader, "encoding"):
        kwargs["encoding"] = encoding
    if skip:
        kwargs["skip_lines"] = skip
    return entry.reader(item.path, item.name, **kwargs)


def _one_document(item: InputFile) -> bool:
    """True for formats holding one document per file (plain text, brat): skipping the rest of
    the file is skipping that one record."""
    return item.fmt in ("txt", "brat")


def read_resilient(
    item: InputFile, encoding: str = "utf-8", skip_bad: bool = False, options: Mapping[str, object] | None = None
) -> Iterator[ImportRecord | Skipped]:
    """The records of ``item``, with a :class:`Skipped` in place of each bad record (see the
    module docstring). Errors that cannot be skipped are raised as they are. ``options`` are
    reader keywords (``discontinuous`` for brat), given to the readers that take them."""
    options = options or {}
    entry = get(item.fmt)
    resumable = entry is not None and entry.reader is not None and _takes(entry.reader, "skip_lines")
    path = str(item.path)
    skip: set[int] = set()
    released = 0  # the last line whose records were passed on
    while True:
        hold: list[ImportRecord] = []
        try:
            for rec in _open(item, encoding, frozenset(skip), options):
                if rec.line is not None and rec.line <= released:
                    continue  # passed on in an earlier pass over the file
                validate_record(rec)  # NULs, lone surrogates, NaN: refused with the line
                if hold and rec.line != hold[-1].line:
                    yield from hold
                    released = max(released, hold[-1].line or 0)
                    hold = []
                hold.append(rec)
            yield from hold
            return
        except InputError as exc:
            blank = isinstance(exc, BlankRecord)
            if not (blank or skip_bad):
                raise
            where = exc.path or path  # brat names its .ann
            if not resumable or exc.line is None or exc.path != path:
                yield from (r for r in hold if exc.line is None or r.line != exc.line)
                yield Skipped(where, exc.line, exc.reason, rest_of_file=not _one_document(item))
                return
            if exc.line in skip:
                raise  # the reader cannot step over this one
            for rec in hold:
                if rec.line != exc.line:
                    yield rec
                    released = max(released, rec.line or 0)
            yield Skipped(path, exc.line, exc.reason)
            skip.add(exc.line)
