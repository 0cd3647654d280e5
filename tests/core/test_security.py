import os

import pytest

from tests.conftest import csrf_token, login, make_app


def test_security_headers_on_every_page(client):
    for path in ("/login", "/healthz", "/findes-ikke"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        for part in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert part in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_or_style_in_the_layout(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<script>" not in page and "style=" not in page and "<style" not in page


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert "max-age=" in client.get("/login", base_url="https://crm.example").headers["Strict-Transport-Security"]


def test_pages_of_a_logged_in_user_are_kept_from_caches_and_public_ones_are_not(client, make_user):
    assert "Cache-Control" not in client.get("/login").headers
    assert login(client, make_user("staff").email).status_code == 302
    for path in ("/companies/", "/healthz", "/findes-ikke"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(client, make_user):
    user = make_user("staff")
    cookies = login(client, user.email).headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_post_without_csrf_token_is_refused_in_danish(client, make_user):
    user = make_user("staff")
    response = client.post("/login", data={"email": user.email, "password": "korrekt-hest-batteri-hæfteklamme"})
    assert response.status_code == 400
    assert "Formularen er udløbet" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in


def test_post_with_a_wrong_csrf_token_is_refused(client):
    csrf_token(client)
    response = client.post("/language", data={"lang": "en", "csrf_token": "forfalsket"})
    assert response.status_code == 400


def test_request_size_is_limited(client, app):
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data={"email": too_big})
    assert response.status_code == 413
    assert "Filen er for stor" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    from config import ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY er ikke sat"):
        make_app("sqlite://", **{"init": classmethod(ProductionConfig.init.__func__)})


def test_production_cookies_are_secure_with_host_prefix(monkeypatch, tmp_path):
    from flask_migrate import upgrade

    from config import ProductionConfig
    from crm.auth import services
    from crm.extensions import db

    monkeypatch.setenv("SECRET_KEY", "a-production-like-secret-key-for-this-test")
    settings = {k: getattr(ProductionConfig, k) for k in dir(ProductionConfig) if k.isupper()}
    settings.pop("SQLALCHEMY_DATABASE_URI")
    app = make_app(f"sqlite:///{tmp_path / 'prod.sqlite3'}", **settings,
                   init=classmethod(ProductionConfig.init.__func__))
    with app.app_context():
        upgrade()
        services.create_user("drift@holme.example", "drift-adgangskode-lang", "admin")
        db.session.commit()
        client = app.test_client()
        token = csrf_token_over_https(client)
        response = client.post("/login", base_url="https://crm.example",
                               headers={"Referer": "https://crm.example/login"}, data={
            "email": "drift@holme.example", "password": "drift-adgangskode-lang", "remember": "y",
            "csrf_token": token,
        })
        cookies = response.headers.getlist("Set-Cookie")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 302
    session_cookie = next(c for c in cookies if c.startswith("__Host-session="))
    remember = next(c for c in cookies if c.startswith("__Host-remember_token="))
    for cookie in (session_cookie, remember):
        assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie and "Domain" not in cookie


def csrf_token_over_https(client):
    import re

    page = client.get("/login", base_url="https://crm.example").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_development_keeps_a_generated_key(tmp_path, monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    fresh = importlib.reload(config)
    try:
        first = fresh.DevelopmentConfig.init()["SECRET_KEY"]
        second = fresh.DevelopmentConfig.init()["SECRET_KEY"]
        assert first == second and len(first) > 40
        assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    finally:
        monkeypatch.delenv("INSTANCE_PATH")
        importlib.reload(config)
    assert os.environ.get("INSTANCE_PATH") is None
