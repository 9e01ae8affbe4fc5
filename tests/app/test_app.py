"""The planner's web app in a real browser: Debian's headless Chromium, driven by Playwright, opens
`civsim app` as a planner would on a 1366×768 laptop, types a new 城市低保 standard and checks the
page against the library's own result, the zh-CN declaration, the layout, the refusals, the saves
(one folder per visitor, plus a download) and that nothing is requested from another host."""

import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat

import pytest

from civsim import app, cli, engine, lab, scenarios
from civsim.scenarios import Change, Scenario
from civsim.headless import CHROMIUM, FLAGS
from conftest import benchmark

ROOT = Path(__file__).resolve().parents[2]
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="no chromium (Debian's; `make setup` installs it when run as root)"
)
PATH = "dibao.standard.urban"
ROW = ".civsim-" + PATH.replace(".", "-")
WAIT_MS = 30_000


def local(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in ("127.0.0.1", "localhost")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app")
    with app.running(saves=folder / "saves", log=folder / "voila.log") as server:
        yield server, folder / "saves"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport={"width": 1366, "height": 768},
            accept_downloads=True,
        )
        yield context
        context.close()


def open_page(context, url, external):
    page = context.new_page()
    page.on("request", lambda request: None if local(request.url) else external.append(request.url))
    page.on("websocket", lambda socket: None if local(socket.url) else external.append(socket.url))
    page.goto(url)
    page.wait_for_selector(f"{ROW} input[type=number]", state="attached", timeout=WAIT_MS)
    return page


def total(page) -> float:
    return float(page.get_attribute(".civsim-total", "data-yuan"))


def type_value(page, text: str) -> None:
    box = page.locator(f"{ROW} input[type=number]")
    box.click(click_count=3)
    box.press_sequentially(text)


def wait_total_change(page, before: float) -> float:
    page.wait_for_function(
        "b => Number(document.querySelector('.civsim-total').dataset.yuan) !== b", arg=before, timeout=WAIT_MS
    )
    return total(page)


def wait_total(page, expected: float) -> None:
    page.wait_for_function(
        "e => Math.abs(Number(document.querySelector('.civsim-total').dataset.yuan) - e) < 0.005",
        arg=expected,
        timeout=WAIT_MS,
    )


def budget_range(page) -> tuple[float, float]:
    """The budget year's P10 and P90 the page shows beside the total (yuan)."""
    return tuple(float(page.get_attribute(".civsim-range", f"data-{p}")) for p in ("p10", "p90"))


def wait_range(page, expected: tuple[float, float]) -> tuple[float, float]:
    """The range the page shows once it is the expected one (a keystroke before the last, "9" or
    "90" of "900", may be computed first on a loaded machine)."""
    page.wait_for_function(
        "e => { const r = document.querySelector('.civsim-range'); return r && r.dataset.pending === '0'"
        " && Math.abs(Number(r.dataset.p10) - e[0]) < 0.005 && Math.abs(Number(r.dataset.p90) - e[1]) < 0.005; }",
        arg=list(expected),
        timeout=WAIT_MS,
    )
    return budget_range(page)


def library_range(value: float | None) -> tuple[float, float]:
    """The same range from the library: the budget's draws of 2021 under the scenario."""
    from civsim import params
    from civsim.budget.live import LiveRange

    base = params.load("东西湖区")
    live = LiveRange(base, 2021)
    if value is None:
        shown = live.range()
    else:
        shown = live.range(
            scenarios.apply(
                base,
                Scenario(scenarios.LIVE_NAME, "browser", (Change(PATH, dt.date(2021, 1, 1), None, value=value),)),
                2021,
            )
        )
    return shown.p10_yuan, shown.p90_yuan


def laid_out_bottom(page, selector: str) -> float:
    """The bottom edge of the first element matching `selector` once it is drawn, read in one step in
    the page: the results pane redraws its charts, so an element found first may be gone when measured."""
    bottom = page.wait_for_function(
        """selector => {
            const element = document.querySelector(selector);
            const box = element && element.getBoundingClientRect();
            return box && box.height > 0 ? box.bottom : null;
        }""",
        arg=selector,
        timeout=WAIT_MS,
    )
    return bottom.json_value()


def library_total(value: float) -> float:
    scenario = Scenario("browser", "browser", (Change(PATH, dt.date(2021, 1, 1), None, value=value),))
    frame = engine.simulate("东西湖区", 2021, scenarios=[scenario])
    return float(frame.loc[frame.scenario == "browser", "amount_yuan"].sum())


