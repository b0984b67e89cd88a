"""The project store: the only package that writes SQL (see :mod:`corpus.store.core`)."""

from corpus.store.core import (
    APP_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    open_other_project,
    open_store,
)

__all__ = ["APP_ID", "MIGRATIONS", "SCHEMA_VERSION", "Store", "open_store", "open_other_project"]
