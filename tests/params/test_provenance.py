"""The colophon: version, commit, params hash, roll hash or synthetic, seed, date."""

import datetime as dt
from dataclasses import replace

from civsim import params, provenance


def test_the_line_says_every_input_in_chinese():
    found = provenance.of(params.load("东西湖区"), seed=None, today=dt.date(2021, 1, 11))
    line = found.line()
    assert line.startswith(f"生成信息：civsim {found.version}；")
    assert f"参数摘要 {found.params_hash}；名册 模型合成；随机种子 1；生成日期 2021年1月11日。" in line
    assert (found.commit is None) == ("代码版本" not in line)
    assert found.as_dict()["roll"] == "synthetic" and found.as_dict()["generated"] == "2021-01-11"


def test_the_params_hash_follows_the_parameters():
    base = params.load("东西湖区")
    assert provenance.params_hash(base) == provenance.params_hash(params.load("420112"))
    assert provenance.params_hash(base) != provenance.params_hash(params.load("东丽区"))
    path = "dibao.standard.urban"
    leaf = base.leaves[path]
    changed = replace(leaf, entries=(replace(leaf.entries[0], value=leaf.entries[0].value + 1),) + leaf.entries[1:])
    assert provenance.params_hash(base.with_leaves({**base.leaves, path: changed}, "x")) != provenance.params_hash(base)


def test_the_roll_hash_follows_the_roll():
    assert provenance.roll_hash(None) == "synthetic"
    from civsim import synthetic

    roll = synthetic.synthesize(params.load("东西湖区"), 2020)
    other = synthetic.synthesize(params.load("东西湖区"), 2020)
    other.households.loc[0, "income"] += 1
    a, b = provenance.roll_hash(roll), provenance.roll_hash(other)
    assert len(a) == 12 and a != b and a == provenance.roll_hash(synthetic.synthesize(params.load("东西湖区"), 2020))
