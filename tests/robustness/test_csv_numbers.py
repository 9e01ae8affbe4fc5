"""Property: a checked CSV's numeric column reads as pandas reads it (``pd.to_numeric`` with
``errors="coerce"``): the same type, the same doubles to the bit, NaN in the same cells, whichever
parser read it."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from civsim import tables
from civsim.errors import CivsimError

EDGES = ["", "+1", "-0", "00012", "1.", ".5", "1e3", "1E-3", "inf", "-Infinity", "nan", "NA", "None",
         "1_000", "1,000", "0x10", "１２", "1.5.2", "9007199254740992", "9007199254740993", "1e400",
         "-9223372036854775809", "abc"]  # fmt: skip
cells = st.one_of(
    st.sampled_from(EDGES),
    st.integers(-(10**18), 10**18).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(-1e6, 1e6).map(lambda x: f"{x:.2f}"),
    st.text("0123456789+-.eE", max_size=6),
)
# a column of one kind (all whole, all decimal) as well as a mix: each takes its own path
columns = st.one_of(
    st.lists(st.integers(-(10**6), 10**6).map(str), max_size=30),
    st.lists(st.floats(-1e9, 1e9).map(repr), max_size=30),
    st.lists(cells, max_size=30),
)


def same(got: pd.Series, expected: pd.Series) -> None:
    assert got.dtype == expected.dtype and got.index.equals(expected.index)
    a, b = got.to_numpy(), expected.to_numpy()
    if a.dtype.kind == "f":
        assert (np.isnan(a) == np.isnan(b)).all()
        a, b = np.nan_to_num(a), np.nan_to_num(b)
    assert (a.view(np.uint8) == b.view(np.uint8)).all()


@pytest.mark.case("properties")
@settings(max_examples=300, deadline=None, derandomize=True)
@given(columns, st.lists(st.booleans(), max_size=30))
def test_a_column_reads_as_pandas_reads_it(texts, missing):
    text = pd.Series(texts, dtype="str", index=range(5, 5 + len(texts)))
    text = text.where(~pd.Series((missing + [False] * len(texts))[: len(texts)], index=text.index, dtype=bool))
    same(tables._numbers(text), pd.to_numeric(text, errors="coerce"))


@pytest.mark.case("data")
@pytest.mark.parametrize(
    "cell, kind, read",
    [
        ("+1", "int", 1),  # Arrow refuses the sign: pandas reads the column
        ("12", "float", 12),  # a column of whole numbers stays whole
        ("9007199254740992", "int", 2**53),  # the largest integer a double holds exactly
    ],
)
def test_cells_read_whichever_parser_reads_the_column(tmp_path, cell, kind, read):
    path = tmp_path / "t.csv"
    path.write_text(f"a,b\n{cell},1.5\n", encoding="utf-8")
    table = tables.read_csv(path, {"a": kind, "b": "float"})
    assert table["a"].tolist() == [read] and table["b"].tolist() == [1.5]


@pytest.mark.case("data")
@pytest.mark.parametrize("cell", ["9007199254740993", "-9223372036854775808", "1e400", "NA", "1_000"])
def test_a_cell_no_parser_reads_exactly_is_refused(tmp_path, cell):
    path = tmp_path / "t.csv"
    path.write_text(f"a\n1\n{cell}\n", encoding="utf-8")
    with pytest.raises(CivsimError, match="row 3, column a"):
        tables.read_csv(path, {"a": "int"})
