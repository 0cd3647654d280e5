"""Personal API tokens: made on /account/tokens or at the command line, shown once, stored hashed, expiring,
revocable, read or read-write, their last use noted, limited per minute."""

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select, update

from crm.api.models import ApiToken, TokenScope
from crm.audit.models import AuditEntry
from crm.db import utcnow
from crm.security import Role
from tests.api.conftest import bearer
from tests.conftest import post

TOKEN_PATTERN = re.compile(r'id="api-token-secret">(hcrm_[A-Za-z0-9_-]+)<')


def test_a_user_makes_a_token_on_the_page_sees_it_once_and_it_opens_the_api(staff_client, db):
    response = post(staff_client, "/account/tokens", {"name": "ESDH", "scope": "read", "days": "30"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    secret = TOKEN_PATTERN.search(page).group(1)
    assert "bliver ikke vist igen" in page
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.token_hash, token.prefix) and secret.startswith(token.prefix)
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    listing = staff_client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing and token.prefix in listing and "ESDH" in listing and "Aldrig" in listing
    assert staff_client.get("/api/v1/companies", headers=bearer(secret)).status_code == 200
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "api.token_created")).one()


def test_the_form_refuses_a_token_without_a_name_or_for_too_long(staff_client, db):
    response = post(staff_client, "/account/tokens", {"name": "", "scope": "read", "days": "400"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Giv tokenet et navn." in page and "Fra 1 til 365 dage." in page
    assert db.session.scalars(select(ApiToken)).first() is None


def test_last_use_is_noted(client, make_token, db):
    secret = make_token()
    assert secret.token.last_used_at is None
    client.get("/api/v1/groups", headers=bearer(secret))
    db.session.refresh(secret.token)
    assert utcnow() - secret.token.last_used_at < timedelta(minutes=1)


def test_an_unknown_expired_or_revoked_token_is_refused_in_json(client, make_token, db):
    assert client.get("/api/v1/companies", headers=bearer("hcrm_not-a-token")).status_code == 401
    expired = make_token()
    db.session.execute(update(ApiToken).where(ApiToken.id == expired.token.id)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get("/api/v1/companies", headers=bearer(expired))
    assert response.status_code == 401
    assert response.get_json()["message"] == "API-tokenet er ukendt, udløbet eller tilbagekaldt."
    inactive = make_token()
    inactive.user.active = False
    db.session.commit()
    assert client.get("/api/v1/companies", headers=bearer(inactive)).status_code == 401


def test_the_owner_revokes_a_token_and_it_stops_working(app, make_user, make_token, db):
    from tests.conftest import login

    client = app.test_client()
    user = make_user(Role.STAFF)
    login(client, user.email)
    secret = make_token(user=user)
    assert client.get("/api/v1/companies", headers=bearer(secret)).status_code == 200
    response = post(client, f"/account/tokens/{secret.token.id}/revoke", follow_redirects=True)
    assert "er tilbagekaldt" in response.get_data(as_text=True)
    assert client.get("/api/v1/companies", headers=bearer(secret)).status_code == 401
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "api.token_revoked")).one()
    assert entry.actor_id == user.id and entry.object_id == secret.token.id


def test_a_user_cannot_revoke_another_users_token_but_an_admin_sees_and_revokes_all(
        staff_client, admin_client, make_token, db):
    other = make_token(Role.COMPANY, name="Virksomhedens ERP")
    assert post(staff_client, f"/account/tokens/{other.token.id}/revoke").status_code == 404
    assert "Virksomhedens ERP" not in staff_client.get("/account/tokens").get_data(as_text=True)
    assert "Virksomhedens ERP" in admin_client.get("/account/tokens").get_data(as_text=True)
    post(admin_client, f"/account/tokens/{other.token.id}/revoke")
    db.session.refresh(other.token)
    assert other.token.revoked_at is not None


def test_a_read_token_cannot_write(client, make_token, make_company):
    company = make_company()
    response = client.post(f"/api/v1/companies/{company.id}/activities", headers=bearer(make_token()),
                           json={"kind": "note", "text": "Ringede om affald"})
    assert response.status_code == 403
    assert "kun læse" in response.get_json()["message"]


def test_requests_beyond_the_limit_get_429_with_retry_after(app, client, make_token, monkeypatch, db):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 3)
    secret = make_token()
    assert [client.get("/api/v1/groups", headers=bearer(secret)).status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/groups", headers=bearer(secret))
    assert refused.status_code == 429 and refused.is_json
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    other = make_token()  # the limit is per token
    assert client.get("/api/v1/groups", headers=bearer(other)).status_code == 200
    # A minute later the window has passed (as another process would see it: the count is in the database).
    db.session.execute(update(ApiToken).where(ApiToken.id == secret.token.id)
                       .values(window_started_at=utcnow() - timedelta(seconds=61)))
    db.session.commit()
    assert client.get("/api/v1/groups", headers=bearer(secret)).status_code == 200


def test_the_command_line_makes_a_token_and_prints_it_once(app, db, make_user):
    user = make_user(Role.STAFF)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api", "token", "create", user.email.upper(), "--name", "Rapportværktøj",
                                 "--days", "7", "--scope", "read-write"])
    assert result.exit_code == 0, result.output
    secret = re.search(r"^(hcrm_\S+)$", result.output, re.MULTILINE).group(1)
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.scope == TokenScope.READ_WRITE and token.name == "Rapportværktøj"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert app.test_client().get("/api/v1/companies", headers=bearer(secret)).status_code == 200
    unknown = runner.invoke(args=["api", "token", "create", "nobody@holme.example", "--name", "x"])
    assert unknown.exit_code != 0 and "No active user" in unknown.output
