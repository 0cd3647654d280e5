"""Two-factor login: enrolment, the code after the password, replay, throttling, recovery codes, turning off."""

import re
import time

import pyotp
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.auth import two_factor
from crm.auth.models import LoginFailure, RecoveryCode, User
from tests.conftest import enrol_two_factor, login, post

WRONG_CODE = "Koden er forkert eller allerede brugt"


def wrong(code):
    """A code that is not this one (it could only match another step's code by a one-in-a-million chance)."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def secret_on_page(page):
    return re.search(r'id="two-factor-secret">([A-Z2-7]+)<', page).group(1)


def enrol_through_pages(client):
    """Start enrolment, read the secret from the page and confirm it; the secret and the page with the codes."""
    post(client, "/account/two-factor/start")
    secret = secret_on_page(client.get("/account/two-factor").get_data(as_text=True))
    answer = post(client, "/account/two-factor/confirm", {"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 200
    return secret, answer.get_data(as_text=True)


def test_enrolment_shows_a_qr_code_refuses_a_wrong_code_and_turns_on_with_the_right_one(app, staff_client, db):
    elsewhere = app.test_client()  # another session, opened with the password alone
    login(elsewhere, staff_client.user.email)
    start = staff_client.get("/account/two-factor").get_data(as_text=True)
    assert "Kom i gang med tofaktor-login" in start
    post(staff_client, "/account/two-factor/start")
    page = staff_client.get("/account/two-factor").get_data(as_text=True)
    svg = re.search(r"<svg[^>]*two-factor-qr.*?</svg>", page, re.S).group(0)
    assert "<path" in svg and "style" not in svg and "<script" not in svg  # the CSP forbids inline style/script
    secret = secret_on_page(page)

    refused = post(staff_client, "/account/two-factor/confirm", {"code": wrong(pyotp.TOTP(secret).now())})
    assert refused.status_code == 422 and "Koden passer ikke" in refused.get_data(as_text=True)
    assert not db.session.get(User, staff_client.user.id).two_factor_on

    answer = post(staff_client, "/account/two-factor/confirm", {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code>", answer.get_data(as_text=True))
    assert len(set(codes)) == 10
    user = db.session.get(User, staff_client.user.id)
    assert user.two_factor_on
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    after = staff_client.get("/account/two-factor").get_data(as_text=True)
    assert secret not in after and "two-factor-qr" not in after  # never shown again
    assert "10 ubrugte gendannelseskoder" in after
    assert elsewhere.get("/").status_code == 302  # sessions elsewhere end; this one goes on
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.two_factor_enabled")).one()


def test_login_asks_for_the_code_and_logs_in_only_after_it(client, make_user, db):
    user = make_user("staff")
    secret = enrol_two_factor(user)
    db.session.commit()
    answer = login(client, user.email, second_step=False)
    assert answer.status_code == 302 and answer.location.endswith("/login/two-factor")
    assert client.get("/").status_code == 302  # the password alone logs nobody in
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert db.session.get(User, user.id).last_login_at is None

    refused = post(client, "/login/two-factor", {"code": wrong(pyotp.TOTP(secret).now())})
    assert refused.status_code == 200 and WRONG_CODE in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302

    done = post(client, "/login/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done.location == "/"
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        assert session["_fresh"] and "two_factor_pending" not in session
    assert db.session.get(User, user.id).last_login_at is not None


def test_a_code_used_once_is_refused_the_second_time(app, make_user, db):
    user = make_user("staff")
    secret = enrol_two_factor(user)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    login(first, user.email, second_step=False)
    login(second, user.email, second_step=False)
    code = pyotp.TOTP(secret).now()
    assert post(first, "/login/two-factor", {"code": code}).status_code == 302
    replay = post(second, "/login/two-factor", {"code": code})
    assert replay.status_code == 200 and WRONG_CODE in replay.get_data(as_text=True)
    assert second.get("/").status_code == 302


def test_wrong_codes_are_throttled_like_the_login_per_account_and_address(app, make_user, db):
    user = make_user("staff")
    secret = enrol_two_factor(user)
    db.session.commit()
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    login(guesser, user.email, second_step=False)
    limit = app.config["LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS"]
    for _ in range(limit):
        assert post(guesser, "/login/two-factor", {"code": wrong(pyotp.TOTP(secret).now())}).status_code == 200
    throttled = post(guesser, "/login/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert throttled.status_code == 429 and "For mange forsøg" in throttled.get_data(as_text=True)
    assert guesser.get("/").status_code == 302
    assert db.session.scalar(select(LoginFailure.address).where(LoginFailure.email == user.email).limit(1)) \
        == "203.0.113.9"
    # The password again does not forgive the wrong codes.
    assert login(guesser, user.email, second_step=False).status_code == 429
    # The owner elsewhere is not locked out.
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert login(owner, user.email).status_code == 302 and owner.get("/").status_code == 200


def test_a_recovery_code_works_once(app, make_user, db):
    user = make_user("staff")
    enrol_two_factor(user)
    codes = two_factor.new_recovery_codes(user)
    db.session.commit()
    client = app.test_client()
    login(client, user.email, second_step=False)
    answer = post(client, "/login/two-factor", {"code": codes[0].upper()}, follow_redirects=True)
    assert "Du loggede ind med en gendannelseskode" in answer.get_data(as_text=True)
    assert "du har 9 tilbage" in answer.get_data(as_text=True)
    again = app.test_client()
    login(again, user.email, second_step=False)
    refused = post(again, "/login/two-factor", {"code": codes[0]})
    assert WRONG_CODE in refused.get_data(as_text=True) and again.get("/").status_code == 302


def test_a_login_waiting_too_long_for_its_code_starts_over(app, client, make_user, db, monkeypatch):
    user = make_user("staff")
    secret = enrol_two_factor(user)
    db.session.commit()
    monkeypatch.setitem(app.config, "TWO_FACTOR_PENDING_SECONDS", -1)
    login(client, user.email, second_step=False)
    answer = post(client, "/login/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert "Log ind forfra" in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_turning_off_needs_a_current_code(client, make_user, db):
    user = make_user("staff")
    secret = enrol_two_factor(user)
    db.session.commit()
    login(client, user.email)
    totp = pyotp.TOTP(secret)
    refused = post(client, "/account/two-factor/disable", {"off-code": wrong(totp.at(time.time() + 30))})
    assert refused.status_code == 422 and WRONG_CODE in refused.get_data(as_text=True)
    assert db.session.get(User, user.id).two_factor_on
    # The login used this step's code; the phone's next code (within the drift allowed) is a new one.
    answer = post(client, "/account/two-factor/disable", {"off-code": totp.at(time.time() + 30)})
    assert answer.status_code == 302
    user = db.session.get(User, user.id)
    assert not user.two_factor_on and user.two_factor_secret is None
    assert not db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.two_factor_disabled")).one()


def test_new_recovery_codes_replace_the_old_ones(client, make_user, db):
    user = make_user("staff")
    secret = enrol_two_factor(user)
    old = two_factor.new_recovery_codes(user)
    db.session.commit()
    login(client, user.email)
    answer = post(client, "/account/two-factor/recovery-codes",
                  {"codes-code": pyotp.TOTP(secret).at(time.time() + 30)})
    new = re.findall(r"<code>([a-z2-7-]{19})</code>", answer.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    other = type(client)(client.application, client.response_wrapper)
    login(other, user.email, second_step=False)
    assert WRONG_CODE in post(other, "/login/two-factor", {"code": old[1]}).get_data(as_text=True)


def test_moving_to_a_new_phone_keeps_the_old_one_working_until_the_new_one_is_confirmed(app, client, make_user, db):
    user = make_user("staff")
    old_secret = enrol_two_factor(user)
    db.session.commit()
    login(client, user.email)
    post(client, "/account/two-factor/start")
    page = client.get("/account/two-factor").get_data(as_text=True)
    new_secret = secret_on_page(page)
    assert new_secret != old_secret and "two-factor-qr" in page
    assert db.session.get(User, user.id).two_factor_secret == old_secret  # the old phone still works meanwhile

    answer = post(client, "/account/two-factor/confirm", {"code": pyotp.TOTP(new_secret).at(time.time() + 30)})
    assert answer.status_code == 200 and "Dine gendannelseskoder" in answer.get_data(as_text=True)
    user = db.session.get(User, user.id)
    assert user.two_factor_secret == new_secret and user.two_factor_new_secret is None
    user.two_factor_last_step = None  # a minute later: the step used to confirm is long past
    db.session.commit()
    other = app.test_client()
    login(other, user.email, second_step=False)
    assert WRONG_CODE in post(other, "/login/two-factor", {"code": pyotp.TOTP(old_secret).now()}).get_data(as_text=True)
    assert post(other, "/login/two-factor", {"code": pyotp.TOTP(new_secret).now()}).status_code == 302
