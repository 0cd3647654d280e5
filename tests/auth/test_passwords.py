from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.auth import passwords
from crm.auth.models import PasswordResetRequest, PasswordResetToken, User
from crm.auth.passwords import password_problem, verify_password
from crm.mail.models import OutboundEmail
from tests.conftest import PASSWORD, login, post


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("kort-kode", True),
        ("x" * 129, True),
        ("password1234", True),
        ("Velkommen2024", True),
        ("123456789012", True),
        ("en lang sætning med æøå og mellemrum", False),
        ("🙂" * 12, False),
        ("y" * 128, False),
    ],
)
def test_password_policy(password, refused):
    assert (password_problem(password) is not None) == refused


def test_an_unknown_email_is_checked_against_a_hash_of_the_current_hashers_cost(monkeypatch):
    """Equal timing for known and unknown e-mails holds only while the stand-in hash has the hasher's costs."""
    for hasher in (PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1),
                   PasswordHasher(time_cost=1, memory_cost=1024, parallelism=2)):
        monkeypatch.setattr(passwords, "_hasher", hasher)
        assert verify_password(None, "hvad som helst") is False
        assert not hasher.check_needs_rehash(passwords._dummy_hash())


def test_forgotten_password_mails_a_link_that_works_once(client, make_user, db):
    user = make_user("staff")
    response = post(client, "/password/forgot", {"email": user.email})
    assert response.status_code == 302
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == user.email)).one()
    link = next(word for word in mail.body_text.split() if "/password/reset/" in word)
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalars(select(PasswordResetToken.token_hash)).all()
    assert token not in stored and len(stored) == 1
    path = f"/password/reset/{token}"
    assert client.get(path).status_code == 200
    new = "et nyt og langt kodeord til holmen"
    response = post(client, path, {"password": new, "confirm": new})
    assert response.status_code == 302
    assert login(client, user.email, new).status_code == 302
    assert client.get(path).status_code == 404
    assert "Linket virker ikke længere" in client.get(path).get_data(as_text=True)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, make_user, db):
    user = make_user("staff")
    known = post(client, "/password/forgot", {"email": user.email})
    unknown = post(client, "/password/forgot", {"email": "ingen@holme.example"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert db.session.scalars(select(OutboundEmail.to_address)).all() == [user.email]


def test_expired_reset_link_is_refused(client, make_user, db):
    from crm.auth import services
    from crm.db import utcnow

    user = make_user("staff")
    token = services.request_password_reset(user.email).token
    db.session.commit()
    row = db.session.scalars(select(PasswordResetToken)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    new = "noget helt nyt her"
    response = post(client, f"/password/reset/{token}", {"password": new, "confirm": new})
    assert response.status_code == 404
    assert login(client, user.email).status_code == 302  # the old password still works


def test_weak_new_password_is_explained(client, make_user):
    user = make_user("staff")
    from crm.auth import services

    token = services.request_password_reset(user.email).token
    response = post(client, f"/password/reset/{token}", {"password": "kort", "confirm": "kort"})
    assert response.status_code == 422
    assert "mindst 12 tegn" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions(app, make_user, db):
    user = make_user("staff")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user.email)
    login(elsewhere, user.email)
    new = "sommerhus ved stranden i tisvilde"
    response = post(here, "/account/password", {"current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert login(app.test_client(), user.email, new).status_code == 302


def test_password_change_needs_the_current_password(staff_client, db):
    new = "sommerhus ved stranden i tisvilde"
    response = post(staff_client, "/account/password", {"current": "forkert-forkert", "password": new, "confirm": new})
    assert response.status_code == 422
    assert "nuværende adgangskode er forkert" in response.get_data(as_text=True)


def test_create_admin_from_the_command_line(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "Chef@Hvidovre.example", "--password-stdin"],
                           input="en god lang adgangskode\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "chef@hvidovre.example")).one()
    assert user.role == "admin"
    again = runner.invoke(args=["users", "create-admin", "chef@hvidovre.example", "--password-stdin"],
                          input="en god lang adgangskode\n")
    assert again.exit_code != 0 and "findes allerede" in again.output
    weak = runner.invoke(args=["users", "create-admin", "ny@hvidovre.example", "--password-stdin"], input="kort\n")
    assert weak.exit_code != 0 and "mindst 12 tegn" in weak.output


def _reset_path(db, email):
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == email)
                              .order_by(OutboundEmail.id.desc())).first()
    return urlsplit(next(word for word in mail.body_text.split() if "/password/reset/" in word)).path


def test_changing_the_password_stops_an_open_reset_link(staff_client, client, db):
    email = staff_client.user.email
    post(client, "/password/forgot", {"email": email})
    path = _reset_path(db, email)
    assert client.get(path).status_code == 200
    new = "sommerhus ved stranden i tisvilde"
    assert post(staff_client, "/account/password", {"current": PASSWORD, "password": new, "confirm": new}) \
        .status_code == 302
    page = client.get(path)
    assert page.status_code == 404 and "Linket virker ikke længere" in page.get_data(as_text=True)
    other = "en anden lang sætning om holmen"
    assert post(client, path, {"password": other, "confirm": other}).status_code == 404
    assert login(client, email, other).status_code == 200  # refused: stays on the form
    assert login(client, email, new).status_code == 302


NEUTRAL = "Hvis e-mailen hører til en bruger, har vi sendt et link til at vælge en ny adgangskode."


def _ask_for_reset(app, address, email):
    """Ask for a reset link from a browser at the address; the answer (status, where to, the message shown)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    response = post(client, "/password/forgot", {"email": email})
    return response.status_code, response.headers.get("Location"), NEUTRAL in client.get("/login").get_data(
        as_text=True)


def _mails_to(db, email):
    return len(db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == email)).all())


def test_reset_mails_to_one_account_stop_after_the_limit_and_the_answer_stays_the_same(app, make_user, db):
    user = make_user("staff")
    limit = app.config["PASSWORD_RESET_PER_ACCOUNT"]
    answers = [_ask_for_reset(app, f"10.5.0.{n}", user.email) for n in range(limit + 3)]
    assert _mails_to(db, user.email) == limit
    unknown = _ask_for_reset(app, "10.5.1.1", "ingen@holme.example")
    assert set(answers) == {unknown} == {(302, "/login", True)}

    for row in db.session.scalars(select(PasswordResetRequest)):
        row.at -= timedelta(hours=1, minutes=1)  # the hour has passed
    db.session.commit()
    _ask_for_reset(app, "10.5.0.1", user.email)
    assert _mails_to(db, user.email) == limit + 1


def test_one_address_asking_for_many_resets_is_stopped_with_the_same_answer(app, make_user, db, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_PER_ADDRESS", 6)  # the rule, not the default, with fewer requests
    user, other = make_user("staff"), make_user("staff")
    answers = [_ask_for_reset(app, "10.6.0.1", f"gaet{n}@holme.example") for n in range(5)]
    answers.append(_ask_for_reset(app, "10.6.0.1", user.email))  # the sixth: still under the limit
    answers.append(_ask_for_reset(app, "10.6.0.1", other.email))  # the seventh: over it
    assert set(answers) == {(302, "/login", True)}
    assert (_mails_to(db, user.email), _mails_to(db, other.email)) == (1, 0)
    _ask_for_reset(app, "10.6.0.2", other.email)  # another address is not held back
    assert _mails_to(db, other.email) == 1
    refused = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.password_reset_throttled")).one()
    assert (refused.actor_email, refused.address, refused.changes["reason"]) == (other.email, "10.6.0.1", "address")


def _costs(password_hash):
    parameters = extract_parameters(password_hash)
    return parameters.type, parameters.memory_cost, parameters.time_cost, parameters.parallelism


def test_a_hash_made_with_the_old_library_default_is_redone_at_the_owasp_minimum_on_login(client, make_user, db,
                                                                                           monkeypatch):
    monkeypatch.setattr(passwords, "_hasher", passwords.HASHER)  # the costs the app runs with, not the tests' own
    user = make_user("staff")
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash(PASSWORD)  # argon2-cffi's default
    user.password_hash = old
    db.session.commit()

    assert login(client, user.email, "ikke-den-rigtige-kode").status_code == 200  # refused: stays on the form
    db.session.refresh(user)
    assert user.password_hash == old  # a wrong password changes nothing

    assert login(client, user.email).status_code == 302
    db.session.refresh(user)
    assert user.password_hash != old
    assert _costs(user.password_hash) == (Type.ID, 19 * 1024, 2, 1)
    assert verify_password(user.password_hash, PASSWORD)
    post(client, "/logout")
    rehashed = user.password_hash
    assert login(client, user.email).status_code == 302  # the new costs stay: no second rehash
    db.session.refresh(user)
    assert user.password_hash == rehashed
