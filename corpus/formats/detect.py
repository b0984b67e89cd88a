"""Which importer reads a file: format detection and folder expansion, read from the registry.

Every format comes from :mod:`corpus.formats.registry`; nothing here lists formats or suffixes.

Detection (``fmt="auto"``) of one file:

* ``annotation.conf`` is brat's type declaration, reported as format ``brat-conf`` so its labels
  join the schema;
* an extension that one format alone claims with ``suffix_decides`` (``.ann`` brat, ``.conll``
  and the other CoNLL extensions) decides without reading the file;
* otherwise the first non-empty lines are read (an empty or undecodable file is refused by name)
  and every format's sniffer gives a confidence; the highest above zero wins (ties: the format
  registered first). With the built-in formats: a text file with an ``.ann`` next to it is brat;
  a JSON extension or a first line opening an object is Prodigy (``spans``, ``tokens``,
  ``answer``, ``_input_hash``...), doccano (``entities``, or a ``label``/``labels`` list of
  ``[start, end, label]``) or plain JSONL; lines like ``token ... TAG``, ``-DOCSTART-`` or
  ``word|TAG`` are CoNLL; a ``.txt``/``.text`` file or one without extension is plain text.

Folders are walked recursively in name order; hidden files and folders are skipped, and so is
anything that is not a regular file (a named pipe, a socket, a device: reading one could wait
forever), with a warning. A brat ``.ann`` is read with its ``.txt``, files of no registered
extension are skipped with a warning.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import InputError
from corpus.formats.brat import CONF_NAME
from corpus.formats.records import ImportRecord, check_bytes, check_encoding, display_path
from corpus.formats.registry import Format, all_formats, get, import_format_names

__all__ = [
    "FORMATS", "BRAT_CONF", "InputFile", "detect_format", "expand_paths", "read_records", "sniff_line",
]

#: The pseudo-format of brat's ``annotation.conf`` (labels only, no documents).
BRAT_CONF = "brat-conf"
#: How much of a line sniffing decodes (a first line of a huge JSONL is cut there).
_SNIFF_BYTES = 65536


def __getattr__(name: str) -> tuple[str, ...]:
    # ``FORMATS``: the formats a user can name (``auto`` detects), read from the registry when
    # asked, so a format registered later is included.
    if name == "FORMATS":
        return ("auto", *import_format_names())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class InputFile:
    """One file to import, the format it will be read as, and the document name it suggests."""

    path: Path
    fmt: str
    name: str | None = None


def sniff_line(path: str | Path, max_lines: int = 5, encoding: str = "utf-8") -> list[str]:
    """The first non-empty lines of a file (up to ``max_lines``), decoded as UTF-8 (or
    ``encoding``, an ASCII-compatible codec the user named).

    Raises :class:`InputError` for an empty or undecodable file.
    """
    p = str(path)
    out: list[str] = []
    try:
        with open(path, "rb") as fh:
            for i, raw in enumerate(fh, start=1):
                if i == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                check_bytes(raw[:_SNIFF_BYTES], p, i, first=i == 1)
                if not raw.strip():
                    continue
                try:
                    line = raw[:_SNIFF_BYTES].decode(encoding)
                except UnicodeDecodeError as exc:
                    if exc.start < _SNIFF_BYTES - 6:
                        what = "UTF-8 text (name the file's encoding with --encoding, e.g. latin-1)" \
                            if encoding.lower().replace("-", "").replace("_", "") == "utf8" else f"{encoding} text"
                        raise InputError(p, f"not {what}", i) from None
                    line = raw[: exc.start].decode(encoding)
                out.append(line.rstrip("\r\n"))
                if len(out) >= max_lines:
                    break
    except OSError as exc:
        raise InputError(p, f"cannot read file ({exc.strerror or exc})") from None
    if not out:
        raise InputError(p, "empty file")
    return out


class _FirstLines(Sequence[str]):
    """The first lines of a file, read when a sniffer first looks at them."""

    def __init__(self, path: Path, encoding: str = "utf-8") -> None:
        self.path = path
        self.encoding = encoding
        self._lines: list[str] | None = None

    def _get(self) -> list[str]:
        if self._lines is None:
            self._lines = sniff_line(self.path, encoding=self.encoding)
        return self._lines

    def __getitem__(self, i):  # type: ignore[override]
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())


def _deciding_format(suffix: str, formats: Sequence[Format]) -> Format | None:
    owners = [f for f in formats if f.reader is not None and suffix in f.suffixes]
    if len(owners) == 1 and owners[0].suffix_decides:
        return owners[0]
    return None


def detect_format(path: str | Path, encoding: str = "utf-8") -> str:
    """The format of one file (see the module docstring), its lines decoded in ``encoding``;
    raises :class:`InputError`."""
    p = Path(path)
    suffix = p.suffix.lower()
    if p.name == CONF_NAME:
        return BRAT_CONF
    formats = [f for f in all_formats() if f.reader is not None]
    decided = _deciding_format(suffix, formats)
    if decided is not None:
        return decided.name
    lines = _FirstLines(p, encoding)
    lines[0]  # noqa: B018 - an empty or undecodable file is refused here, by name
    best, best_score = None, 0.0
    for fmt in formats:
        if fmt.sniff is None:
            continue
        score = float(fmt.sniff(p, lines))
        if score > best_score:
            best, best_score = fmt, score
    if best is None:
        raise InputError(str(p), f"unknown format (extension {suffix!r}); name one with --format")
    return best.name


def _check_name(path: Path, name: str) -> None:
    """Refuse a file whose name (which names its documents) is not UTF-8 text."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(display_path(path), "the file name is not UTF-8 text; rename the file") from None


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _walk(folder: Path, warnings: list[str] | None) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.startswith("."):
                continue
            path = Path(root) / f
            if not _is_regular(path):
                # a named pipe would block the import for ever; a socket or device is no text
                if warnings is not None:
                    warnings.append(f"{path}: skipped (not a regular file)")
                continue
            yield path


