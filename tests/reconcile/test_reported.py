"""data/reported: every figure of the seed documents, quoted verbatim, value readable from the quote."""

import re

import pytest

from civsim import reported_figures
from civsim.errors import CivsimError
from conftest import SEEDS

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _numbers(quote: str) -> list[float]:
    compact = re.sub(r"(?<=\d)[ ,，](?=\d)", "", quote)
    return [float(n) for n in NUMBER.findall(compact)]


def test_well_over_a_hundred_rows_from_all_five_documents():
    table = reported_figures.load()
    assert len(table) > 150
    assert table.loc[table["source"].str.endswith(".txt"), "source"].nunique() == 5


def test_a_figure_beyond_the_seeds_names_its_document_by_title():
    table = reported_figures.load()
    others = table[~table["source"].str.endswith(".txt")]
    assert set(others["jurisdiction"]) == {"350213"} and set(others["file"]) == {"350213_xiangan_2023.csv"}
    assert others["source"].str.contains("翔安区").all() and others["quote"].str.len().gt(10).all()
    for row in others.itertuples():  # the value is read from the quote, as for the seeds
        candidates = [n * f for n in _numbers(row.quote) for f in (1, 1e4, 1e8)]
        assert any(abs(c - row.value) <= 1e-6 * max(1, row.value) for c in candidates), (row.quote, row.value)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents live outside the repository")
def test_quotes_are_verbatim_and_hold_the_value():
    seeds = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for row in reported_figures.load().itertuples():
        if row.source not in seeds and not row.source.endswith(".txt"):
            continue  # a public document outside the seeds, cited by title (checked above)
        assert row.quote in seeds[row.source], (row.file, row.quote)
        candidates = [n * f for n in _numbers(row.quote) for f in (1, 1e4, 1e8)]
        assert any(abs(c - row.value) <= 1e-6 * max(1, row.value) for c in candidates), (row.file, row.quote, row.value)


def test_values_are_in_base_units():
    table = reported_figures.load()
    dibao = table[(table.jurisdiction == "420112") & (table.program == "dibao") & (table.measure == "amount_yuan")]
    assert dibao["value"].tolist() == [12191600]


@pytest.mark.parametrize(
    "text, match",
    [
        ("jurisdiction,year,program,area,measure,period,value,source\n", "missing column.*quote"),
        (
            "jurisdiction,year,program,area,measure,period,value,source,quote\n420112,2020,dibao,all,persons,2020-10,abc,s,q\n",
            "row 2, column value",
        ),
        (
            "jurisdiction,year,program,area,measure,period,value,source,quote\n420112,2020,dibao,all,persons,Oct,1,s,q\n",
            "row 2, column period",
        ),
        (
            "jurisdiction,year,program,area,measure,period,value,source,quote\n420112,2020,dibao,town,persons,2020-10,1,s,q\n",
            "row 2, column area",
        ),
        (
            "jurisdiction,year,program,area,measure,period,value,source,quote\n420112,2020,dibao,all,persons,2020-10,1,s,q\n"
            "420112,2020,dibao,all,persons,2020-10,1,s,q\n",
            "row 3: duplicate row",
        ),
    ],
)
def test_bad_reported_csv(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CivsimError, match=match):
        reported_figures.read(path)


def test_gbk_file_is_read(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(
        "jurisdiction,year,program,area,measure,period,value,source,quote\n"
        "420112,2020,dibao,all,persons,2020-10,269,s,在册城市低保221户269人\n".encode("gb18030")
    )
    assert reported_figures.read(path)["quote"].iloc[0] == "在册城市低保221户269人"
