"""The web app and the REST API, in process: every page and route, the permissions of each role,
CSRF, login rate limiting, API tokens, the audit trail, and a corpus of hostile markup that must
never come out as markup."""

import re

import pytest
from fastapi.testclient import TestClient

from disinfowatch import accounts
from disinfowatch.settings import load
from disinfowatch.web import create_app
from webdata import PASSWORD, XSS, seed

PAGES = ["/", "/?period=5y", "/queue", "/queue?status=all&kind=narrative&language=nb", "/cases", "/cases?status=draft",
         "/search?q=NATO", "/search?q=NATO&kind=claims", "/search?q=NATO&kind=cases", "/narratives",
         "/narratives/nato-aggression", "/primary", "/sources", "/rejections", "/corrections"]


@pytest.fixture
def web(store, tmp_path):
    settings = load(overrides={"db": store.url, "archive_dir": str(tmp_path / "archive"), "embedder": "fake"},
                    read_env=False)
    ids = seed(store)
    client = TestClient(create_app(settings, store=store))
    client.ids = ids
    return client


def login(client: TestClient, role: str, password: str = PASSWORD):
    page = client.get("/login")
    token = re.search(r'action="/login">\s*<input type="hidden" name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"csrf": token, "username": role, "password": password, "next": "/"},
                       follow_redirects=False)