@pytest.mark.slow
@needs_chromium
def test_a_planner_changes_the_dibao_standard_in_the_browser(served, browser, tmp_path):
    server, saves = served
    external = []
    page = open_page(browser, server.url, external)

    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    font = page.evaluate("getComputedStyle(document.querySelector('.civsim-total')).fontFamily")
    assert font.startswith('"Noto Sans CJK SC"'), font
    # results beside (or above) the controls: the headline and the charts fit the first screen
    for selector in (".civsim-total", ".civsim-results svg"):
        bottom = laid_out_bottom(page, selector)  # the charts draw after the inputs
        assert bottom <= 768, (selector, bottom)
    assert page.locator(".civsim-results").bounding_box()["x"] < page.locator(".civsim-controls").bounding_box()["x"]
    # only programs the district pays: 东西湖区's baseline has no 高龄津贴
    assert page.locator(".civsim-elderly-allowance-age-90-99").count() == 0

    baseline = total(page)
    # the budget year's P10–P90 beside the total, in 万元 with its Chinese label, as the library gives it
    page.wait_for_selector(".civsim-range[data-pending='0'][data-p10]", timeout=WAIT_MS)
    assert "预算年度区间（P10–P90）" in page.inner_text(".civsim-range")
    assert "万元" in page.inner_text(".civsim-range")
    first_range = budget_range(page)
    assert first_range == pytest.approx(library_range(None), abs=0.01) and first_range[0] < first_range[1]
    page.locator(f"{ROW} button", has_text="新标准").click()
    type_value(page, "900")
    wait_total(page, library_total(900.0))  # the page comes to the library's total (not a keystroke's before)
    shown = total(page)
    assert shown > baseline
    moved = wait_range(page, library_range(900.0))  # the range moves with the control, to the library's figures
    assert moved[0] > first_range[0] and moved[1] > first_range[1]

    type_value(page, "-5")  # refused with a message, the total stays
    page.wait_for_selector("text=不能为负数", timeout=WAIT_MS)
    assert total(page) == shown
    page.locator(f"{ROW} input[type=number]").fill("9000")  # a jump of more than 3× waits for confirmation
    page.wait_for_selector("text=待确认", timeout=WAIT_MS)
    assert total(page) == shown
    page.locator(f"{ROW} input[type=checkbox]").check()
    assert wait_total_change(page, shown) == pytest.approx(library_total(9000.0), abs=0.01)
    type_value(page, "900")
    wait_total(page, shown)  # the total at 900 again, not at a keystroke before it ("9", "90")

    page.locator(".civsim-controls input[placeholder^='如']").fill("dibao_900")
    with page.expect_download(timeout=WAIT_MS) as download:
        page.locator("button", has_text="保存方案").click()
        page.wait_for_selector("text=已保存", timeout=WAIT_MS)
        page.locator("a[download='dibao_900.yaml']").click()
    downloaded = Path(download.value.path()).read_text(encoding="utf-8")
    page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
    assert (tmp_path / "app.png").stat().st_size > 10_000

    [first] = saves.glob("*/dibao_900.yaml")
    assert first.read_text(encoding="utf-8") == downloaded
    loaded = scenarios.load(first)
    assert [(c.path, c.value) for c in loaded.changes] == [(PATH, 900.0)]

    # a second visitor has a kernel and a folder of their own: the same name does not overwrite
    other = open_page(browser, server.url, external)
    other.locator(f"{ROW} button", has_text="新标准").click()
    type_value(other, "950")
    wait_total(other, library_total(950.0))  # at 950, not at a keystroke before it
    other.locator(".civsim-controls input[placeholder^='如']").fill("dibao_900")
    other.locator("button", has_text="保存方案").click()
    other.wait_for_selector("text=已保存", timeout=WAIT_MS)
    files = sorted(saves.glob("*/dibao_900.yaml"))
    assert len(files) == 2 and first.read_text(encoding="utf-8") == downloaded
    assert {scenarios.load(f).changes[0].value for f in files} == {900.0, 950.0}

    assert external == []


