"""Serving under gunicorn and talking to it: a server per app and database, and a small cookie-keeping client."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.datasets import RESULTS

ROOT = Path(__file__).resolve().parent.parent
LOGS = RESULTS / "logs"
WORKERS = 2
STARTUP_SECONDS = 60
CSRF_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app_spec, env, log_name, *, workers=WORKERS, port=None):
    """Serve `app_spec` with gunicorn (`workers` sync workers) on a free local port; yield a Client for it."""
    port = port or _free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", app_spec]
    with serving(command, env, log_name, port) as client:
        yield client


@contextmanager
def flask_run(env, log_name):
    """Serve the CRM as `make run` does: `flask run`, one process answering each request in a thread."""
    port = _free_port()
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", str(port),
               "--no-reload", "--no-debugger", "--with-threads"]
    with serving(command, env, log_name, port) as client:
        yield client


@contextmanager
def serving(command, env, log_name, port):
    """Run a server command until it answers /healthz on `port`; yield a Client for it (its `process` set), and
    stop it afterwards."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{log_name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        client = Client(port)
        client.process = process
        _wait_until_up(client, process, log_path)
        yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(client, process, log_path):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log_path}:\n{_tail(log_path)}")
        try:
            if client.get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {STARTUP_SECONDS} s; see {log_path}")


def _tail(path, lines=20):
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class Response:
    """Status, headers and body of one answer, and how long it took from sending to the body's last byte."""

    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


class Client:
    """Plain HTTP/1.1 to a local server, one connection per request (gunicorn's sync workers close them anyway)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        headers = {"Accept-Encoding": "identity", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            seconds = time.perf_counter() - started
        finally:
            connection.close()
        self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        return Response(answer.status, answer.headers, data, seconds)

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def _keep_cookies(self, set_cookies):
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def login(self, email, password):
        """Log in through the login form, as a person would; the session cookie is kept for what follows."""
        page = self.get("/login")
        token = CSRF_TOKEN.search(page.text)
        if token is None:
            raise RuntimeError(f"no CSRF token on /login (status {page.status})")
        answer = self.request("POST", "/login", {"email": email, "password": password, "csrf_token": token.group(1)})
        if answer.status != 302:
            raise RuntimeError(f"login as {email} failed: status {answer.status}")
