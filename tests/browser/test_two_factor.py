"""Two-factor login in a browser: enrol from the page's own key, save the recovery codes, log in with a code."""

import time

import pyotp
import pytest

from crm.security import Role
from tests.browser.conftest import axe_violations, log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_staff_enrols_with_the_key_on_the_page_and_logs_in_with_a_code(page, live_server):
    email = live_server.make_user(Role.STAFF, "tofaktor@browser.example", "Tove Tofaktor")
    log_in(page, email)
    page.goto("/account/two-factor")
    with page.expect_navigation():
        page.get_by_role("button", name="Kom i gang med tofaktor-login").click()
    assert page.locator("svg.two-factor-qr").is_visible()
    assert axe_violations(page) == []
    secret = page.locator("#two-factor-secret").inner_text().strip()
    totp = pyotp.TOTP(secret)
    page.get_by_label("Kode fra appen").fill(totp.now())
    with page.expect_navigation():
        page.get_by_role("button", name="Slå tofaktor-login til").click()
    assert page.get_by_role("heading", name="Dine gendannelseskoder").is_visible()
    assert page.locator(".two-factor-recovery-codes li").count() == 10
    with page.expect_navigation():
        page.get_by_role("link", name="Jeg har gemt koderne").click()
    assert secret not in page.content()

    with page.expect_navigation():
        page.get_by_role("button", name="Log af").first.click()
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    assert page.url.endswith("/login/two-factor")
    assert page.get_by_role("heading", name="Kode til login").is_visible()
    # The enrolment used this 30-second step's code; the phone's next code is a new one.
    page.get_by_label("Kode", exact=True).fill(totp.at(time.time() + 30))
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    assert page.url.endswith("/")
    assert "Tove Tofaktor" in page.content()
