"""Files shipped with the program: the default label schema, style sheets, icons, seed articles."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources as _res
from pathlib import Path

from corpus.model import Label, LabelKind

__all__ = ["resource_path", "seeds_dir", "default_labels", "label_colours"]


def _package_dir(name: str) -> Path:
    # Installed (wheel or editable): the folders are shipped as the packages
    # ``corpus._resources`` and ``corpus._seeds``; in a plain checkout they sit at the top.
    try:
        return Path(str(_res.files(f"corpus.{name}")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / name.lstrip("_")


def resource_path(name: str) -> Path:
    """Path of a file in ``resources/`` (e.g. ``"labels.json"``)."""
    return _package_dir("_resources") / name


def seeds_dir() -> Path:
    """The folder holding the seed articles the demo project is built from."""
    return _package_dir("_seeds")


def default_labels() -> list[Label]:
    """The default label schema: spaCy's English entity labels and a few news relations."""
    data = json.loads(resource_path("labels.json").read_text(encoding="utf-8"))
    return [
        Label(name=d["name"], kind=LabelKind(kind), color=d["color"], hotkey=d.get("hotkey", ""),
              description=d.get("description", ""))
        for kind in ("entity", "relation")
        for d in data[kind]
    ]


@lru_cache(maxsize=1)
def label_colours() -> tuple[str, ...]:
    """The colours given to new labels, in order: the default entity labels' colours (chosen at
    least 20 CIE76 apart and legible under dark text). The labels dialog proposes the first one
    no label uses yet; an import gives a new label one of them by its name."""
    return tuple(lab.color for lab in default_labels() if lab.kind is LabelKind.ENTITY)
