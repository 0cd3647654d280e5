"""Fixtures of the fault tests: their own database (the code under test commits, as in production, and what is
compared is what another connection reads), logged-in clients, and a snapshot of every table."""

import itertools
import os
import threading
import time
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import make_url

from crm.auth import services as auth_services
from crm.companies.models import Company
from crm.companies.services import search_text_for
from crm.extensions import db
from crm.mail.worker import run_worker
from crm.security import Role
from tests.conftest import PASSWORD, csrf_token, enrol_two_factor, login, make_app, valid_cvr
from tests.databases import scratch_database

ON_POSTGRESQL = bool(os.environ.get("TEST_DATABASE_URL"))


@pytest.fixture(scope="module")
def fault_database_url():
    """A migrated database of the module's own (a SQLite file, or a PostgreSQL schema)."""
    with scratch_database("faults") as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


def through(url, forwarder):
    """The database URL with the forwarder's address in place of the server's."""
    return make_url(url).set(host=forwarder.host, port=forwarder.port).render_as_string(hide_password=False)


def snapshot(url):
    """Every row of every table, read over a connection of its own: {table name: [rows in key order]}."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {table.name: connection.execute(select(table).order_by(*table.primary_key.columns)).all()
                    for table in db.metadata.sorted_tables}
    finally:
        engine.dispose()


def count(app, model, *conditions):
    """How many rows of the model match, read by the app."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def logged_in(app, role, email):
    """A test client of the app, logged in as a new user of the role, with the CSRF token its forms carry."""
    with app.app_context():
        user = auth_services.create_user(email, PASSWORD, role)
        if role == Role.ADMIN:  # admins must have two-factor login on to reach anything
            enrol_two_factor(user)
        db.session.commit()
    client = app.test_client()
    assert login(client, email).status_code == 302
    client.csrf = csrf_token(client)
    return client


def wait_until(condition, timeout=10.0, what="the condition", interval=0.01):
    """Poll every `interval` seconds until condition() is true; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(interval)


_serial = itertools.count(1)


def new_company(**values):
    """A company committed at once (inside an app context), with a valid fictional CVR number."""
    serial = next(_serial)
    company = Company(**{"cvr": valid_cvr(50_000 + serial * 7), "name": f"Fejlfirma {serial} ApS", **values})
    company.search_text = search_text_for(company)
    db.session.add(company)
    db.session.commit()
    return company


class InjectedFault(RuntimeError):
    """The fault a test puts into the middle of a request."""


def _raise_injected(prefix):
    raise InjectedFault(f"injected before: {prefix}")


@contextmanager
def at_statement(app, prefix=None, action=_raise_injected):
    """While active, run action(prefix) when the app's engine is about to run the first statement starting with
    prefix (raise InjectedFault, by default; or cut the database); with no prefix, only watch. Yields the list of
    the writes (INSERT, UPDATE, DELETE and the table) run before it, so a test can show the fault struck after
    something was written."""
    written, struck = [], []

    def before(connection, cursor, statement, parameters, context, executemany):
        if prefix is not None and not struck and statement.startswith(prefix):
            struck.append(statement)
            action(prefix)
        elif statement.startswith(("INSERT", "UPDATE", "DELETE")):
            words = statement.split()
            written.append(" ".join(words[:2 if words[0] == "UPDATE" else 3]))  # "UPDATE t", "INSERT INTO t"

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield written
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert struck or prefix is None, f"no statement started with {prefix!r}: the fault was never injected"


@contextmanager
def worker_running(app, poll_seconds=0.05):
    """The mail worker's loop (run_worker, as `flask mail worker` runs it) in a thread until the block ends; it must
    then stop as told, having raised nothing."""
    stop, raised = threading.Event(), []

    def work():
        with app.app_context():
            try:
                run_worker(stop=stop, poll_seconds=poll_seconds)
            except BaseException as error:
                raised.append(error)
                raise
            finally:
                db.session.remove()

    worker = threading.Thread(target=work, name="mail-worker")
    worker.start()
    try:
        yield worker
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive() and not raised, f"the worker did not stop cleanly: {raised}"
