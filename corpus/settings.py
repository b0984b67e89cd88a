"""The project settings every layer reads, by one name each (they are rows of the ``settings``
table: JSON values keyed by these strings).

Settings that belong to one feature keep their key beside the code that reads them
(``suggestion_threshold`` in :mod:`annotator.suggesters.decisions`, ``retrain_every`` in
:mod:`annotator.training.loop`, ``guidelines`` in :mod:`annotator.changes`); the ones read
across the program are here, with the readers that give their meaning and default.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = [
    "ALLOW_OVERLAP",
    "DEFAULT_LANG",
    "LABEL_MAP",
    "LANG",
    "MODEL",
    "SCHEDULER",
    "allows_overlap",
    "project_lang",
]

#: ``true`` lets spans of one layer overlap (nested entities); default ``false``.
ALLOW_OVERLAP = "allow_overlap"
#: The project's spaCy pipeline (a package name or a path), recorded by ``suggest --model``.
MODEL = "model"
#: The language of the project's tokenizer (``en`` by default).
LANG = "lang"
#: Model label -> project label (``null`` drops it); identity by default.
LABEL_MAP = "label_map"
#: The Dask scheduler whole-corpus jobs use (``suggest``, ``next``); none: this machine.
SCHEDULER = "scheduler"

#: The tokenizer language when a project names none.
DEFAULT_LANG = "en"


class HasSettings(Protocol):
    """Anything that reads project settings (a :class:`corpus.store.Store`)."""

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A project setting, or ``default``."""
        ...


def allows_overlap(store: HasSettings) -> bool:
    """True when the project lets spans of one layer overlap (:data:`ALLOW_OVERLAP`)."""
    return bool(store.get_setting(ALLOW_OVERLAP, False))


def project_lang(store: HasSettings) -> str:
    """The project's tokenizer language (:data:`LANG`, default :data:`DEFAULT_LANG`)."""
    return str(store.get_setting(LANG, DEFAULT_LANG) or DEFAULT_LANG)
