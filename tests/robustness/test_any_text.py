"""Property: any UTF-8 or GBK text given to any loader — as a whole file, or spliced into a valid
one — yields civsim's own one-line error or a valid result, never another exception."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from civsim import cpi, districts, params, provincial, reported_figures, scenarios
from civsim.errors import CivsimError

from .test_rolls_and_data import load_roll, make_roll

pytestmark = pytest.mark.slow  # every loader fuzzed with 60 texts each: seconds of CPU per loader

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

utf8 = st.text(st.characters(codec="utf-8"), max_size=300)
gbk = st.text(st.characters(codec="gbk"), max_size=300)


def check_params(path: Path):
    params._load.cache_clear()
    loaded = params.load("东西湖区", path.parents[1])
    for row in loaded.resolve("2021-06"):
        assert math.isfinite(row["value"]) and row["value"] >= 0


def check_scenario(path: Path):
    scenario = scenarios.load(str(path))
    for change in scenario.changes:
        amount = change.percent if change.percent is not None else change.value
        assert math.isfinite(amount)
    scenarios.apply(params.load("东西湖区"), scenario, 2021)


def check_reported(path: Path):
    table = reported_figures.read(path)
    assert np.isfinite(table["value"]).all() and (table["value"] >= 0).all()
    for period in table["period"]:
        reported_figures.parse_period(period)


def check_districts(path: Path):
    table = districts.load_districts.__wrapped__(path)
    for d in table.values():
        assert len(d.code) == 6 and d.code.isdigit()


def check_households(path: Path):
    roll = load_roll(path.parent)
    size = roll.households["size"]
    assert ((size >= 1) & (size <= 50)).all() and not np.isinf(
        roll.households["income"]
    ).any()  # NaN: not income-tested


def check_persons(path: Path):
    roll = load_roll(path.parent)
    assert roll.persons["self_care"].isin([0, 1, 2]).all() and roll.persons["age"].between(0, 130).all()


def check_cpi(path: Path):
    table = cpi.series.__wrapped__("全国", path)
    assert table.index.year.min() >= 1000


def check_provincial(path: Path):
    for row in provincial._read.__wrapped__(path, 0, 0):  # uncached: every example is a new text
        assert 0 < row["ratio"] <= 1 and row["source"] and row["quote"]


def check_yaml(path: Path):
    params.read_yaml(path)


# loader -> (file written, a valid text to splice into, check of a loaded result)
LOADERS = {
    "parameters": ("420112-dongxihu/dibao.yaml", (ROOT / "params/420112-dongxihu/dibao.yaml"), check_params),
    "scenario": ("scenarios/some.yaml", (ROOT / "params/scenarios/dibao_plus5_july.yaml"), check_scenario),
    "reported figures": ("figures.csv", (ROOT / "data/reported/004_dongxihu_2020.csv"), check_reported),
    "districts": ("districts.csv", (ROOT / "civsim/data/districts.csv"), check_districts),
    "roll households": ("roll/households.csv", None, check_households),
    "roll persons": ("roll/persons.csv", None, check_persons),
    "cpi": ("cpi.csv", (ROOT / "civsim/data/cpi_cn_monthly.csv"), check_cpi),
    "provincial 低保 averages": ("dibao_provincial.csv", (ROOT / "civsim/data/dibao_provincial.csv"), check_provincial),
    "yaml document": ("plans/420112-2021.yaml", (ROOT / "params/plans/420112-2021.yaml"), check_yaml),
}


@st.composite
def contents(draw, valid: str):
    """Bytes of a file: arbitrary text, or a valid text with a slice replaced; UTF-8 or GBK."""
    encoding = draw(st.sampled_from(["utf-8", "gbk"]))
    noise = draw(utf8 if encoding == "utf-8" else gbk)
    if valid and draw(st.booleans()):
        lines = valid.splitlines(keepends=True)[:40]
        text = "".join(lines)
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        noise = text[:start] + noise + text[end:]
    return noise.encode(encoding, errors="replace")


@pytest.mark.case("properties")
@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", LOADERS)
def test_any_text_gives_a_civsim_error_or_a_valid_result(tmp_path, name):
    relative, template, check = LOADERS[name]
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.startswith("roll"):
        make_roll(path.parent)
    valid = path.read_text(encoding="utf-8") if name.startswith("roll") else template.read_text(encoding="utf-8")

    @SETTINGS
    @given(data=contents(valid))
    def feed(data):
        path.write_bytes(data)
        try:
            check(path)
        except CivsimError as exc:
            assert "\n" not in str(exc) and str(exc)

    feed()
