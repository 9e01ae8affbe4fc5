"""civsim district new: one row in districts.csv and a folder of stubs, or nothing at all."""

import pytest

from civsim import cli, district_new, districts
from civsim.errors import CivsimError
from civsim.params import _read_folder
from conftest import district_place


@pytest.fixture
def place(tmp_path):
    """A copy of districts.csv and an empty params folder holding only 厦门市's own dibao.yaml."""
    yield district_place(tmp_path, tmp_path / "districts.csv")
    districts.load_districts.cache_clear()


def test_writes_the_row_and_a_folder_of_stubs(place):
    csv, root = place
    row, folder = district_new.new("350203", "思明区", "350200", "siming", csv=csv, root=root)
    assert csv.read_text(encoding="utf-8").splitlines()[-1] == "350203,思明区,siming,350200,district"
    assert districts.load_districts(csv)["350203"] == row and row.slug == "350203-siming" == folder.name
    stubs = {p.stem for p in folder.glob("*.yaml")}
    assert {"tekun", "temporary", "children", "supplements"} <= stubs
    assert "dibao" not in stubs  # 厦门市 declares the 低保 standard: no stub to override it
    text = (folder / "tekun.yaml").read_text(encoding="utf-8")
    assert "特困照料护理标准（全自理）" in text and "unit: yuan/person/month" in text and "出处：" in text
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_a_stub_does_not_load_as_zero(place):
    csv, root = place
    _, folder = district_new.new("350203", "思明区", "350200", "siming", csv=csv, root=root)
    with pytest.raises(CivsimError, match=r"350203-siming/[a-z_]+\.yaml: [a-z_.]+: missing values"):
        _read_folder(folder)


def test_a_province_has_no_parent_and_a_city_needs_one(place):
    csv, root = place
    assert district_new.new("360000", "江西省", None, "jiangxi", csv=csv, root=root)[0].level == "province"
    with pytest.raises(CivsimError, match="--parent: missing"):
        district_new.new("360100", "南昌市", None, "nanchang", csv=csv, root=root)


@pytest.mark.parametrize(
    "args, message",
    [
        (("350213", "翔安区", "350200", "xiangan"), "350213: already listed as 翔安区"),
        (("350299", "厦门市", "350200", "xiamenx"), "厦门市: name already listed"),
        (("35021", "某区", "350200", "mou"), "bad code '35021'"),
        (("350299", "某 区", "350200", "mou"), "bad name"),
        (("350299", "某区", "350200", "Mou"), "bad pinyin"),
        (("350299", "某区", "999900", "mou"), "999900: not listed"),
        (("350299", "某区", "120000", "mou"), "cannot hold 350299"),
        (("360000", "某省", "120000", "mou"), "province-level code"),
    ],
)
def test_refuses_bad_rows_leaving_the_file_untouched(place, args, message):
    csv, root = place
    before = csv.read_bytes()
    with pytest.raises(CivsimError, match=message) as caught:
        district_new.new(*args, csv=csv, root=root)
    assert "\n" not in str(caught.value)
    assert csv.read_bytes() == before and sorted(p.name for p in root.iterdir()) == ["350200-xiamen"]


def test_an_existing_folder_for_the_code_is_refused(place):
    csv, root = place
    (root / "350203-simingqu").mkdir()
    before = csv.read_bytes()
    with pytest.raises(CivsimError, match="folder already exists"):
        district_new.new("350203", "思明区", "350200", "siming", csv=csv, root=root)
    assert csv.read_bytes() == before


def test_a_failure_after_the_row_is_written_takes_the_row_back(place, monkeypatch):
    csv, root = place
    before = csv.read_bytes()

    def refuse(*_):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(district_new.os, "rename", refuse)
    with pytest.raises(CivsimError, match="cannot create the folder"):
        district_new.new("350203", "思明区", "350200", "siming", csv=csv, root=root)
    assert csv.read_bytes() == before
    assert sorted(p.name for p in root.iterdir()) == ["350200-xiamen"]


def test_the_command_refuses_a_duplicate_in_one_line(capsys):
    before = districts.DISTRICTS_CSV.read_bytes()
    assert cli.main(["district", "new", "350213", "翔安区", "--parent", "350200", "--pinyin", "xiangan"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "350213: already listed as 翔安区" in err
    assert districts.DISTRICTS_CSV.read_bytes() == before
