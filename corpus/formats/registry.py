"""The registry of file formats: one entry per format, read by everything that names formats.

Detection (:mod:`corpus.formats.detect`), the command line's ``--format`` choices (``annotator
import`` and ``annotator export``), the window's file dialogs (:func:`file_dialog_filter`) and
the export dialog all read this registry; nothing else lists formats or their suffixes.

How to add a format (one module plus its registration)
------------------------------------------------------
Write ``corpus/formats/myformat.py`` holding the reader (and a sniffer) and register it at the
bottom of the module::

    from corpus.formats.registry import Format, register

    def read_myformat(path: Path, name: str | None) -> Iterator[ImportRecord]:
        ...  # yield one ImportRecord per document; raise InputError(path, message, line)

    def sniff_myformat(path: Path, lines: Sequence[str]) -> float:
        return 0.9 if lines[0].startswith("<myformat") else 0.0

    register(Format(
        name="myformat",
        description="My tool's export",
        suffixes=(".myf",),
        sniff=sniff_myformat,
        reader=read_myformat,
    ))

then add the module's name to :data:`BUILTIN_MODULES` below (that is the registration: the
package ``corpus.formats`` imports these modules, in this order, whenever any of its modules is
imported, so the order of formats never depends on who imported what first). Nothing else changes:
``annotator import --format myformat``, detection and the window's import dialog see it.

A format that can also be *written* gets a :class:`Writer` (``writer=`` in the entry, or
:func:`add_writer` from the module that holds the exporter, e.g. ``annotator/export_brat.py``
for brat, whose reader lives here). ``annotator export --format``, the export dialog and
:func:`annotator.export.export_job` then offer it.

The contract of each field
--------------------------
* ``reader(path, name)`` streams :class:`~corpus.formats.records.ImportRecord` from one file;
  ``name`` is the document name the file's place suggests (its path relative to the folder
  being imported, without the extension; ``None`` for a file named directly, when readers use
  the file's stem). Readers of one-document-per-file formats use it; others ignore it. Every
  record then passes :func:`~corpus.formats.records.validate_record` (no NUL, no lone
  surrogate, meta valid JSON) before anything is stored; JSON-based readers should parse lines
  with :func:`corpus.formats.jsonl.parse_json_line`, which turns NaN, too-deep nesting and
  too-long numbers into one-line errors.
* ``sniff(path, lines)`` returns a confidence from 0 (not this format) to 1 (certainly this
  format); ``lines`` are the file's first non-empty lines, decoded (reading them raises a
  one-line :class:`~corpus.errors.InputError` for an empty or undecodable file, so a sniffer
  that can decide from ``path`` alone should not touch them). The highest confidence above 0
  wins; ties go to the format registered first. The built-in scale: 1.0 brat (``.ann``, or a
  text file with an ``.ann`` beside it) and CoNLL extensions; 0.9 Prodigy keys; 0.8 doccano
  keys; 0.5 any JSON-looking file (plain JSONL); 0.4 lines that look like CoNLL rows; 0.1 a
  ``.txt`` (plain text).
* ``suffixes`` (lower case, with the dot) are the extensions the format's files have: the file
  dialog offers them, and walking a folder picks the files with a registered suffix. When one
  format alone lists a suffix and says ``suffix_decides=True``, a file with that suffix is that
  format without reading it (``.conll`` is CoNLL whatever its first line says).
* ``folder_suffixes``: extensions picked from a folder when the user names this format
  (``--format conll`` also reads ``.txt`` files of a folder); default ``suffixes``.
* ``writer``: see :class:`Writer`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corpus.formats.records import ImportRecord

__all__ = [
    "BUILTIN_MODULES",
    "Format",
    "Reader",
    "Sniffer",
    "Writer",
    "add_writer",
    "all_formats",
    "export_format_names",
    "file_dialog_filter",
    "get",
    "import_format_names",
    "load_builtins",
    "register",
    "unregister",
]

#: ``reader(path, suggested_name)`` -> the records of one file.
Reader = Callable[[Path, "str | None"], Iterator[ImportRecord]]
#: ``sniff(path, first_non_empty_lines)`` -> confidence in [0, 1].
Sniffer = Callable[[Path, Sequence[str]], float]

#: Modules that register the built-in formats (imported on first use of the registry).
#: The readers live in ``corpus.formats``; the exporters, which need the store's queries, the
#: tokenizer and spaCy, live in ``annotator.export_*`` and attach their writers from there.
BUILTIN_MODULES: tuple[str, ...] = (
    "corpus.formats.txt",
    "corpus.formats.jsonl",
    "corpus.formats.prodigy",
    "corpus.formats.doccano",
    "corpus.formats.brat",
    "corpus.formats.conll",
    "corpus.formats.json_document",
    "corpus.formats.label_studio",
    "corpus.formats.spacy_docbin",
)


@dataclass(frozen=True)
class Writer:
    """How a format is exported.

    ``write(ctx, options)`` is a generator run by :func:`annotator.export.export_job` inside the
    shared staging skeleton (:mod:`annotator.export_base`): ``ctx`` is an
    ``annotator.export_base.ExportContext`` (the store, the layer, the selected documents, the
    staged output paths and the tally of what was written); it yields progress and returns
    nothing. ``options`` is an instance of ``options_type`` (a frozen dataclass; its fields are
    the format's own options, validated by its ``__post_init__``). ``single_file`` suffixes
    (first one the default) mean the export is one file and ``OUT`` may name it; empty means
    ``OUT`` is a folder of files. ``label`` names the format in the export dialog (default: the
    format's description) and ``produces`` says what gets written. ``order`` places it among
    the choices (lower first; the built-in ones use 10 to 40; ties: registration order).
    """

    write: Callable[..., Any]
    options_type: type
    produces: str = ""
    single_file: tuple[str, ...] = ()
    label: str = ""
    order: int = 100


@dataclass(frozen=True)
class Format:
    """One file format: how to recognise, read and (optionally) write it."""

    name: str
    description: str
    suffixes: tuple[str, ...] = ()
    sniff: Sniffer | None = None
    reader: Reader | None = None
    writer: Writer | None = None
    folder_suffixes: tuple[str, ...] | None = None
    suffix_decides: bool = False

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").replace("_", "").isalnum() or self.name != self.name.lower():
            raise ValueError(f"format name must be lower-case letters, digits, '-' or '_': {self.name!r}")
        if self.name == "auto":
            raise ValueError("'auto' is not a format name (it asks for detection)")
        for s in (*self.suffixes, *(self.folder_suffixes or ())):
            if not s.startswith(".") or s != s.lower():
                raise ValueError(f"suffix must be lower case and start with a dot: {s!r}")

    @property
    def walk_suffixes(self) -> tuple[str, ...]:
        """Extensions a folder contributes when this format is named explicitly."""
        return self.folder_suffixes if self.folder_suffixes is not None else self.suffixes


@dataclass
class _Registry:
    formats: dict[str, Format] = field(default_factory=dict)
    writer_order: list[str] = field(default_factory=list)
    loaded: bool = False


_REG = _Registry()
_LOCK = threading.RLock()


def load_builtins() -> None:
    """Import the modules of :data:`BUILTIN_MODULES` (once; they register their formats)."""
    if _REG.loaded:
        return
    with _LOCK:
        if _REG.loaded:
            return
        _REG.loaded = True  # set first: the modules below call register() while importing
        for module in BUILTIN_MODULES:
            importlib.import_module(module)


_ensure_loaded = load_builtins


def register(fmt: Format) -> Format:
    """Add ``fmt`` to the registry (a name may be registered once); returns it."""
    with _LOCK:
        old = _REG.formats.get(fmt.name)
        if old is not None and old != fmt:
            raise ValueError(f"format {fmt.name!r} is already registered")
        _REG.formats[fmt.name] = fmt
        if fmt.writer is not None and fmt.name not in _REG.writer_order:
            _REG.writer_order.append(fmt.name)
    return fmt


def add_writer(name: str, writer: Writer, description: str = "") -> Format:
    """Attach ``writer`` to the registered format ``name`` (registering an export-only format
    described by ``description`` when no reader registered that name); returns the entry."""
    _ensure_loaded()
    with _LOCK:
        old = _REG.formats.get(name)
        if old is None:
            new = Format(name=name, description=description or name, writer=writer)
        elif old.writer is not None and old.writer != writer:
            raise ValueError(f"format {name!r} already has a writer")
        else:
            new = replace(old, writer=writer)
        _REG.formats[name] = new
        if name not in _REG.writer_order:
            _REG.writer_order.append(name)
    return new


def unregister(name: str) -> None:
    """Remove a format (tests register toy formats and remove them again)."""
    with _LOCK:
        _REG.formats.pop(name, None)
        if name in _REG.writer_order:
            _REG.writer_order.remove(name)


def all_formats() -> tuple[Format, ...]:
    """Every registered format, in registration order."""
    _ensure_loaded()
    return tuple(_REG.formats.values())


def get(name: str) -> Format | None:
    """The format called ``name``, or ``None``."""
    _ensure_loaded()
    return _REG.formats.get(name)


def import_format_names() -> tuple[str, ...]:
    """Names of the formats that can be imported (have a reader), in registration order."""
    return tuple(f.name for f in all_formats() if f.reader is not None)


def export_format_names() -> tuple[str, ...]:
    """Names of the formats that can be exported (have a writer), by their writers' ``order``,
    then in the order the writers were registered."""
    _ensure_loaded()
    with_writer = [(n, _REG.formats[n].writer) for n in _REG.writer_order if n in _REG.formats]
    ranked = sorted((w.order, i, n) for i, (n, w) in enumerate(with_writer) if w is not None)
    return tuple(n for _o, _i, n in ranked)


def _patterns(suffixes: Sequence[str]) -> str:
    return " ".join(f"*{s}" for s in dict.fromkeys(suffixes))


def file_dialog_filter(all_label: str = "Texts and corpora") -> str:
    """The Qt name filter of the import file dialog: every readable suffix first, then one
    entry per format, then all files (``"Texts and corpora (*.txt ...);;Plain text (*.txt
    *.text);;...;;All files (*)"``)."""
    readable = [f for f in all_formats() if f.reader is not None and f.suffixes]
    every = [s for f in readable for s in f.suffixes]
    parts = [f"{all_label} ({_patterns(every)})"] if every else []
    parts += [f"{f.description} ({_patterns(f.suffixes)})" for f in readable]
    parts.append("All files (*)")
    return ";;".join(parts)