def _readable(fmt: str) -> Format:
    entry = get(fmt)
    if entry is None or entry.reader is None:
        raise InputError(None, f"unknown format {fmt!r} (choose from {', '.join(('auto', *import_format_names()))})")
    return entry


def _expand_folder(p: Path, fmt: str, warnings: list[str] | None, encoding: str = "utf-8") -> Iterator[InputFile]:
    readable = [f for f in all_formats() if f.reader is not None]
    wanted = tuple(dict.fromkeys(s for f in readable for s in f.suffixes if s != ".ann")) if fmt == "auto" \
        else _readable(fmt).walk_suffixes
    found = False
    for f in _walk(p, warnings):
        rel = f.relative_to(p).with_suffix("").as_posix()
        suffix = f.suffix.lower()
        if f.name == CONF_NAME and fmt in ("auto", "brat"):
            yield InputFile(f, BRAT_CONF)
            continue
        if suffix == ".ann":
            if not f.with_suffix(".txt").exists():
                raise InputError(str(f), f"no text file {f.with_suffix('.txt').name} next to it")
            continue  # read with its .txt
        if suffix not in wanted:
            if warnings is not None:
                why = "not a format this program reads" if fmt == "auto" else f"not a {fmt} file"
                warnings.append(f"{f}: skipped ({why})")
            continue
        _check_name(f, rel)
        kind = detect_format(f, encoding) if fmt == "auto" else fmt
        found = True
        yield InputFile(f, kind, rel)
    if not found:
        raise InputError(str(p), f"no files to import in this folder (looked for {', '.join(wanted)})")


def expand_paths(
    paths: Sequence[str | Path], fmt: str = "auto", warnings: list[str] | None = None, encoding: str = "utf-8"
) -> Iterator[InputFile]:
    """The files to import from files and folders, each with its format.

    With an explicit ``fmt`` a file given by name is read in that format, and a folder
    contributes the files with that format's extensions. ``warnings`` collects skipped files.
    """
    if fmt != "auto":
        _readable(fmt)
    check_encoding(encoding)
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError(str(p), "no such file or folder")
        if p.is_dir():
            yield from _expand_folder(p, fmt, warnings, encoding)
        elif not _is_regular(p):
            raise InputError(str(p), "not a regular file (a named pipe, socket or device); nothing was read")
        elif p.name == CONF_NAME and fmt in ("auto", "brat"):
            yield InputFile(p, BRAT_CONF)
        else:
            _check_name(p, p.name)
            if fmt == "brat" and p.suffix.lower() == ".ann":
                yield InputFile(p.with_suffix(".txt"), "brat")
            else:
                yield InputFile(p, detect_format(p, encoding) if fmt == "auto" else fmt)


def read_records(item: InputFile, encoding: str = "utf-8") -> Iterator[ImportRecord]:
    """Stream the records of one input file with the reader of its format.

    ``encoding`` goes to readers that take an ``encoding`` keyword (every text format); binary
    formats (spaCy's ``.spacy``) have none and ignore it."""
    entry = get(item.fmt)
    if entry is None or entry.reader is None:
        raise InputError(str(item.path), f"unknown format {item.fmt!r}")
    if encoding != "utf-8" and _takes_encoding(entry.reader):
        return entry.reader(item.path, item.name, encoding=encoding)
    return entry.reader(item.path, item.name)


def _takes_encoding(reader: object) -> bool:
    import inspect

    try:
        return "encoding" in inspect.signature(reader).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
