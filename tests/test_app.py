"""The planner's web app in a real browser: Debian's headless Chromium, driven by Playwright, opens
`civsim app` as a planner would on a 1366×768 laptop, types a new 城市低保 standard and checks the
page against the library's own result, the zh-CN declaration, the layout, the refusals, the saves
(one folder per visitor, plus a download) and that nothing is requested from another host."""
import datetime as dt
import shutil
import urllib.parse
from pathlib import Path

import pytest
import yaml

from civsim import app, engine, scenarios
from civsim.scenarios import Change, Scenario

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="no chromium (Debian's; `make setup` installs it when run as root)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
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
        context = pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=FLAGS,
                                                        headless=True, viewport={"width": 1366, "height": 768},
                                                        accept_downloads=True)
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
    page.wait_for_function("b => Number(document.querySelector('.civsim-total').dataset.yuan) !== b", arg=before,
                           timeout=WAIT_MS)
    return total(page)


def library_total(value: float) -> float:
    scenario = Scenario("browser", "browser", (Change(PATH, dt.date(2021, 1, 1), None, value=value),))
    frame = engine.simulate("东西湖区", 2021, scenarios=[scenario])
    return float(frame.loc[frame.scenario == "browser", "amount_yuan"].sum())


def test_a_planner_changes_the_dibao_standard_in_the_browser(served, browser, tmp_path):
    server, saves = served
    external = []
    page = open_page(browser, server.url, external)

    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    font = page.evaluate("getComputedStyle(document.querySelector('.civsim-total')).fontFamily")
    assert font.startswith('"Noto Sans CJK SC"'), font
    # results beside (or above) the controls: the headline and the charts fit the first screen
    for selector in (".civsim-total", ".civsim-results svg"):
        box = page.locator(selector).first.bounding_box()
        assert box["y"] + box["height"] <= 768, (selector, box)
    assert page.locator(".civsim-results").bounding_box()["x"] < page.locator(".civsim-controls").bounding_box()["x"]
    # only programs the district pays: 东西湖区's baseline has no 高龄津贴
    assert page.locator(".civsim-elderly-allowance-age-90-99").count() == 0

    baseline = total(page)
    page.locator(f"{ROW} button", has_text="新标准").click()
    type_value(page, "900")
    shown = wait_total_change(page, baseline)
    assert shown == pytest.approx(library_total(900.0), abs=0.01)
    assert shown > baseline

    type_value(page, "-5")                         # refused with a message, the total stays
    page.wait_for_selector("text=不能为负数", timeout=WAIT_MS)
    assert total(page) == shown
    type_value(page, "9000")                       # a jump of more than 3× waits for confirmation
    page.wait_for_selector("text=待确认", timeout=WAIT_MS)
    assert total(page) == shown
    page.locator(f"{ROW} input[type=checkbox]").check()
    assert wait_total_change(page, shown) == pytest.approx(library_total(9000.0), abs=0.01)
    type_value(page, "900")
    wait_total_change(page, library_total(9000.0))

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
    wait_total_change(other, baseline)
    other.locator(".civsim-controls input[placeholder^='如']").fill("dibao_900")
    other.locator("button", has_text="保存方案").click()
    other.wait_for_selector("text=已保存", timeout=WAIT_MS)
    files = sorted(saves.glob("*/dibao_900.yaml"))
    assert len(files) == 2 and first.read_text(encoding="utf-8") == downloaded
    assert {scenarios.load(f).changes[0].value for f in files} == {900.0, 950.0}

    assert external == []
