from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.auth.models import LoginAddress, LoginFailure, User
from tests.conftest import PASSWORD, csrf_token, login, post

GENERIC = "E-mail eller adgangskode er forkert."
THROTTLED = "For mange forsøg"


def client_at(app, address):
    """A browser at this network address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_login_page_is_danish(client):
    page = client.get("/login")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<html lang="da">' in text
    assert "Log ind" in text and "Adgangskode" in text


def test_login_with_right_password_goes_home(client, make_user, db):
    user = make_user("staff", name="Søren")
    response = login(client, user.email.upper())  # e-mail is case-insensitive
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Velkommen, Søren" in client.get("/").get_data(as_text=True)
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_and_unknown_account_get_the_same_answer(client, make_user):
    user = make_user("staff")
    wrong = login(client, user.email, "forkert-adgangskode-123")
    unknown = login(client, "findes.ikke@holme.example", "forkert-adgangskode-123")
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)
    assert "findes ikke" not in unknown.get_data(as_text=True).lower().replace("siden findes ikke", "")


def test_inactive_user_cannot_log_in(client, make_user, db):
    user = make_user("staff")
    user.active = False
    db.session.commit()
    assert GENERIC in login(client, user.email).get_data(as_text=True)


def test_thirty_wrong_passwords_throttle_then_the_window_passes(client, make_user, db):
    user = make_user("staff")
    answers = _fail(client, user.email, 30)
    assert answers[0] == 200
    assert answers[-1] == 429
    throttled = login(client, user.email)  # even the right password waits
    assert throttled.status_code == 429
    assert "For mange forsøg" in throttled.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.login_throttled").limit(1))

    for failure in db.session.scalars(select(LoginFailure)):
        failure.at -= timedelta(minutes=16)  # the throttle window (15 minutes) has passed
    db.session.commit()
    assert login(client, user.email).status_code == 302


def test_address_throttle_covers_many_accounts(client, app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_PER_ADDRESS", 12)  # the rule, not the default, with fewer requests
    limit = app.config["LOGIN_THROTTLE_PER_ADDRESS"]
    token = csrf_token(client)
    for i in range(limit):
        response = client.post("/login", data={"email": f"gaet{i}@holme.example", "password": "forkert-kode-igen",
                                               "csrf_token": token})
        assert response.status_code == 200
    user = make_user("staff")
    assert login(client, user.email).status_code == 429


def test_next_goes_only_to_local_paths(client, make_user):
    user = make_user("admin")
    assert login(client, user.email, next="https://evil.example/").headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    for bad in ("//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        assert login(client, user.email, next=bad).headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert login(client, user.email, next="/audit/?action=auth").headers["Location"] == "/audit/?action=auth"


def test_login_starts_a_new_session(client, make_user):
    user = make_user("staff")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_ends_every_session_of_the_user(app, make_user):
    user = make_user("staff")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email, remember="y")
    assert phone.get("/").status_code == 200
    response = post(laptop, "/logout")
    assert response.status_code == 302
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302  # the remember cookie no longer works either
    assert phone.get("/").headers["Location"].startswith("/login")


def test_logout_needs_post(staff_client):
    assert staff_client.get("/logout").status_code == 405
    assert staff_client.get("/").status_code == 200


def test_remember_cookie_is_secure_and_bounded(client, make_user, app):
    user = make_user("staff")
    response = login(client, user.email, remember="y")
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("remember_token=")]
    assert cookies, "remember-me cookie not set"
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    assert "Expires=" in cookies[0]
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)


def test_login_and_logout_are_audited(client, make_user, db):
    user = make_user("staff")
    login(client, user.email, "helt-forkert-kode-her")
    login(client, user.email)
    post(client, "/logout")
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_email == user.email)).all()
    assert {"auth.login_failed", "auth.login", "auth.logout"} <= set(actions)


def test_password_is_never_stored_plainly(make_user, db):
    user = make_user("staff")
    stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_logins_and_logouts_are_audited_with_the_client_address(app, make_user, db):
    user = make_user("staff")
    client = client_at(app, "10.0.0.7")
    login(client, user.email, "helt-forkert-kode-her")
    login(client, user.email)
    post(client, "/logout")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_email == user.email)).all()
    assert {entry.action for entry in entries} >= {"auth.login_failed", "auth.login", "auth.logout"}
    assert {entry.address for entry in entries} == {"10.0.0.7"}


def _fail(client, email, times):
    """The answers to `times` wrong passwords from one browser (one CSRF token for them all, to keep it quick)."""
    token = csrf_token(client)
    return [client.post("/login", data={"email": email, "password": f"forkert-kode-nummer-{i}", "csrf_token": token})
            .status_code for i in range(times)]


def test_an_attacker_failing_from_one_address_does_not_lock_out_the_user_at_another(app, make_user, db):
    user = make_user("staff")
    attacker, rightful = client_at(app, "10.0.0.1"), client_at(app, "10.0.0.2")
    answers = _fail(attacker, user.email, app.config["LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS"] + 2)
    assert answers[0] == 200 and answers[-1] == 429
    stopped = login(attacker, user.email)  # even the right password, from the attacker's address
    assert stopped.status_code == 429 and THROTTLED in stopped.get_data(as_text=True)
    assert login(rightful, user.email).status_code == 302
    assert login(attacker, user.email).status_code == 429, "the user's login does not clear the attacker's count"


def test_many_addresses_failing_against_one_account_are_stopped_but_a_known_address_gets_in(app, make_user, db,
                                                                                           monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS", 4)  # fewer requests, the same rules
    monkeypatch.setitem(app.config, "LOGIN_THROTTLE_PER_ACCOUNT", 10)
    user = make_user("staff")
    assert login(client_at(app, "10.0.9.9"), user.email).status_code == 302  # the user's usual address
    limit = app.config["LOGIN_THROTTLE_PER_ACCOUNT"]
    per_address = app.config["LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS"] - 1  # each stays under the pair limit
    answers = []
    for n in range(limit // per_address + 2):
        answers += _fail(client_at(app, f"10.1.0.{n}"), user.email, per_address)
    assert answers[0] == 200 and answers[-1] == 429
    assert answers.count(200) == limit
    stranger = login(client_at(app, "10.2.0.1"), user.email)  # a new address, even with the right password
    assert stranger.status_code == 429 and THROTTLED in stranger.get_data(as_text=True)
    assert login(client_at(app, "10.0.9.9"), user.email).status_code == 302
    refused = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_throttled")).all()
    assert {entry.changes["reason"] for entry in refused} == {"account"}
    assert "10.2.0.1" in {entry.address for entry in refused}


def test_each_login_refreshes_the_known_address_and_forgets_ones_unused_for_too_long(app, make_user, db):
    user = make_user("staff")
    assert login(client_at(app, "10.0.5.1"), user.email).status_code == 302
    assert login(client_at(app, "10.0.5.2"), user.email).status_code == 302
    rows = {row.address: row for row in db.session.scalars(select(LoginAddress).where(LoginAddress.user_id == user.id))}
    days = app.config["LOGIN_KNOWN_ADDRESS_DAYS"]
    rows["10.0.5.1"].last_login_at -= timedelta(days=days - 1)  # known still
    rows["10.0.5.2"].last_login_at -= timedelta(days=days + 1)  # unused for too long
    db.session.commit()
    assert login(client_at(app, "10.0.5.1"), user.email).status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(LoginAddress).where(LoginAddress.user_id == user.id)).all()
    assert [row.address for row in rows] == ["10.0.5.1"]
    assert rows[0].last_login_at > db.session.get(User, user.id).last_login_at - timedelta(minutes=1)


@pytest.mark.parametrize("cookie", ["²:token", "9223372036854775808:token", "abc", "", "1:", ":x"])
def test_a_forged_login_cookie_is_just_not_logged_in(app, db, cookie):
    from crm.auth.services import user_for_session

    with app.test_request_context():
        assert user_for_session(cookie) is None
