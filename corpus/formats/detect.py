"""Which importer reads a file: format detection and folder expansion.

Detection (``fmt="auto"``) looks at the extension first and at the first non-empty line when
the extension is ambiguous:

* ``.ann`` -> brat; a ``.txt`` with a ``.ann`` next to it -> brat;
* ``.conll``, ``.conllx``, ``.iob``, ``.bio``, ``.bilou``, ``.tsv`` -> CoNLL;
* ``.jsonl``, ``.json``, ``.ndjson`` -> the first JSON object decides: ``spans``, ``tokens``,
  ``answer`` or ``_input_hash`` -> Prodigy; ``entities`` or a ``label``/``labels`` list of
  ``[start, end, label]`` -> doccano; otherwise plain JSONL;
* ``.txt`` (and files without a known extension): CoNLL when the first lines look like
  ``token ... TAG`` rows, ``-DOCSTART-`` or ``word|TAG`` pipes; JSON when the first line is a
  JSON object; otherwise plain text.

Folders are walked recursively in name order; hidden files and folders are skipped, a brat
``.ann`` is read with its ``.txt``, ``annotation.conf`` is reported as format ``brat-conf`` so
its labels join the schema, and files of no known kind are skipped with a warning.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import InputError
from corpus.formats.brat import read_brat
from corpus.formats.conll import is_pipe_line, read_conll
from corpus.formats.doccano import read_doccano
from corpus.formats.jsonl import read_jsonl
from corpus.formats.prodigy import read_prodigy
from corpus.formats.records import ImportRecord
from corpus.formats.txt import TEXT_SUFFIXES, read_txt

__all__ = ["FORMATS", "InputFile", "detect_format", "expand_paths", "read_records", "sniff_line"]

#: Formats a user can name (``auto`` detects).
FORMATS = ("auto", "txt", "jsonl", "prodigy", "doccano", "brat", "conll")

JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")
CONLL_SUFFIXES = (".conll", ".conllx", ".conll03", ".iob", ".iob2", ".bio", ".bilou", ".tsv")

_TAG = re.compile(r"^(O|[BIELUS][-_]\S+)$")


@dataclass(frozen=True)
class InputFile:
    """One file to import, the format it will be read as, and the document name it suggests."""

    path: Path
    fmt: str
    name: str | None = None


def sniff_line(path: str | Path, max_lines: int = 5) -> list[str]:
    """The first non-empty lines of a file (up to ``max_lines``), decoded as UTF-8.

    Raises :class:`InputError` for an empty or non-UTF-8 file.
    """
    p = str(path)
    out: list[str] = []
    try:
        with open(path, "rb") as fh:
            for i, raw in enumerate(fh, start=1):
                if i == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                try:
                    line = raw[:65536].decode("utf-8")
                except UnicodeDecodeError as exc:
                    if exc.start < 65530:
                        raise InputError(p, "not UTF-8 text", i) from None
                    line = raw[: exc.start].decode("utf-8")
                out.append(line.rstrip("\r\n"))
                if len(out) >= max_lines:
                    break
    except OSError as exc:
        raise InputError(p, f"cannot read file ({exc.strerror or exc})") from None
    if not out:
        raise InputError(p, "empty file")
    return out


def _json_kind(first: str, path: str) -> str:
    try:
        obj = json.loads(first)
    except json.JSONDecodeError:
        # A huge first line cut by sniffing, or broken JSON: the reader will name the line.
        obj = None
    if not isinstance(obj, dict):
        head = first.lstrip()[:2000]
        if any(f'"{k}"' in head for k in ("_input_hash", "_task_hash", "_view_id", "tokens", "spans")):
            return "prodigy"
        if '"entities"' in head or '"label"' in head:
            return "doccano"
        return "jsonl"
    if any(k in obj for k in ("spans", "tokens", "answer", "_input_hash", "_task_hash", "_annotator_id")):
        return "prodigy"
    if "entities" in obj:
        return "doccano"
    lab = obj.get("label", obj.get("labels"))
    if isinstance(lab, list) and (not lab or all(isinstance(x, list) for x in lab)):
        return "doccano"
    return "jsonl"


def _looks_conll(lines: Sequence[str]) -> bool:
    first = lines[0].strip()
    if first.startswith("-DOCSTART-"):
        return True
    if is_pipe_line(first) and all(_TAG.match(f.split("|")[-1]) for f in first.split()):
        return True
    for line in lines:
        s = line.strip()
        cols = s.split("\t") if "\t" in s else s.split()
        if not (2 <= len(cols) <= 4) or not _TAG.match(cols[-1].strip()):
            return False
    return True


def detect_format(path: str | Path) -> str:
    """The format of one file (see the module docstring); raises :class:`InputError`."""
    p = Path(path)
    suffix = p.suffix.lower()
    if p.name == "annotation.conf":
        return "brat-conf"
    if suffix == ".ann":
        return "brat"
    if suffix in CONLL_SUFFIXES:
        return "conll"
    lines = sniff_line(p)
    if suffix in JSON_SUFFIXES:
        return _json_kind(lines[0], str(p))
    if suffix in TEXT_SUFFIXES and p.with_suffix(".ann").exists():
        return "brat"
    if lines[0].lstrip().startswith("{"):
        return _json_kind(lines[0], str(p))
    if _looks_conll(lines):
        return "conll"
    if suffix in TEXT_SUFFIXES or suffix == "":
        return "txt"
    raise InputError(str(p), f"unknown format (extension {suffix!r}); name one with --format")


_FOLDER_SUFFIXES = {
    "txt": TEXT_SUFFIXES,
    "brat": (".txt",),
    "conll": CONLL_SUFFIXES + TEXT_SUFFIXES,
    "jsonl": JSON_SUFFIXES,
    "prodigy": JSON_SUFFIXES,
    "doccano": JSON_SUFFIXES,
}


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if not f.startswith("."):
                yield Path(root) / f


def expand_paths(
    paths: Sequence[str | Path], fmt: str = "auto", warnings: list[str] | None = None
) -> Iterator[InputFile]:
    """The files to import from files and folders, each with its format.

    With an explicit ``fmt`` a file given by name is read in that format, and a folder
    contributes the files with that format's extensions. ``warnings`` collects skipped files.
    """
    if fmt not in FORMATS:
        raise InputError(None, f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError(str(p), "no such file or folder")
        if p.is_file():
            if p.name == "annotation.conf" and fmt in ("auto", "brat"):
                yield InputFile(p, "brat-conf")
            elif fmt == "brat" and p.suffix.lower() == ".ann":
                yield InputFile(p.with_suffix(".txt"), "brat")
            else:
                yield InputFile(p, detect_format(p) if fmt == "auto" else fmt)
            continue
        found = False
        for f in _walk(p):
            rel = f.relative_to(p).with_suffix("").as_posix()
            suffix = f.suffix.lower()
            if f.name == "annotation.conf" and fmt in ("auto", "brat"):
                yield InputFile(f, "brat-conf")
                continue
            if suffix == ".ann":
                if not f.with_suffix(".txt").exists():
                    raise InputError(str(f), f"no text file {f.with_suffix('.txt').name} next to it")
                continue  # read with its .txt
            if fmt == "auto":
                known = TEXT_SUFFIXES + JSON_SUFFIXES + CONLL_SUFFIXES
                if suffix not in known:
                    if warnings is not None:
                        warnings.append(f"{f}: skipped (not a format this program reads)")
                    continue
                kind = detect_format(f)
            else:
                if suffix not in _FOLDER_SUFFIXES[fmt]:
                    if warnings is not None:
                        warnings.append(f"{f}: skipped (not a {fmt} file)")
                    continue
                kind = fmt
            found = True
            yield InputFile(f, kind, rel if kind in ("txt", "brat") else None)
        if not found:
            wanted = TEXT_SUFFIXES + JSON_SUFFIXES + CONLL_SUFFIXES if fmt == "auto" else _FOLDER_SUFFIXES[fmt]
            raise InputError(str(p), f"no files to import in this folder (looked for {', '.join(wanted)})")


_READERS: dict[str, Callable[..., Iterator[ImportRecord]]] = {
    "txt": read_txt,
    "jsonl": read_jsonl,
    "prodigy": read_prodigy,
    "doccano": read_doccano,
    "brat": read_brat,
    "conll": read_conll,
}


def read_records(item: InputFile) -> Iterator[ImportRecord]:
    """Stream the records of one input file with the reader of its format."""
    reader = _READERS.get(item.fmt)
    if reader is None:
        raise InputError(str(item.path), f"unknown format {item.fmt!r}")
    if item.fmt in ("txt", "brat"):
        return reader(item.path, item.name)
    return reader(item.path)