@pytest.mark.slow
def test_the_app_listens_on_this_machine_only_and_needs_its_token(served):
    server, _ = served
    parts = urllib.parse.urlsplit(server.url)
    assert parts.hostname == "127.0.0.1" and "--Voila.ip=127.0.0.1" in server.argv
    token = urllib.parse.parse_qs(parts.query)["token"][0]
    assert len(token) >= 24
    bare = f"{parts.scheme}://{parts.netloc}/"
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(bare, timeout=30)
    assert refused.value.code in (302, 401, 403)
    with pytest.raises(urllib.error.HTTPError):
        opener.open(bare + "?token=" + "x" * len(token), timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_server_options(tmp_path):
    one = app.server(port=9123, token="secret", saves=tmp_path)
    assert one.url == "http://127.0.0.1:9123/?token=secret" and "--port=9123" in one.argv
    assert one.env["CIVSIM_APP_SAVES"] == str(tmp_path.resolve())
    assert one.env["JUPYTER_PATH"].split(os.pathsep)[0] == str(app.DATA)
    assert app.server().url != app.server().url  # a fresh random token each start


@pytest.mark.parametrize("port", ["0", "70000", "-1"])
def test_a_bad_port_is_one_line_and_exit_2(capsys, port):
    assert cli.main(["app", "--port", port]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--port" in err


def test_a_busy_port_is_one_line_and_exit_2(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert cli.main(["app", "--port", str(busy.getsockname()[1])]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--port" in err and "8867" in err


# ------------------------------------------------------------------ JupyterLab


def notebook_with_outputs() -> dict:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1", execution_count=3)
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)]
    notebook.cells = [nbformat.v4.new_markdown_cell("# 标题"), cell]
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return json.loads(nbformat.writes(notebook))


class Manager:
    def __init__(self, root):
        self.root_dir = str(root)


@pytest.mark.parametrize(
    "root, path, stripped",
    [
        (ROOT, "civsim/notebooks/scenario_explorer.ipynb", True),
        (
            ROOT / "civsim" / "notebooks",
            "scenario_explorer.ipynb",
            True,
        ),  # make lab serves civsim/notebooks/ as the root
        (ROOT / "civsim" / "notebooks", "/sub/x.ipynb", True),
        (ROOT, "reports/420112/2020/annual_summary.ipynb", False),  # rendered reports keep their outputs
        (ROOT / "civsim" / "notebooks", "../reports/x.ipynb", False),
    ],
)
def test_the_pre_save_hook_strips_only_the_project_notebooks(root, path, stripped):
    model = {"type": "notebook", "content": notebook_with_outputs()}
    lab.strip_outputs(model, path, contents_manager=Manager(root))
    code = model["content"]["cells"][1]
    assert (code["outputs"] == [] and code["execution_count"] is None) is stripped
    assert ("widgets" not in model["content"]["metadata"]) is stripped
    assert "".join(model["content"]["cells"][0]["source"]) == "# 标题"
    other = {"type": "file", "content": "text"}
    lab.strip_outputs(other, "civsim/notebooks/a.txt", contents_manager=Manager(ROOT))
    assert other == {"type": "file", "content": "text"}


@pytest.mark.slow
def test_a_jupyter_save_under_the_project_config_leaves_no_outputs_on_disk(tmp_path):
    """A real Jupyter server with the project's config (as `make lab` starts it) saves a notebook with
    outputs into civsim/notebooks/: the file on disk has none."""
    token, port = secrets.token_hex(16), app.free_port()
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(ROOT / ".jupyter"))
    name = f"_save_check_{secrets.token_hex(4)}.ipynb"
    target = ROOT / "civsim" / "notebooks" / name
    checkpoints = ROOT / "civsim" / "notebooks" / ".ipynb_checkpoints"
    had_checkpoints = checkpoints.exists()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_server",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--no-browser",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT / 'civsim' / 'notebooks'}",
            "--allow-root",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        body = json.dumps({"type": "notebook", "format": "json", "content": notebook_with_outputs()}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/contents/{name}",
            data=body,
            method="PUT",
            headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(request, timeout=10).read()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        saved = json.loads(target.read_text(encoding="utf-8"))
        assert ["".join(c["source"]) for c in saved["cells"]] == ["# 标题", "1 + 1"]
        assert saved["cells"][1]["outputs"] == [] and saved["cells"][1]["execution_count"] is None
        assert "widgets" not in saved["metadata"]
    finally:
        server.terminate()
        server.wait(timeout=20)
        target.unlink(missing_ok=True)
        for checkpoint in checkpoints.glob(f"{target.stem}-checkpoint*"):
            checkpoint.unlink()
        if not had_checkpoints and checkpoints.is_dir() and not any(checkpoints.iterdir()):
            checkpoints.rmdir()


def test_the_repository_notebooks_hold_no_outputs():
    for path in (ROOT / "civsim" / "notebooks").glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        assert not [c for c in notebook.cells if c.cell_type == "code" and (c.outputs or c.execution_count)], path
        assert "widgets" not in notebook.metadata, path


def test_jupyterlab_is_declared_chinese():
    """make lab installs this settings default: JupyterLab then sets <html lang="zh-CN"> (the locale
    needs no language pack for that), so CJK glyphs take their simplified-Chinese shapes."""
    overrides = json.loads((ROOT / ".jupyter" / "lab" / "overrides.d" / "civsim.json").read_text(encoding="utf-8"))
    assert overrides == {"@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}}


def test_make_lab_adds_allow_root_only_for_root_and_prints_the_url():
    recipe = subprocess.run(
        ["make", "-n", "-s", "lab", "STAMP=Makefile", "SYSTEM=Makefile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '[ "$(id -u)" = 0 ] && echo --allow-root' in recipe
    assert 'echo "JupyterLab: http://127.0.0.1:' in recipe and "JUPYTER_CONFIG_PATH=" in recipe
    assert "overrides.d/civsim.json" in recipe


# ------------------------------------------------------------------ 单户测算


def household_amount(page, line: str, column: str = "base") -> float:
    return float(page.get_attribute(f".civsim-hh-{column}[data-line='{line}']", "data-yuan"))


@pytest.mark.slow
@needs_chromium
def test_a_clerk_computes_a_household_in_the_browser(served, browser):
    """Enter a household, read its amounts and working, change the standard on the scenario page,
    read the change, refuse an impossible age, save the case and check it with `civsim cases`."""
    server, saves = served
    external = []
    page = open_page(browser, server.url, external)
    page.get_by_role("tab", name="单户测算").click()
    page.wait_for_selector(".civsim-hh-base[data-line='dibao']", state="visible", timeout=WAIT_MS)
    assert household_amount(page, "dibao") == pytest.approx((830 - 400) * 3)
    income = page.locator(".civsim-hh-income input[type=number]")
    income.fill("300")
    income.press("Enter")
    page.wait_for_function(
        "() => Number(document.querySelector(\".civsim-hh-base[data-line='dibao']\").dataset.yuan) === 1590",
        timeout=WAIT_MS,
    )
    # the working is redrawn in a message after the amount's: wait for it too
    page.wait_for_function(
        "() => document.querySelector(\".civsim-hh-working[data-line='dibao']\").innerText"
        ".includes('家庭月人均收入 300元')",
        timeout=WAIT_MS,
    )
    working = page.locator(".civsim-hh-working[data-line='dibao']").inner_text()
    assert "城市低保标准830元/人·月" in working and "家庭月人均收入 300元" in working and "1,590.00元" in working

    page.get_by_role("tab", name="方案模拟").click()
    page.locator(f"{ROW} button", has_text="新标准").click()
    before = total(page)
    type_value(page, "880")
    wait_total_change(page, before)
    page.get_by_role("tab", name="单户测算").click()
    # the total may first change at a keystroke before 880 ("8", "88"): wait for the household at 880
    page.wait_for_function(
        "e => Number(document.querySelector(\".civsim-hh-scenario[data-line='dibao']\")?.dataset.yuan) === e",
        arg=(880 - 300) * 3,
        timeout=WAIT_MS,
    )
    assert household_amount(page, "dibao", "scenario") == pytest.approx((880 - 300) * 3)
    page.wait_for_function(
        "() => document.querySelector(\".civsim-hh-working-scenario[data-line='dibao']\")?.innerText"
        ".includes('城市低保标准880元')",
        timeout=WAIT_MS,
    )

    age = page.locator(".civsim-hh-member-0 input[type=number]").first
    age.fill("200")
    age.press("Enter")
    page.wait_for_selector(".civsim-hh-error", timeout=WAIT_MS)
    assert "年龄 200 不存在" in page.locator(".civsim-hh-error").inner_text()
    assert household_amount(page, "dibao") == pytest.approx(1590)  # the last valid amounts stay
    age.fill("80")
    age.press("Enter")
    page.wait_for_selector(".civsim-hh-error", state="detached", timeout=WAIT_MS)

    page.locator(".civsim-household input[placeholder^='如 family']").fill("family_80")
    page.locator("button", has_text="保存案例").click()
    page.wait_for_selector("text=已保存", timeout=WAIT_MS)
    [saved] = saves.glob("*/family_80.yaml")
    assert cli.main(["cases", str(saved)]) == 0
    assert external == []


@pytest.mark.slow
@needs_chromium
def test_the_app_benchmark_measures_the_served_app(served, browser, capsys):
    """benchmarks/app.py in its smoke form, on this module's app rather than fresh servers: a page, the
    typing on both tabs once, a second visitor, the kernels' memory, the figures printed."""
    bench = benchmark("app")
    server, saves = served
    start, page = bench.first_page(browser, server)
    measured = bench.measure(browser, server, saves, page, repeat=1)
    assert bench.report([start], measured) in (0, 1)
    printed = capsys.readouterr().out
    assert "keypress -> updated total" in printed and "单户测算 keypress -> household amount" in printed
    assert sum(rss > 50 for rss, _ in measured["memory"].values()) >= 2  # the two visitors' kernels
