"""The project store: the only package that writes SQL (see :mod:`corpus.store.core`)."""

import sys


def _import_sqlite_utils_without_pandas() -> None:
    """Import sqlite-utils without letting it import pandas.

    sqlite-utils imports pandas at import time when pandas is installed (for DataFrame support
    this program never uses): about 0.3 s of the window's start-up wherever another package
    brought pandas in. It is imported here with pandas hidden; a later ``import pandas`` (by
    anyone) works as usual.
    """
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        return
    sys.modules["pandas"] = None  # type: ignore[assignment]  # "not installed" for this import
    try:
        import sqlite_utils  # noqa: F401
    finally:
        if sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]


_import_sqlite_utils_without_pandas()


from corpus.store.core import (  # noqa: E402
    APP_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    open_other_project,
    open_store,
)

__all__ = ["APP_ID", "MIGRATIONS", "SCHEMA_VERSION", "Store", "open_store", "open_other_project"]
