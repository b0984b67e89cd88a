"""Progress reporting shared by the command line and the window.

Long jobs are plain generators yielding :class:`Progress`; the command line turns each into a
tqdm bar update, the window's worker into a Qt signal. A job never prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import sys

__all__ = ["Progress", "run_with_bar", "drain"]

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """One step of a long job: ``done`` of ``total`` units (``total`` 0 when unknown)."""

    done: int
    total: int = 0
    message: str = ""
    unit: str = "doc"


@dataclass
class JobResult(Generic[T]):
    """Holder for the value a job generator returns (``StopIteration.value``)."""

    value: T | None = None


def drain(job: Iterator[Progress]) -> object:
    """Run a job to its end without reporting; returns the generator's return value."""
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value


def run_with_bar(job: Iterator[Progress], desc: str, *, enabled: bool | None = None) -> object:
    """Run a job with a tqdm progress bar on stderr; returns the generator's return value.

    The bar shows the rate (documents per second). Disabled when stderr is not a terminal,
    unless ``enabled`` says otherwise.
    """
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    bar = tqdm(desc=desc, disable=not enabled, unit="doc", dynamic_ncols=True, file=sys.stderr)
    try:
        while True:
            try:
                p = next(job)
            except StopIteration as stop:
                return stop.value
            if bar.disable:
                continue
            if p.total and bar.total != p.total:
                bar.total = p.total
            if p.unit and bar.unit != p.unit:
                bar.unit = p.unit
            bar.update(p.done - bar.n)
            if p.message:
                bar.set_postfix_str(p.message, refresh=False)
    finally:
        bar.close()


