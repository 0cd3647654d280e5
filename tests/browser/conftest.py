"""Browser tests: Debian's Chromium driven by Playwright against the app served on a free local port.

Without a Chromium the tests skip with a clear message; with HOLME_REQUIRE_BROWSER=1 (set by .ci/run)
a missing browser is a failure.
"""

import os
import shutil
import threading

import pyotp
import pytest
from werkzeug.serving import make_server

from crm.security import Role
from tests.conftest import PASSWORD, enrol_two_factor, make_app
from tests.databases import scratch_database

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path():
    candidates = [os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((path for path in candidates if path and os.path.exists(path)), None)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium not found: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH"
        if os.environ.get("HOLME_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()

#: e-mail -> TOTP secret of the users LiveServer.make_user enrolled (log_in gives their code).
TWO_FACTOR_SECRETS = {}


class LiveServer:
    def __init__(self, app, url):
        self.app = app
        self.url = url

    def make_user(self, role, email, name="", company=None):
        from crm.auth import services
        from crm.extensions import db

        with self.app.app_context():
            user = services.find_user(email)
            if user is None:
                user = services.create_user(email, PASSWORD, role, name=name, company=company)
                if role == Role.ADMIN:  # admins must have two-factor login on to reach anything
                    TWO_FACTOR_SECRETS[email] = enrol_two_factor(user)
            db.session.commit()
            return user.email


@pytest.fixture(scope="session")
def live_server(browser):
    """The app on its own fresh database, served from a thread; data committed here stays for the session."""
    from flask_migrate import upgrade

    from crm.companies.demo_data import load_network
    from crm.companies.models import Company
    from crm.extensions import db

    with scratch_database("browser") as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            db.session.add(Company(cvr="10150817", name="Browserfirma ApS"))
            load_network(120, seed=7)
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        live = LiveServer(app, f"http://127.0.0.1:{server.server_port}")
        live.make_user(Role.STAFF, "staff@browser.example", "Søren Sekretariat")
        try:
            yield live
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, email, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    if page.url.endswith("/login/two-factor"):  # the code from the phone, for a user made with two-factor login on
        page.get_by_label("Kode", exact=True).fill(pyotp.TOTP(TWO_FACTOR_SECRETS[email]).now())
        with page.expect_navigation():
            page.get_by_role("button", name="Log ind").click()


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [(v["id"], v["help"], [(n["target"], n.get("failureSummary", "")[:300]) for n in v["nodes"]][:3])
            for v in results.response["violations"]]


def deliver_to_sink(live_server):
    """Run the mail worker once against the live server's database; the messages a local SMTP server received."""
    from crm.mail.worker import run_worker
    from tests.mail.smtp import SMTPSink
    from tests.mail.test_worker import worker_app_for

    sink = SMTPSink().start()
    try:
        with worker_app_for(live_server.app.config["SQLALCHEMY_DATABASE_URI"], sink).app_context():
            run_worker(once=True)
        return [message.parsed() for message in sink.messages]
    finally:
        sink.stop()
