"""Sign-in in Chromium: a local account, and the clinic's OpenID provider (authorization code + PKCE through
Authlib, against panva's oidc-provider); the pages at phone and desktop width, in print, and through axe-core."""

import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.support.credentials import access_app, account  # noqa: E402
from tests.support.oidc_provider import running_provider  # noqa: E402

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def signin_server(tmp_path_factory):
    """The app with access control on and the provider's sign-in, served on a free port; the provider too."""
    holder = {}
    server = make_server("127.0.0.1", 0, lambda environ, start: holder["app"](environ, start), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    with running_provider([f"{base}/login/oidc/callback"]) as issuer:
        app = access_app(
            tmp_path_factory.mktemp("signin"),
            TESTING=False,
            OIDC_ISSUER=issuer,
            OIDC_AUDIENCE="soleus-screen",
            OIDC_CLIENT_ID="soleus-clinic",
            OIDC_CLIENT_SECRET="clinic-secret",
            OIDC_SIGN_IN_SCOPE="openid email soleus",
        )
        account(app, "ana@clinic.example", "clinician", "club-a", password=PASSWORD)
        holder["app"] = app
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield base
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def tab(browser, signin_server):
    context = browser.new_context(base_url=signin_server, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_a_clinician_signs_in_with_a_password_and_signs_out(tab, artifacts):
    tab.goto("/")
    assert "/login" in tab.url
    results = Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()
    tab.screenshot(path=artifacts / "sign-in.png", full_page=True)
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.screenshot(path=artifacts / "sign-in-390.png", full_page=True)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.set_viewport_size({"width": 1100, "height": 900})
    tab.get_by_label("Email (or account name)").fill("ana@clinic.example")
    tab.get_by_label("Password").fill("not the password")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.locator("#sign-in-error")).to_contain_text("not right")
    assert Axe().run(tab).violations_count == 0
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.locator("#signed-in-as")).to_have_text("Signed in as ana@clinic.example (clinician)")
    expect(tab.locator("#f-team")).to_have_value("club-a")
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.screenshot(path=artifacts / "form-signed-in-390.png")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.emulate_media(media="print")
    tab.screenshot(path=artifacts / "form-signed-in-print.png")
    expect(tab.locator("#sign-out-form")).to_be_hidden()
    tab.emulate_media(media="screen")
    tab.get_by_role("button", name="Sign out").click()
    expect(tab.locator("#sign-in-notice")).to_have_text("You are signed out.")
    tab.goto("/")
    assert "/login" in tab.url


def test_a_clinician_signs_in_through_the_clinics_identity_provider(tab, artifacts):
    tab.goto("/login")
    tab.get_by_role("link", name="Sign in with the clinic's identity provider").click()
    tab.locator("input[name=login]").fill("ben")
    tab.locator("input[name=password]").fill("anything")
    tab.locator("button[type=submit]").click()
    tab.get_by_role("button", name="Continue").click()
    expect(tab.locator("#signed-in-as")).to_have_text("Signed in as ben@clinic.example (clinician)")
    assert tab.url == tab.url.split("/")[0] + "//" + tab.url.split("/")[2] + "/"  # back on the form
    tab.screenshot(path=artifacts / "form-signed-in-oidc.png")


def test_a_coach_from_the_provider_lands_on_the_runner_page_and_may_not_screen(tab, artifacts):
    tab.goto("/login/oidc")
    tab.locator("input[name=login]").fill("coach")
    tab.locator("input[name=password]").fill("anything")
    tab.locator("button[type=submit]").click()
    tab.get_by_role("button", name="Continue").click()
    expect(tab.locator("#runner-lookup")).to_be_visible()
    tab.get_by_label("Runner code").fill("nobody-yet")
    tab.get_by_role("button", name="Show their screenings").click()
    expect(tab.locator("#runner-none")).to_contain_text("No screening of nobody-yet is stored in team club-a")
    assert Axe().run(tab).violations_count == 0
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.screenshot(path=artifacts / "runner-page-390.png", full_page=True)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    tab.goto("/")
    expect(tab.locator("#refused-reason")).to_contain_text("coach")
    assert Axe().run(tab).violations_count == 0
