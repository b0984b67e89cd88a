"""Issue 12, problem 7: brat event triggers stay out of the entity labels, and the exported
``annotation.conf`` is valid under brat's rules for what we export (published BioNLP-ST 2011
documents from brat's example-data; the verifier is tests/brat_rules.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from brat_rules import verify_folder

from annotator.export import export
from annotator.importing import import_paths
from corpus.model import LabelKind
from corpus.store import Store

BRAT = Path(__file__).resolve().parent.parent / "data" / "interop" / "brat"
GE = BRAT / "bionlp_st_2011_ge"
ID = BRAT / "bionlp_st_2011_id"


def _copy(folder: Path, dest: Path, conf: bool = True) -> Path:
    dest.mkdir()
    for f in folder.iterdir():
        if conf or f.name != "annotation.conf":
            shutil.copy(f, dest / f.name)
    return dest


def test_event_triggers_are_left_out_of_the_entities_with_a_warning(tmp_path: Path) -> None:
    # PMID-10064103: 2 Protein entities, 2 Positive_regulation triggers (T3, T4) of E1 and E2
    for conf in (True, False):  # the E lines name the triggers even without annotation.conf
        folder = _copy(GE, tmp_path / f"ge-{conf}", conf)
        with Store(tmp_path / f"p-{conf}.db") as st:
            report = import_paths(st, [folder])
            (doc_id,) = st.document_ids()
            assert sorted(sp.label for sp in st.spans(doc_id)) == ["Protein", "Protein"]
            assert "Positive_regulation" not in st.label_names(LabelKind.ENTITY)
            assert any("2 event trigger(s) (Positive_regulation)" in w and "not imported" in w
                       for w in report.warnings), report.warnings


def test_event_types_of_annotation_conf_and_relations_to_triggers(tmp_path: Path) -> None:
    folder = _copy(GE, tmp_path / "ge")
    # a trigger no E line uses (brat warns, still a trigger) and a relation to a trigger
    (folder / "PMID-10064103.ann").write_text(
        "T1\tProtein 889 901\tNF-kappaBp65\nT2\tProtein 1035 1049\tthrombomodulin\n"
        "T3\tPositive_regulation 838 846\tstronger\nR1\tEquiv Arg1:T3 Arg2:T1\nR2\tEquiv Arg1:T1 Arg2:T2\n",
        encoding="utf-8")
    with Store(tmp_path / "p.db") as st:
        report = import_paths(st, [folder])
        assert report.spans == 2 and report.relations == 1
        assert any("1 event trigger(s) (Positive_regulation), and 1 relation(s) to them," in w
                   for w in report.warnings), report.warnings


def test_export_of_a_bionlp_st_document_passes_brats_rules(tmp_path: Path) -> None:
    assert verify_folder(ID) == {}  # the original: Protein inside Regulon-operon (ENTITY-NESTING)
    with Store(tmp_path / "p.db") as st:
        report = import_paths(st, [ID])
        assert report.spans == 107  # 112 T lines: the 5 triggers left out
        assert not {"Gene_expression", "Process", "Binding"} & set(st.label_names(LabelKind.ENTITY))
        export(st, tmp_path / "out", "brat", layer="brat")
    conf = (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    assert "<OVERLAP>\tArg1:Protein, Arg2:Regulon-operon, <OVL-TYPE>:contain\n" in conf
    assert verify_folder(tmp_path / "out") == {}
