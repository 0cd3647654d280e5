import pytest

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser


def test_staff_logs_in_switches_to_english_and_logs_out(page, live_server):
    email = live_server.make_user("staff", "sprog@browser.example", "Søren Sekretariat")
    log_in(page, email)
    assert page.get_by_role("heading", level=1).inner_text() == "Velkommen, Søren Sekretariat"
    assert page.locator("html").get_attribute("lang") == "da"

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Søren Sekretariat"
    assert page.locator("html").get_attribute("lang") == "en"

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    assert "You are logged out." in page.content()
    page.goto("/")
    assert "/login" in page.url


def test_wrong_password_shows_one_message(page, live_server):
    log_in(page, "staff@browser.example", "forkert-men-langt-nok")
    assert page.get_by_role("alert").inner_text().strip() == "E-mail eller adgangskode er forkert."


@pytest.mark.parametrize("where", ["login", "home", "forbidden", "invalid_login", "not_found"])
def test_pages_have_no_accessibility_violations(page, live_server, where):
    if where == "login":
        page.goto("/login")
    elif where == "invalid_login":
        page.goto("/login")
        with page.expect_navigation():
            page.get_by_role("button", name="Log ind").click()  # empty form: error summary and field errors
        assert page.locator(".form-error-message").count() == 2
    elif where == "not_found":
        page.goto("/findes-ikke")
    else:
        log_in(page, "staff@browser.example")
        if where == "forbidden":
            page.goto("/contributions/schemes")  # an admin's page
            assert "Du har ikke adgang til siden" in page.content()
    assert axe_violations(page) == []


def test_layout_uses_the_design_system_without_console_errors(page, live_server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/login")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "IBM Plex Sans" in font  # DKFDS' stylesheet is served and applied
    assert errors == []
