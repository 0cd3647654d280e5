"""Fixtures: an app on a fresh database (SQLite, or PostgreSQL with TEST_DATABASE_URL), a rolled-back
transaction per test, factories, and logged-in clients per role."""

import re
from datetime import UTC, datetime
from itertools import count

import pyotp
import pytest
from argon2 import PasswordHasher
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session
from sqlalchemy import update

from config import TestingConfig
from crm import create_app
from crm.auth import passwords
from crm.extensions import db as _db
from crm.security import Role
from tests.databases import scratch_database


class TestSession(Session):
    """Uses the connection the test bound it to (Flask-SQLAlchemy's own would pick the engine)."""

    def get_bind(self, *args, **kwargs):
        return self.bind


PASSWORD = "korrekt-hest-batteri-hæfteklamme"


class CRMTestClient(FlaskClient):
    """Requests reuse the test's app context; forget what the previous request kept in `g`."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for key in list(g):
                g.pop(key)
        return super().open(*args, **kwargs)


def make_app(database_url, **overrides):
    config = type("SuiteConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    app = create_app(config)
    app.test_client_class = CRMTestClient
    return app


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Argon2id still, with small costs, so hundreds of test logins stay quick."""
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


@pytest.fixture(scope="session")
def database_url():
    with scratch_database("suite") as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    app = make_app(database_url)
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return app


@pytest.fixture
def db(app):
    """The database session; everything the test (and its requests) commits is rolled back after it."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": TestSession}
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


_serial = count(1)


def valid_cvr(serial):
    """A fictional CVR number with a valid modulus-11 check digit."""
    weights = (2, 7, 6, 5, 4, 3, 2)
    number = 3000000 + serial
    while True:
        digits = [int(d) for d in f"{number:07d}"]
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        check = (11 - remainder) % 11
        if check < 10:
            return f"{number:07d}{check}"
        number += 1


@pytest.fixture
def make_company(db):
    from crm.companies.models import Company
    from crm.companies.services import search_text_for

    def make(**overrides):
        serial = next(_serial)
        values = {"cvr": valid_cvr(serial * 13), "name": f"Testfirma {serial} ApS"}
        overrides.pop("tags", None)
        values.update(overrides)
        company = Company(**values)
        company.search_text = search_text_for(company)
        db.session.add(company)
        db.session.commit()
        return company

    return make


@pytest.fixture
def make_user(db, make_company):
    from crm.auth import services

    def make(role=Role.STAFF, *, email=None, password=PASSWORD, company=None, enrolled=True, **overrides):
        role = Role(role)
        if role == Role.COMPANY and company is None:
            company = make_company()
        email = email or f"{role}{next(_serial)}@holme.example"
        user = services.create_user(email, password, role, company=company, **overrides)
        if role == Role.ADMIN and enrolled:  # admins must have two-factor login on to reach anything
            enrol_two_factor(user)
        db.session.commit()
        return user

    return make


def csrf_token(client):
    page = client.get("/password/forgot").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def enrol_two_factor(user):
    """Turn two-factor login on for a test user directly, as if enrolled earlier; the secret (base32)."""
    user.two_factor_secret = pyotp.random_base32()
    user.two_factor_enabled_at = datetime.now(UTC)
    return user.two_factor_secret


def current_code(app, email):
    """The user's authenticator code for now, as the phone would show it. A test that logs the same user in twice
    within one 30-second step would be refused as a replay; the step last used is forgotten here, as if the
    previous login were a minute ago (tests of the replay rule itself call the second step directly)."""
    from crm.auth import services
    from crm.auth.models import User

    with app.app_context():
        user = services.find_user(email)
        _db.session.execute(update(User).where(User.id == user.id).values(two_factor_last_step=None))
        _db.session.commit()
        return pyotp.TOTP(user.two_factor_secret).now()


def login(client, email, password=PASSWORD, *, second_step=True, **extra):
    """Log in through the login page; with two-factor login on, give the current code too (unless second_step
    is False, which leaves the client at the code step)."""
    data = {"email": email, "password": password, "csrf_token": csrf_token(client), **extra}
    response = client.post("/login", data=data)
    if second_step and response.status_code == 302 and response.location.endswith("/login/two-factor"):
        code = current_code(client.application, email)
        response = client.post("/login/two-factor", data={"code": code, "csrf_token": csrf_token(client)})
    return response


def post(client, url, data=None, **kwargs):
    """POST with the CSRF token the page would carry."""
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def _client_for(app, make_user, role):
    client = app.test_client()
    user = make_user(role)
    response = login(client, user.email)
    assert response.status_code == 302, "test login failed"
    client.user = user
    return client


@pytest.fixture
def admin_client(app, make_user):
    return _client_for(app, make_user, Role.ADMIN)


@pytest.fixture
def staff_client(app, make_user):
    return _client_for(app, make_user, Role.STAFF)


@pytest.fixture
def company_client(app, make_user):
    return _client_for(app, make_user, Role.COMPANY)