def csrf(client: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/queue").text).group(1)


def as_role(web, role):
    assert login(web, role).status_code == 303
    return csrf(web)


# -- logging in ---------------------------------------------------------------------------------


def test_nothing_but_the_login_and_the_correction_log_is_shown_without_logging_in(web):
    for path in [p for p in PAGES if p != "/corrections"] + [f"/documents/{web.ids['doc']}", "/cases/new", "/users",
                                                             "/audit"]:
        response = web.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
    assert web.get("/api/alerts").status_code == 401
    assert web.post(f"/api/alerts/{web.ids['alert']}/confirm").status_code == 401
    assert web.get("/corrections").status_code == 200 and web.get("/login").status_code == 200
    assert web.get("/static/htmx.min.js").status_code == 200


def test_login_sets_a_strict_http_only_cookie_and_logout_ends_the_session(web):
    response = login(web, "viewer")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "dw_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert web.get("/").status_code == 200
    token = csrf(web)
    assert web.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert web.get("/", follow_redirects=False).status_code == 303


def test_a_wrong_password_is_refused_and_repeated_failures_are_rate_limited(web):
    wrong = login(web, "analyst", "not the password")
    assert wrong.status_code == 200 and "wrong user name or password" in wrong.text
    assert "dw_session" not in wrong.headers.get("set-cookie", "")
    for _ in range(4):
        login(web, "analyst", "not the password")
    limited = login(web, "analyst")  # even the right password, until the window has passed
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert login(web, "editor").status_code == 303  # another user is not locked out


def test_the_login_form_needs_its_own_token(web):
    response = web.post("/login", data={"csrf": "forged", "username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert web.get("/login?next=//evil.example/").text.count('value="/"') == 1  # no open redirect


# -- pages and roles ------------------------------------------------------------------------------


def test_every_page_renders_for_a_viewer(web):
    login(web, "viewer")
    for path in PAGES + [f"/documents/{web.ids['doc']}", "/narratives/nato-aggression"]:
        response = web.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert "Content-Security-Policy" in response.headers and "script-src 'self'" in response.headers[
            "Content-Security-Policy"]
    assert web.get("/users").status_code == 403 and web.get("/audit").status_code == 403
    assert web.get("/cases/new").status_code == 403
    assert web.get("/documents/999999").status_code == 404


def test_a_viewer_cannot_write(web):
    token = as_role(web, "viewer")
    alert = web.ids["alert"]
    for path in (f"/alerts/{alert}/confirm", f"/alerts/{alert}/dismiss", f"/alerts/{alert}/merge"):
        assert web.post(path, data={"csrf": token}).status_code == 403, path
    assert web.post("/cases", data={"csrf": token, "title": "x"}).status_code == 403
    assert web.post("/sources", data={"csrf": token, "name": "x", "url": "https://x.example/f"}).status_code == 403


def test_an_analyst_confirms_into_a_draft_and_cannot_publish_an_editor_can(web, store):
    token = as_role(web, "analyst")
    response = web.post(f"/alerts/{web.ids['alert']}/confirm", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    case_id = int(re.search(r"/cases/(\d+)", response.headers["location"]).group(1))
    case = store.get_case(case_id)
    assert case.status == "draft" and case.narrative_id == "nato-aggression" and case.origin == "analyst"
    assert case.claim == "NATO altså forbereder et angrep på Russland" and case.disproof.startswith("NATO is a defensive")
    assert case.links[0].url == "https://news.example/a" and case.links[0].archived.startswith("archive/")
    page = web.get(f"/cases/{case_id}")
    assert page.status_code == 200 and "Submit for review" in page.text and 'data-status="published"' not in page.text
    assert web.post(f"/cases/{case_id}", data={"csrf": token, "title": "Rossija 1: NATO prepares an attack",
                                                "summary": "Clips presented as proof."}, follow_redirects=False).status_code == 303
    assert web.post(f"/cases/{case_id}/status", data={"csrf": token, "status": "published"}).status_code == 403
    assert web.post(f"/cases/{case_id}/status", data={"csrf": token, "status": "in review"},
                    follow_redirects=False).status_code == 303
    token = as_role(web, "editor")
    assert web.post(f"/cases/{case_id}/status", data={"csrf": token, "status": "published"},
                    follow_redirects=False).status_code == 303
    assert store.get_case(case_id).status == "published"
    # A published case is corrected with a note, into the public log; never without one.
    assert web.post(f"/cases/{case_id}", data={"csrf": token, "summary": "Changed."}).status_code == 409
    assert web.post(f"/cases/{case_id}", data={"csrf": token, "summary": "Clips of the interview presented as proof.",
                                                "note": "clearer summary"}, follow_redirects=False).status_code == 303
    assert store.get_case(case_id).status == "corrected"
    assert "clearer summary" in web.get("/corrections").text
    token = as_role(web, "analyst")
    assert web.post(f"/cases/{case_id}", data={"csrf": token, "summary": "mine", "note": "x"}).status_code == 403
    trail = [row["action"] for row in store.audit_trail("case", case_id)]
    assert trail[::-1] == ["case.create", "case.edit", "case.in-review", "case.published", "case.edit", "case.correct"]
    edit = next(row for row in store.audit_trail("case", case_id) if row["action"] == "case.edit" and row["note"])
    assert edit["username"] == "editor" and edit["before"]["summary"] == "Clips presented as proof."


def test_dismiss_and_merge_are_analyst_work_and_nothing_is_deleted(web, store):
    token = as_role(web, "analyst")
    dismissed = web.post(f"/alerts/{web.ids['xss_alert']}/dismiss", data={"csrf": token, "note": "markup test"},
                         headers={"HX-Request": "true"})
    assert dismissed.status_code == 200 and 'id="alert-' in dismissed.text and "dismissed" in dismissed.text
    case_id = int(re.search(r"/cases/(\d+)", web.post(f"/alerts/{web.ids['alert']}/confirm", data={"csrf": token},
                                                     follow_redirects=False).headers["location"]).group(1))
    web.post(f"/alerts/{web.ids['xss_alert']}/reopen", data={"csrf": token})
    merged = web.post(f"/alerts/{web.ids['xss_alert']}/merge", data={"csrf": token, "case_id": str(case_id)},
                      follow_redirects=False)
    assert merged.status_code == 303
    case = store.get_case(case_id)
    assert len(case.links) == 2 and "markup test" in [r["note"] for r in store.audit_trail("alert", web.ids["xss_alert"])]
    assert store.get_alert(web.ids["xss_alert"])["status"] == "merged"
    routes = {(route.path, method) for route in web.app.routes for method in getattr(route, "methods", ()) or ()}
    assert not any(method == "DELETE" for _, method in routes)


def test_unsafe_requests_need_the_sessions_csrf_token(web, store):
    as_role(web, "analyst")
    alert = web.ids["alert"]
    assert web.post(f"/alerts/{alert}/dismiss").status_code == 403
    assert web.post(f"/alerts/{alert}/dismiss", data={"csrf": "stale"}).status_code == 403
    assert web.post(f"/alerts/{alert}/dismiss", headers={"X-CSRF-Token": "stale"}).status_code == 403
    assert store.get_alert(alert)["status"] == "open"
    token = csrf(web)
    assert web.post(f"/alerts/{alert}/dismiss", headers={"X-CSRF-Token": token, "HX-Request": "true"}).status_code == 200
    assert store.get_alert(alert)["status"] == "dismissed"


def test_admins_manage_users_and_sources(web, store):
    token = as_role(web, "admin")
    assert web.post("/users", data={"csrf": token, "username": "newbie", "password": "long enough pass", "role": "viewer"},
                    follow_redirects=False).status_code == 303
    assert web.post("/users/newbie", data={"csrf": token, "action": "role", "role": "analyst"},
                    follow_redirects=False).status_code == 303
    issued = web.post("/users/newbie", data={"csrf": token, "action": "token", "name": "script"})
    assert re.search(r"dw_[\w-]{20,}", issued.text)
    assert web.post("/users/newbie", data={"csrf": token, "action": "deactivate"}, follow_redirects=False).status_code == 303
    assert [u["active"] for u in store.list_users() if u["username"] == "newbie"] == [False]  # kept, not deleted
    assert login(web, "newbie", "long enough pass").status_code == 200  # refused: back to the form
    token = as_role(web, "admin")
    assert web.post("/sources", data={"csrf": token, "name": "tass", "url": "https://tass.example/rss.xml",
                                      "language": "ru"}, follow_redirects=False).status_code == 303
    assert web.post("/sources/tass/active", data={"csrf": token, "active": "0"}, follow_redirects=False).status_code == 303
    assert store.get_source("tass").active is False
    assert web.post("/sources", data={"csrf": token, "name": "x", "url": "javascript:alert(1)"}).status_code == 409


def test_the_monitors_health_events_and_polls_are_shown_escaped(web, store):
    from disinfowatch.records import Source, utcnow

    store.add_source(Source(name="tass", url="https://tass.example/rss.xml", language="ru"))
    hostile = XSS[0]
    store.record_run("tass", utcnow(), False, 0, 0, f"http-500: {hostile}", utcnow())
    store.open_health_event("failing", "source", "tass", f"2 polls in a row failed; last: {hostile}")
    login(web, "viewer")
    dashboard, sources = web.get("/").text, web.get("/sources").text
    assert "Source <strong>tass</strong> is failing since" in dashboard
    assert "1 failed" in sources and "Latest polls by the monitor" in sources
    for page in (dashboard, sources):
        assert hostile not in page and "&lt;script&gt;window.__xss" in page


# -- the API ----------------------------------------------------------------------------------------


def test_the_api_takes_tokens_with_their_users_role(web, store):
    viewer = accounts.create_token(store, "viewer", "test")
    analyst = accounts.create_token(store, "analyst", "test")
    editor = accounts.create_token(store, "editor", "test")

    def call(method, path, token, **kw):
        return web.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)

    assert call("GET", "/api/me", viewer).json() == {"username": "viewer", "role": "viewer"}
    page = call("GET", "/api/alerts?kind=narrative", viewer).json()
    assert page["total"] == 2 and page["items"][0]["evidence"]["target_title"]
    assert call("POST", f"/api/alerts/{web.ids['alert']}/confirm", viewer).status_code == 403
    case_id = call("POST", f"/api/alerts/{web.ids['alert']}/confirm", analyst).json()["case_id"]
    assert call("GET", f"/api/cases/{case_id}", viewer).json()["status"] == "draft"
    assert call("PATCH", f"/api/cases/{case_id}", analyst, json={"summary": "via the API"}).json() == {"changed": ["summary"]}
    assert call("POST", f"/api/cases/{case_id}/status", analyst, json={"status": "published"}).status_code == 403
    assert call("POST", f"/api/cases/{case_id}/status", editor, json={"status": "published"}).json()["status"] == "published"
    assert call("GET", "/api/audit", analyst).status_code == 403
    assert call("GET", "/api/audit?object_kind=case", editor).json()["total"] >= 3
    for path in ("/api/cases", "/api/narratives", "/api/primary-sources", "/api/verifications", "/api/dashboard",
                 "/api/sources", "/api/rejections", f"/api/documents/{web.ids['doc']}", "/api/search?q=NATO&kind=claims",
                 "/api/documents?q=NATO", "/api/narratives/nato-aggression", f"/api/alerts/{web.ids['alert']}"):
        assert call("GET", path, viewer).status_code == 200, path
    assert call("GET", "/api/alerts", "dw_unknown").status_code == 401
    store.revoke_token(store.list_tokens()[0]["id"])
    assert call("GET", "/api/me", viewer).status_code == 401
    spec = web.get("/openapi.json").json()
    assert {"/api/alerts", "/api/cases", "/api/documents", "/api/narratives", "/api/alerts/{alert_id}/confirm"} <= set(spec["paths"])


def test_the_api_with_a_session_needs_the_csrf_header(web):
    token = as_role(web, "analyst")
    assert web.post(f"/api/alerts/{web.ids['alert']}/dismiss").status_code == 403
    assert web.post(f"/api/alerts/{web.ids['alert']}/dismiss", headers={"X-CSRF-Token": token}).json() == {"status": "dismissed"}


# -- hostile content -----------------------------------------------------------------------------


def test_hostile_markup_is_escaped_everywhere(web, store):
    token = as_role(web, "analyst")
    case_id = int(re.search(r"/cases/(\d+)", web.post(f"/alerts/{web.ids['xss_alert']}/confirm", data={"csrf": token},
                                                     follow_redirects=False).headers["location"]).group(1))
    pages = [f"/documents/{web.ids['xss_doc']}", "/queue?status=all", f"/cases/{case_id}", "/cases",
             "/search?q=Rapport", "/search?q=angriper&kind=claims", "/?period=5y", "/sources",
             "/search?q=" + "%3Cscript%3Ealert(1)%3C/script%3E"]
    for path in pages:
        html = web.get(path).text
        assert "<script>window" not in html and "<script>alert" not in html, path
        assert "<img src=x" not in html and "<svg onload" not in html and "<iframe" not in html, path
        assert 'href="javascript:' not in html.lower() and "onerror=\"window" not in html, path
        assert "</textarea><script>" not in html, path
    document = web.get(f"/documents/{web.ids['xss_doc']}").text
    assert "&lt;script&gt;window.__xss = 1" in document and "&lt;img src=x onerror=" in document
    assert "not an http(s) address: not linked" in document  # the javascript: "original" URL is not a link
    api = web.get(f"/api/documents/{web.ids['xss_doc']}").json()
    assert api["title"] == XSS[0] + XSS[2]  # the API returns the data as it is, as JSON
    archived = web.get("/archive/" + "0" * 64)
    assert archived.status_code == 404
