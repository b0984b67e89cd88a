"""brat discontinuous spans by option: refused by default, or left out, covering span, or
fragments linked by a relation (the example of brat's standoff format documentation)."""

from pathlib import Path

import pytest

from annotator.cli import main
from annotator.importing import import_paths
from corpus.errors import InputError
from corpus.store import Store

TXT = Path(__file__).resolve().parent.parent / "data" / "interop" / "brat" / "standoff_doc_discontinuous.txt"


def _content(st: Store) -> tuple[list, list]:
    (doc_id,) = st.document_ids()
    text = st.get_document(doc_id).text
    spans = {sp.id: sp for sp in st.spans(doc_id)}
    named = sorted((text[sp.start:sp.end], sp.label) for sp in spans.values())
    rels = sorted((text[spans[r.head].start:spans[r.head].end], text[spans[r.child].start:spans[r.child].end], r.label)
                  for r in st.relations(doc_id))
    return named, rels


def test_refused_by_default_naming_the_option(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as st:
        with pytest.raises(InputError, match=r"line 1: T1 is a discontinuous span \(0 5;16 23\); import with "
                                             r"--brat-discontinuous"):
            import_paths(st, [TXT])


@pytest.mark.parametrize("mode, spans, rels", [
    ("skip", [("South America", "Location")], []),
    ("cover", [("North and South America", "Location"), ("South America", "Location")],
     [("North and South America", "South America", "Same")]),
    ("fragments", [("America", "Location"), ("North", "Location"), ("South America", "Location")],
     [("North", "America", "fragment"), ("North", "South America", "Same")]),
])
def test_each_option(tmp_path: Path, mode: str, spans: list, rels: list) -> None:
    db = tmp_path / "p.db"
    assert main(["import", str(db), str(TXT), "--brat-discontinuous", mode]) == 0
    with Store(db, create=False) as st:
        assert _content(st) == (spans, rels)
