"""``civsim check``: what a jurisdiction's parameters say for a year, and what they lack.

For a district and a year it lists every leaf in force in some month of the year with its origin
(the jurisdiction's own folder, a parent's, or the national defaults), the leaves required by the
programs that have a caseload here and that nobody declares (unfilled stubs of ``civsim district
new`` among them), months of the year a leaf read by such a program does not cover, required
leaves filled by an assumption rather than a source, and reported figures (data/reported) that no
program here makes up. Something required missing makes the check fail (exit 1).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import districts, paths, programs, reported_figures, schema, synthetic
from .errors import CivsimError
from .param_leaves import prune
from .params import PARAMS, folder_of, read_yaml

ORIGIN_DEFAULT = "全国默认"
ORIGIN_OWN = "本级"
ORIGIN_PROVINCIAL = "省级统计均值"


@dataclass
class Finding:
    path: str
    program: str  # the program key that needs it ("" for a reported figure)
    note: str  # in Chinese, for the user
    file: str = ""
    blocking: bool = False  # the run stops on it (a month without a value the rule reads)


@dataclass
class Report:
    district: districts.District
    year: int
    leaves: pd.DataFrame  # path, value, unit, origin, provenance, file
    active: list = field(default_factory=list)  # program keys with a caseload here
    missing: list = field(default_factory=list)
    uncovered: list = field(default_factory=list)
    assumed: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    not_paid: list = field(default_factory=list)  # programs paid only where declared, undeclared here
    count_months: dict = field(default_factory=dict)  # caseload leaf -> the month its count is for
    anchor: object = None  # the 低保 count's month, the roll's anchor
    # (program key, leaves): no cash declared for the program; a bureau roll's households in its
    # category are counted and paid nothing (schema.unpaid)
    unpaid: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not any(f.blocking for f in self.uncovered)


def _stubs(folder: Path) -> list[tuple[str, Path]]:
    """(path, file) of every leaf in ``folder`` whose values are still empty (an unfilled stub)."""
    out = []
    if not folder.is_dir():
        return out
    for file in sorted(folder.glob("*.yaml")):
        stack = [(file.stem, read_yaml(file))]
        while stack:
            path, node = stack.pop()
            if not isinstance(node, dict):
                continue
            if "unit" in node or "values" in node:
                if not node.get("values"):
                    out.append((path, file))
                continue
            stack.extend((f"{path}.{k}", v) for k, v in node.items())
    return sorted(out)


def _without_stubs(root: Path, stubs: list[tuple[str, Path]]) -> Path:
    """A copy of the params tree with the unfilled stubs left out, so the rest can be checked."""
    copy = Path(tempfile.mkdtemp(prefix="civsim-check-"))
    shutil.copytree(root, copy / "params", ignore=shutil.ignore_patterns(".*"))
    for file in {f for _, f in stubs}:
        tree = read_yaml(file)
        for path, _ in (s for s in stubs if s[1] == file):
            *keys, last = path.split(".")[1:]
            node = tree
            for key in keys:
                node = node[key]
            del node[last]
        prune(tree)
        target = copy / "params" / file.relative_to(root)
        if tree:  # JSON is YAML 1.2: the copy is read back by the one YAML reader
            target.write_text(json.dumps(_plain(tree), ensure_ascii=False), encoding="utf-8")
        else:
            target.unlink()
    return copy / "params"


def _plain(node):
    """A YAML tree with its date keys and values as ISO text, for JSON."""
    if isinstance(node, dict):
        return {(k.isoformat() if isinstance(k, dt.date) else k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node.isoformat() if isinstance(node, dt.date) else node


def origin(leaf_file: str, district: districts.District) -> str:
    folder = folder_of(leaf_file)
    if Path(leaf_file).name == "dibao_provincial.csv":  # civsim.provincial: a province's published averages
        return ORIGIN_PROVINCIAL
    if folder == "defaults":
        return ORIGIN_DEFAULT
    if folder == district.slug:
        return ORIGIN_OWN
    for parent in districts.lineage(district)[1:]:
        if folder == parent.slug:
            return f"继承自{parent.name}（{parent.code}）"
    return folder


def provenance(entry) -> str:
    if entry.source == "assumption":
        return "假设"
    if entry.source == "calibration":
        return "拟合"
    if entry.source.startswith("scenario"):
        return "方案"
    return "出处"


def _leaves(params, year: int, root: Path) -> pd.DataFrame:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    rows = []
    for path in sorted(params.leaves):
        leaf = params.leaves[path]
        if leaf.entries[0].start > last:
            continue  # not in force in any month of the year
        months = [d for d in (dt.date(year, m, 1) for m in range(1, 13)) if d >= leaf.entries[0].start]
        values = []
        for day in months:
            entry = leaf.at(day)
            if not values or values[-1][1] != entry.value:
                values.append((day, entry.value, entry))
        shown = "→".join(f"{v:g}" + (f"（{d.month}月起）" if d > first else "") for d, v, _ in values)
        kinds = "、".join(dict.fromkeys(provenance(e) for _, _, e in values))
        rows.append(
            {
                "path": path,
                "value": shown,
                "unit": leaf.unit,
                "origin": origin(leaf.file, params.district),
                "provenance": kinds,
                "file": _shown(leaf.file, root),
            }
        )
    return pd.DataFrame(rows, columns=["path", "value", "unit", "origin", "provenance", "file"])


def _shown(file, root: Path) -> str:
    """A params file as ``params/<folder>/<file>`` whichever tree it was read from."""
    file = Path(file)
    if file.is_relative_to(root):
        return f"params/{file.relative_to(root)}"
    package = paths.PACKAGE.parent  # the package's own files as civsim/data/…, installed or not
    if file.is_relative_to(paths.PACKAGE):
        return str(file.relative_to(package))
    return str(file.relative_to(districts.ROOT)) if file.is_relative_to(districts.ROOT) else str(file)  # data/…


def _views(params, year: int, months):
    """The synthetic roll's candidates per program, as the engine sees them (a 低保 household's
    disabled member is a candidate for the disability subsidies without a caseload of its own), or
    None where the roll cannot be built from these parameters."""
    from . import synthetic
    from .engine import Prepared

    try:
        return Prepared.of(synthetic.synthesize(params, year, 1, months)).views
    except (CivsimError, KeyError, ValueError):
        return None


def active_programs(params, year: int) -> tuple[list, list]:
    """The programs with a caseload in the year (candidates on the synthetic roll, cases in the year,
    or a program they ride on), and those that would ride on them but are paid only where declared and
    are not declared here."""
    months = pd.period_range(f"{year}-01", f"{year}-12", freq="M")
    views = _views(params, year, months)
    active, not_paid = [], []
    for program in programs.REGISTRY:
        if program.candidates is not None and views is not None:
            has = views[program.key].n > 0
        elif program.candidates is not None:
            has = any(schema.counts_someone(params, p) for p in program.roll_params if p.startswith("caseload."))
        elif program.reads and not program.caseload:
            has = any(line in {o for a in active for o in a.outputs} for line in program.reads)
        else:
            has = any(params.has(p) and params.monthly_or_zero(p, months).any() for p in program.caseload)
        if not has:
            continue
        (active if schema.applies(params, program) else not_paid).append(program)
    return active, not_paid


def _uncovered(params, program, year: int) -> list[Finding]:
    """Leaves the program reads month by month whose first date falls after January of the year (a
    roll's caseload is a target at its anchor month, not a monthly value, and is not listed)."""
    out = []
    for path, param in {**program.params, **program.roll_params}.items():
        anchor_target = program.candidates is not None and path in program.roll_params and path.startswith("caseload.")
        if not params.has(path) or param.optional or anchor_target:
            continue
        start = params.leaf(path).entries[0].start
        if start <= dt.date(year, 1, 1):
            continue
        months = [m for m in range(1, 13) if dt.date(year, m, 1) < start]
        span = f"{year}年{months[0]}—{months[-1]}月" if len(months) > 1 else f"{year}年{months[0]}月"
        # a case flow's count reads as none before its first date; any other leaf stops the run
        blocking = path not in program.caseload
        out.append(
            Finding(
                path,
                program.key,
                f"{span}没有生效的取值（最早的取值自{start.isoformat()}起）"
                + ("，模拟会因此中止" if blocking else "，这些月份按0计"),
                params.leaf(path).file,
                blocking,
            )
        )
    return out


def check(district, year: int, root: Path = PARAMS, reported_folder: Path = reported_figures.REPORTED) -> Report:
    from . import params as params_module

    root = Path(root)
    d = districts.find(district)
    chain = districts.lineage(d)
    stubs = [s for parent in chain for s in _stubs(root / parent.slug)]
    load_root = _without_stubs(root, stubs) if stubs else root
    try:
        loaded = params_module.load(d.code, load_root)
        report = Report(d, year, _leaves(loaded, year, load_root))
        active, not_paid = active_programs(loaded, year)
        report.active = [p.key for p in active]
        report.not_paid = [p.key for p in not_paid]
        report.unpaid = [
            (p.key, leaves)
            for p in programs.REGISTRY
            if p.candidates is not None and p.key not in report.active and (leaves := schema.unpaid(loaded, p))
        ]
        stubbed = {path: file for path, file in stubs}
        for program in active:
            for path, param in schema.missing(loaded, program):
                note = (
                    f"存根未填写（{_shown(stubbed[path], root)}）"
                    if path in stubbed
                    else "缺少：本级和上级都未规定，且没有全国默认值"
                )
                report.missing.append(
                    Finding(
                        path,
                        program.key,
                        f"{note}；{program.label}有在册对象，单位 {param.unit}",
                        str(stubbed.get(path, "")),
                    )
                )
            report.uncovered += _uncovered(loaded, program, year)
            for path, param in {**program.params, **program.roll_params}.items():
                if param.required and loaded.has(path):
                    leaf = loaded.leaf(path)
                    days = [dt.date(year, m, 1) for m in range(1, 13) if dt.date(year, m, 1) >= leaf.entries[0].start]
                    if any(leaf.at(day).source == "assumption" for day in days):
                        report.assumed.append(
                            Finding(
                                path,
                                program.key,
                                "按假设填写，未找到出处："
                                + next(leaf.at(day).quote for day in days if leaf.at(day).source == "assumption"),
                                leaf.file,
                            )
                        )
        report.missing += [
            Finding(path, "", f"存根未填写（{_shown(file, root)}）：填写或删去之前，这个参数文件夹不能加载", str(file))
            for path, file in stubs
            if path not in {f.path for f in report.missing}
            and not any(
                path in {**programs.PROGRAMS[k].params, **programs.PROGRAMS[k].roll_params} for k in report.active
            )
        ]
        report.unmatched = _unmatched(d.code, year, report.active, reported_folder)
        report.anchor = synthetic.caseload_anchor(loaded, year)
        report.count_months = {
            path: month
            for program in programs.REGISTRY
            for path in program.roll_params
            if path.startswith("caseload.") and (month := synthetic.count_month(loaded, path, year)) is not None
        }
    finally:
        if load_root != root:
            shutil.rmtree(load_root.parent, ignore_errors=True)
    return report


def _unmatched(code: str, year: int, active: list, folder: Path) -> list[Finding]:
    """Reported figures no program models, and those whose programs have no caseload here."""
    figures = reported_figures.for_district(code, year, folder)
    known = reported_figures.modelled_programs()
    groups: dict = {}
    for row in figures.itertuples(index=False):
        if row.program not in known:
            kind = "没有对应的模拟项目（服务、产出或细分计数，不核对）"
        elif row.measure.startswith("standard_"):
            continue  # compared with the parameters, not with a caseload
        elif not any(programs.LINE_PROGRAM[line].key in active for line in programs.reported_lines(row.program)):
            kind = "有对应项目，但本地区没有该项目的在册对象（模型为0）"
        else:
            continue
        groups.setdefault((row.program, kind, row.file), []).append(row.measure)
    return [
        Finding(
            program,
            "",
            f"{kind}：{len(measures)}个报告数（{'、'.join(dict.fromkeys(measures))}），见 data/reported/{file}",
            file,
        )
        for (program, kind, file), measures in groups.items()
    ]


def render(report: Report) -> str:
    """The report as text for the terminal, in Chinese."""
    from .report.labels import UNIT_WORDS

    d = report.district
    out = [f"{d.name}（{d.code}）{report.year}年参数检查", ""]
    out.append(f"一、{report.year}年内生效的参数（{len(report.leaves)}项；来源：本级 / 继承自上级 / 全国默认）")
    if len(report.leaves):
        width = max(len(p) for p in report.leaves["path"])
        for r in report.leaves.itertuples(index=False):
            out.append(
                f"  {r.path:<{width}}  {r.value:>14}  {UNIT_WORDS.get(r.unit, r.unit):<8}  {r.origin:<14}  {r.provenance:<6}  {r.file}"
            )
    labels = "、".join(f"{programs.PROGRAMS[k].label}（{k}）" for k in report.active) or "无"
    out += ["", f"有在册对象的项目：{labels}"]
    for key in report.not_paid:
        out.append(f"  {programs.PROGRAMS[key].label}（{key}）：本级和上级未规定，不发放")
    later = {path: month for path, month in report.count_months.items() if month.year > report.year}
    other = {path: month for path, month in report.count_months.items() if month != report.anchor and path not in later}
    if other:
        out.append(f"在册人数按各自月份放入名册（低保为{report.anchor}，其余按周转率推算到{report.year}年各月）：")
        out += [f"  {path}  {month}" for path, month in sorted(other.items())]
    if later:
        out.append(f"晚于{report.year}年的在册人数，本年名册不计入：")
        out += [f"  {path}  {month}" for path, month in sorted(later.items())]
    for key, leaves in report.unpaid:
        out.append(
            f"  {programs.PROGRAMS[key].label}（{key}）：本级和上级未规定现金标准（{'、'.join(leaves)}），"
            "台账中的此类对象计入在册、不发放"
        )
    sections = [
        ("二、缺少的必填参数", report.missing),
        ("三、年内未覆盖的月份", report.uncovered),
        ("四、按假设填写的必填参数", report.assumed),
        ("五、报告数中没有对应项目或在册对象的", report.unmatched),
    ]
    for title, findings in sections:
        out += ["", f"{title}（{len(findings)}项）" if findings else f"{title}：无"]
        for f in findings:
            who = f"［{programs.PROGRAMS[f.program].label}］" if f.program else ""
            out.append(f"  {f.path}  {who}{f.note}")
    gaps = sum(f.blocking for f in report.uncovered)
    verdict = (
        "通过。"
        if report.ok
        else (
            "不通过："
            + "，".join(
                part
                for part in (
                    f"缺少{len(report.missing)}项必填参数" if report.missing else "",
                    f"{gaps}项参数有未覆盖的月份" if gaps else "",
                )
                if part
            )
            + "，补齐后再模拟。"
        )
    )
    out += ["", "结论：" + verdict]
    return "\n".join(out) + "\n"
