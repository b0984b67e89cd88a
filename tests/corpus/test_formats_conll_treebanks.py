"""Dependency treebanks (CoNLL-X, CoNLL-U) are refused by name with the line, never read as NER
columns (their first column is a token ID). Lines from spaCy's converter tests (NorNE)."""

import shutil
from pathlib import Path

import pytest

from corpus.errors import InputError
from corpus.formats.conll import dependency_format, read_conll
from corpus.formats.detect import detect_format

DATA = Path(__file__).resolve().parent.parent / "data" / "interop" / "conll"
NORNE = DATA / "norne_spacy_test_cli.conllu"
SUBTOKENS = DATA / "norne_subtokens_spacy_test_cli.conllu"


def test_conllu_with_ner_in_the_last_column_is_refused_not_read_as_ids(tmp_path: Path) -> None:
    # the last column holds IOB tags, so a reader taking "first column = word, last = tag"
    # would import "1 2 3 4" as the text
    f = tmp_path / "norne.conll"
    shutil.copy(NORNE, f)
    with pytest.raises(InputError, match=r"norne\.conll, line 1: CoNLL-U \(a dependency treebank.*spacy convert"
                                         r".*the line: '1\\tDommer"):
        list(read_conll(f))


def test_conllu_suffix_is_detected_and_refused_by_name() -> None:
    assert detect_format(SUBTOKENS) == "conll"
    with pytest.raises(InputError, match=r"line 1: CoNLL-U \(a dependency treebank"):
        list(read_conll(SUBTOKENS))


def test_comment_lines_and_conllx() -> None:
    assert dependency_format("# sent_id = 1") == "CoNLL-U"
    assert dependency_format("2-3\tFE\t_\t_\t_\t_\t_\t_\t_\t_") == "CoNLL-U"
    assert dependency_format("3\tEilertsen\tEilertsen\tPROPN\t_\t_\t2\tname\t_\t_") == "CoNLL-X"
    assert dependency_format("London NNP B-NP B-LOC") is None
    assert dependency_format("1\tLondon\tB-LOC") is None


def test_conllx_file_is_refused_with_its_name(tmp_path: Path) -> None:
    f = tmp_path / "tb.conllx"
    f.write_text("1\tThe\tthe\tDT\tDT\t_\t2\tdet\t_\t_\n2\tcat\tcat\tNN\tNN\t_\t0\tROOT\t_\t_\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"tb\.conllx, line 1: CoNLL-X \(a dependency treebank"):
        list(read_conll(f))
