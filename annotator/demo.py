"""The demo project: the seed articles, imported and suggested, ready for the window.

Pure functions (no Qt): the window decides *where* the demo lives (the user's data folder,
found with Qt's ``QStandardPaths``) and calls :func:`demo_job` in a worker thread.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

from annotator.progress import Progress
from corpus.model import Document
from corpus.resources import default_labels, seeds_dir
from corpus.store import Store

__all__ = ["DEMO_FILENAME", "demo_path", "seed_files", "import_seeds", "demo_job", "needs_building"]

DEMO_FILENAME = "demo.db"


def demo_path(folder: str | Path) -> Path:
    """Where the demo project lives inside ``folder`` (created when missing)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / DEMO_FILENAME


def seed_files(folder: str | Path | None = None) -> list[Path]:
    """The seed articles, by name."""
    return sorted(Path(folder or seeds_dir()).glob("*.txt"))


def needs_building(store: Store) -> bool:
    """True while the demo project has no documents or no suggestions yet."""
    if store.count_documents() == 0:
        return True
    return not any(store.suggested_layers(d) for d in store.document_ids()[:1])


def import_seeds(store: Store, folder: str | Path | None = None) -> Generator[Progress, None, int]:
    """Import the seed articles (plain text, one document per file); returns how many are new."""
    files = seed_files(folder)
    if not store.labels():
        store.set_labels(default_labels())
    try:
        from annotator import importing  # written by another engineer; preferred when present
    except ImportError:
        importing = None  # type: ignore[assignment]
    if importing is not None and hasattr(importing, "import_job"):
        report = yield from importing.import_job(store, [str(f) for f in files])
        return int(getattr(report, "documents_added", 0) or 0)
    from annotator.tokenize import tokenize

    docs = []
    for i, f in enumerate(files):
        text = f.read_text(encoding="utf-8")
        tokens, sents = tokenize(text)
        docs.append(Document(text=text, name=f.stem, tokens=tokens, sents=sents, meta={"source": f.name}))
        yield Progress(i + 1, len(files), f"reading {f.name}")
    created = store.add_documents(docs)
    return sum(1 for _, new in created if new)


def demo_job(store: Store, folder: str | Path | None = None, suggest: bool = True) -> Generator[Progress, None, dict]:
    """Build the demo: import the seeds, then run the default suggesters (model + propagation)."""
    n = yield from import_seeds(store, folder)
    report = None
    if suggest:
        from annotator.suggest import suggest_job

        report = yield from suggest_job(store)
    return {"imported": n, "documents": store.count_documents(), "suggest": report}
