"""The agreement measures as registry entries (spaCy's registries are the model).

A measure is one :class:`Measure`: its name (the key in the report's JSON), a title and a short
column header for people, what it is computed from, at which levels it gives values (over all
pairs, per pair of annotators, per label), its compute function and how its value is written.
The agreement report (:mod:`annotator.agreement_report`), the ``annotator agreement`` table and
the window's dashboard read :data:`measures` and know no measure by name.

Adding a measure is one module with its compute function and its registration::

    from annotator.agreement import AgreementData, MeasureValues, measures

    @measures.register("token_observed", title="Observed agreement (tokens)", short="obs",
                       takes="token labels", scopes=("overall", "pair"))
    def token_observed(data: AgreementData) -> MeasureValues:
        ...

The module must be imported before the report runs (the built-in measures are registered in
:mod:`annotator.agreement.builtin_measures`, imported by the package).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from annotator.agreement.data import AgreementData

__all__ = ["Scope", "SCOPES", "RESERVED_NAMES", "Measure", "MeasureValues", "MeasureRegistry", "measures"]

Scope = Literal["overall", "pair", "label"]
#: Where a measure's values go in the report: ``overall[name]``, ``pairs[i][name]``,
#: ``per_label[label][name]``.
SCOPES: tuple[Scope, ...] = ("overall", "pair", "label")

#: Keys of the report that are counts, not measures: no measure may take these names.
RESERVED_NAMES = frozenset({"a", "b", "documents", "tokens", "tp", "fp", "fn", "spans"})


def three_digits(value: float) -> str:
    """A coefficient as people read it in the tables: three decimals."""
    return f"{value:.3f}"


@dataclass(frozen=True)
class MeasureValues:
    """What a measure computed: NaN (or ``None``) where it is undefined.

    ``pairs`` is keyed by annotator indices ``(a, b)`` as in :attr:`AgreementData.pairs`,
    ``labels`` by label name. ``notes`` say why a value could not be computed (one line each,
    starting with the measure's name).
    """

    overall: float | None = None
    pairs: Mapping[tuple[int, int], float | None] = field(default_factory=dict)
    labels: Mapping[str, float | None] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measure:
    """One agreement measure: what it is called, what it takes, how it is computed and written."""

    name: str
    title: str
    short: str
    takes: str
    scopes: tuple[Scope, ...]
    compute: Callable[[AgreementData], MeasureValues]
    description: str = ""
    format_value: Callable[[float], str] = three_digits

    def text(self, value: float | None, missing: str = "-") -> str:
        """The value as text, ``missing`` when it could not be computed."""
        if value is None or value != value:  # None or NaN
            return missing
        return self.format_value(value)

    def has(self, scope: Scope) -> bool:
        """Whether the measure gives values at this level."""
        return scope in self.scopes


class MeasureRegistry:
    """The registered measures, in the order they were registered (the order of the tables)."""

    def __init__(self) -> None:
        self._measures: dict[str, Measure] = {}

    def add(self, measure: Measure) -> Measure:
        """Register a measure; a name taken (or reserved for the report's counts) is an error."""
        if measure.name in self._measures:
            raise ValueError(f"an agreement measure named {measure.name!r} is already registered")
        if measure.name in RESERVED_NAMES:
            raise ValueError(f"{measure.name!r} is a count of the agreement report, not a measure name")
        unknown = [s for s in measure.scopes if s not in SCOPES]
        if unknown or not measure.scopes:
            raise ValueError(
                f"measure {measure.name!r}: scopes must be some of {', '.join(SCOPES)}, got {measure.scopes!r}"
            )
        self._measures[measure.name] = measure
        return measure

    def register(
        self,
        name: str,
        *,
        title: str,
        takes: str,
        scopes: tuple[Scope, ...],
        short: str | None = None,
        description: str = "",
        format_value: Callable[[float], str] = three_digits,
    ) -> Callable[[Callable[[AgreementData], MeasureValues]], Callable[[AgreementData], MeasureValues]]:
        """Decorator registering a compute function as the measure ``name`` (returns the function)."""

        def decorate(compute: Callable[[AgreementData], MeasureValues]) -> Callable[[AgreementData], MeasureValues]:
            self.add(Measure(name, title, short or title, takes, tuple(scopes), compute, description, format_value))
            return compute

        return decorate

    def remove(self, name: str) -> Measure:
        """Unregister a measure and return it."""
        try:
            return self._measures.pop(name)
        except KeyError:
            raise KeyError(f"no agreement measure named {name!r}") from None

    def get(self, name: str) -> Measure:
        """The measure called ``name``."""
        try:
            return self._measures[name]
        except KeyError:
            raise KeyError(f"no agreement measure named {name!r} (known: {', '.join(self._measures)})") from None

    def all(self) -> tuple[Measure, ...]:
        """Every measure, in registration order."""
        return tuple(self._measures.values())

    def with_scope(self, scope: Scope) -> tuple[Measure, ...]:
        """The measures that give values at ``scope`` (``overall``, ``pair`` or ``label``)."""
        return tuple(m for m in self._measures.values() if scope in m.scopes)

    def __iter__(self) -> Iterator[Measure]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._measures)

    def __contains__(self, name: object) -> bool:
        return name in self._measures


#: The agreement measures every report, table and dashboard shows.
measures = MeasureRegistry()
