"""docs/rules/: each rule form's page declares it in leaves civsim reads and cites a public notice."""

import re
from pathlib import Path

import pytest

from civsim import param_leaves, params, schema
from civsim.units import UNITS

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ("tiered", "add-ons", "care-by-placement", "unified-standard")


@pytest.mark.parametrize("page", PAGES)
def test_the_yaml_example_loads_into_declared_leaves(page, tmp_path):
    text = (DOCS / "rules" / f"{page}.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert blocks, f"{page}.md has a YAML example"
    declared = schema.declared()
    for block in blocks:
        stem = re.match(r"# params/[^/]+/([a-z_]+)\.yaml", block).group(1)
        leaves = {}
        param_leaves.walk(params.parse_yaml(block, tmp_path / f"{stem}.yaml"), stem, tmp_path / f"{stem}.yaml", leaves)
        assert leaves
        for path, leaf in leaves.items():
            assert path in declared, f"{page}.md declares {path}, which nothing reads"
            assert UNITS[leaf.declared_unit][0] == UNITS[declared[path][0].unit][0], path
            assert all(e.source not in ("assumption", "calibration") and e.quote for e in leaf.entries), path


@pytest.mark.parametrize("page", PAGES)
def test_each_page_cites_a_notice_and_is_linked(page):
    text = (DOCS / "rules" / f"{page}.md").read_text(encoding="utf-8")
    notices = text.split("## Public notices that use it", 1)[1]
    assert re.search(r"https?://\S+", notices) and re.search(r"^  > .*[\u4e00-\u9fff]", notices, re.M)
    for index in ("README.md", "programs.md"):
        assert f"rules/{page}.md" in (DOCS / index).read_text(encoding="utf-8"), (index, page)
