"""The login throttle and the forgot-password limit hold across app servers: they count in the database, so two
app processes (two gunicorn servers on two ports, one database, as behind a load balancer) together allow what one
allows. A limit kept in a process's memory would let each server allow it once more."""

import os
import re
import subprocess
import sys
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, build_opener

import pytest

from crm.mail.models import OutboundEmail
from crm.security import Role
from tests.conftest import PASSWORD, make_app
from tests.faults.conftest import count, wait_until
from tests.mail.smtp import free_port

PROJECT = Path(__file__).resolve().parents[2]
LIMITS = {"LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS": "4", "PASSWORD_RESET_PER_ACCOUNT": "3",
          "PASSWORD_RESET_ANSWER_MS": "0"}


class _KeepRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test reads the 302 itself


class Browser:
    """One person's browser: one cookie jar for both servers (cookies do not depend on the port), no redirects."""

    def __init__(self):
        self._opener = build_opener(HTTPCookieProcessor(CookieJar()), _KeepRedirects)
        self.token = None

    def open(self, url, form=None):
        data = urlencode({**form, "csrf_token": self.token}).encode() if form is not None else None
        try:
            with self._opener.open(url, data=data, timeout=10) as response:
                return response.status, response.read().decode()
        except HTTPError as answer:
            return answer.code, answer.read().decode()

    def start(self, base):
        status, page = self.open(f"{base}/password/forgot")
        assert status == 200
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        return self


def _answers(base):
    try:
        return Browser().open(f"{base}/healthz")[0] == 200
    except (URLError, OSError):
        return False


@pytest.fixture(scope="module")
def app(fault_database_url):
    return make_app(fault_database_url)


@pytest.fixture(scope="module")
def servers(fault_database_url, tmp_path_factory):
    """Two gunicorn servers of the app on the module's database; their base URLs."""
    folder = tmp_path_factory.mktemp("servers")
    env = {**os.environ, "DATABASE_URL": fault_database_url, "SECRET_KEY": "shared-by-both-servers",
           "HOLME_ENV": "development", "INSTANCE_PATH": str(folder), **LIMITS}
    env.pop("MAIL_SERVER", None)
    started = []
    try:
        for _ in range(2):
            port = free_port()
            log = open(folder / f"server-{port}.log", "wb")  # closed below
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
            started.append((process, log, f"http://127.0.0.1:{port}"))
        for process, log, base in started:
            wait_until(lambda process=process, base=base: _answers(base) or process.poll() is not None,
                       timeout=60, interval=0.1, what=f"the app server on {base}")
            assert process.poll() is None, Path(log.name).read_text()
        yield [base for _, _, base in started]
    finally:
        for process, log, _ in started:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def make_user(app, email):
    from crm.auth import services
    from crm.extensions import db

    with app.app_context():
        services.create_user(email, PASSWORD, Role.STAFF)
        db.session.commit()
    return email


def login(browser, base, email, password):
    return browser.open(f"{base}/login", {"email": email, "password": password})


def test_failed_logins_on_one_server_throttle_the_account_on_the_other(app, servers):
    first, second = servers
    guessed = make_user(app, "gaettet@holme.example")
    other = make_user(app, "kollega@holme.example")
    guesser = Browser().start(first)

    for base in (first, second, first, second):  # two failures on each server: four together, the limit
        status, page = login(guesser, base, guessed, "forkert-gæt-1234")
        assert status == 200 and "E-mail eller adgangskode er forkert." in page

    for base in (first, second):  # even the right password now waits, on both servers
        status, page = login(guesser, base, guessed, PASSWORD)
        assert status == 429 and "For mange forsøg" in page
    for base in (first, second):  # a colleague at the same address is not affected
        assert login(Browser().start(base), base, other, PASSWORD)[0] == 302


def test_reset_links_asked_for_on_both_servers_are_limited_together(app, servers):
    first, second = servers
    forgetful = make_user(app, "glemsom@holme.example")
    browser = Browser().start(first)

    for base in (first, second, first, second, first):  # five requests: three on one server, two on the other
        status, _ = browser.open(f"{base}/password/forgot", {"email": forgetful})
        assert status == 302

    assert count(app, OutboundEmail, OutboundEmail.to_address == forgetful) == 3, "PASSWORD_RESET_PER_ACCOUNT"
