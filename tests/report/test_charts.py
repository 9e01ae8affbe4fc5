"""Charts draw Chinese as glyphs, never as empty boxes: any "Glyph … missing" warning fails a test."""

import io
import types
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from civsim.errors import CivsimError
from civsim.report import charts

PROGRAMS = list(charts.PROGRAM_LABELS)


def results(scenarios=("baseline",), year=2021, months=12, programs=PROGRAMS):
    """A small frame shaped like the engine's: jurisdiction × scenario × month × program × area."""
    rows = []
    for s, scenario in enumerate(scenarios):
        for month in pd.period_range(f"{year}-01", periods=months, freq="M"):
            for p, program in enumerate(programs):
                for area in ("urban", "rural"):
                    persons = 100 + 10 * p + month.month
                    rows.append(
                        {
                            "jurisdiction": "420112",
                            "scenario": scenario,
                            "month": month,
                            "program": program,
                            "area": area,
                            "households": persons // 2,
                            "persons": persons,
                            "person_times": persons,
                            "amount_yuan": persons * 800.0 * (1 + 0.05 * s),
                        }
                    )
    frame = pd.DataFrame(rows)
    frame["month"] = frame["month"].astype("period[M]")
    return frame


def draw(fig):
    """Render to PNG with every warning an error, so a missing glyph fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def texts(fig):
    ax = fig.axes[0]
    legend = ax.get_legend()
    found = [ax.get_title(), ax.get_ylabel()] + [t.get_text() for t in ax.get_xticklabels()]
    return found + ([t.get_text() for t in legend.get_texts()] if legend else [])


def test_use_cjk_font_selects_noto():
    family = charts.use_cjk_font()
    assert family in charts.CJK_FAMILIES
    assert matplotlib.rcParams["font.family"][0] == family
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_program_labels_are_the_declared_lines():
    from civsim.programs import LINES

    assert charts.PROGRAM_LABELS == LINES
    assert charts.PROGRAM_LABELS["dibao"] == "低保"
    assert charts.program_label("new_program") == "new_program"


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.monthly_caseload(results()),
        lambda: charts.monthly_caseload(results(), programs=["dibao", "tekun"]),
        lambda: charts.monthly_money(results()),
        lambda: charts.monthly_money(results(), programs=["temporary"]),
        lambda: charts.year_on_year(results(year=2021), results(year=2020)),
        lambda: charts.scenario_vs_baseline(results(scenarios=("baseline", "dibao_plus_5pct"))),
        lambda: charts.monthly_money(results(year=2020, months=15)),  # crosses a year: 2021年1月 labels
    ],
    ids=["caseload", "caseload-some", "money", "money-one", "year-on-year", "scenario", "two-years"],
)
def test_every_chart_renders_chinese_without_missing_glyphs(make):
    fig = make()
    assert isinstance(fig, Figure)
    png = draw(fig)
    assert png.startswith(b"\x89PNG")
    assert any("\u4e00" <= ch <= "\u9fff" for text in texts(fig) for ch in text)


def test_the_glyph_check_would_catch_a_font_without_chinese():
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig = Figure()
        fig.add_subplot().set_title("低保")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.savefig(io.BytesIO(), format="png")


def test_missing_cjk_font_names_the_fix(monkeypatch):
    monkeypatch.setattr(font_manager, "fontManager", types.SimpleNamespace(ttflist=[], addfont=lambda p: None))
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.raises(CivsimError) as err:
        charts.use_cjk_font()
    assert "apt-get install fonts-noto-cjk" in str(err.value)
    assert "make test" in str(err.value)


def test_labels_and_values():
    frame = results(months=10)
    fig = charts.monthly_money(frame, programs=["dibao", "tekun"])
    assert texts(fig)[2:12] == [f"{m}月" for m in range(1, 11)]
    assert "低保" in texts(fig) and "特困供养" in texts(fig)
    ax = fig.axes[0]
    heights = np.array([bar.get_height() for bar in ax.patches])
    expected = frame[frame.program.isin(["dibao", "tekun"])].amount_yuan.sum() / 10_000
    assert heights.sum() == pytest.approx(expected)
    assert ax.get_ylabel() == "金额（万元）"

    fig = charts.year_on_year(results(year=2021), results(year=2020))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["2020年", "2021年"]


def test_caseload_skips_programs_without_persons():
    frame = results(programs=["dibao", "care_institution"])
    frame.loc[frame.program == "care_institution", "persons"] = 0
    legend = [t.get_text() for t in charts.monthly_caseload(frame).axes[0].get_legend().get_texts()]
    assert legend == ["低保"]


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: charts.monthly_money(results(scenarios=("baseline", "reform"))), "scenario"),
        (lambda: charts.monthly_money(results().drop(columns="amount_yuan")), "amount_yuan"),
        (lambda: charts.monthly_money(results().assign(month="2021-01")), "Periods"),
        (lambda: charts.monthly_money(results(), programs=["nope"]), "nope"),
        (lambda: charts.scenario_vs_baseline(results()), "baseline"),
        (lambda: charts.monthly_caseload(results().iloc[0:0]), "no rows"),
        (lambda: charts.year_on_year(results(), results(year=2020).assign(jurisdiction="120110")), "same jurisdiction"),
    ],
)
def test_bad_frames_fail_with_a_clear_error(call, words):
    with pytest.raises(CivsimError, match=words):
        call()


def test_save_png_is_atomic(tmp_path):
    path = charts.save_png(charts.monthly_money(results()), tmp_path / "sub" / "money.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in path.parent.iterdir()] == ["money.png"]

    class Broken(Figure):
        def savefig(self, *args, **kwargs):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        charts.save_png(Broken(), path)
    assert path.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in path.parent.iterdir()] == ["money.png"]
