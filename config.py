"""Configuration of Holme CRM, read from the environment.

Every variable is documented in `.env.example`. `create_app()` picks the class named by `HOLME_ENV`
(`development`, the default, or `production`); tests pass `TestingConfig` themselves.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _development_secret_key():
    """Keep one generated key in instance/ so development sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    APP_NAME = "Holme CRM"
    NETWORK_NAME = os.environ.get("NETWORK_NAME", "Avedøre Holme Erhvervsnetværk")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'holme.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Language: Danish first, English available.
    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    LANGUAGES = ("da", "en")

    # Mail. Without MAIL_SERVER the mail stays in the outbox, readable by staff.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Avedøre Holme Erhvervsnetværk <netvaerk@avedoreholme.example>"
    )
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO") or None
    # The mail worker (crm.mail.worker): seconds to wait for the SMTP server; the wait before the first retry of a
    # mail the server did not take (doubling after each further failure, at most two hours, ten attempts); the age
    # after which a mail still "sending" is taken to belong to a worker that died, and is sent again.
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
    MAIL_RETRY_SECONDS = _int("MAIL_RETRY_SECONDS", 30)
    MAIL_CLAIM_TIMEOUT = _int("MAIL_CLAIM_TIMEOUT", 600)
    # How much the worker lowers its own CPU priority (Unix niceness, added to what it was started with): mail is
    # background work, and on a machine it shares with the app servers the pages people wait for go first.
    MAIL_WORKER_NICE = _int("MAIL_WORKER_NICE", 10)

    # The issuer on the contribution invoices (a Danish invoice names the issuer's CVR, address and how to pay).
    INVOICE_ISSUER_NAME = os.environ.get("INVOICE_ISSUER_NAME", "Avedøre Holme Erhvervsforening")
    INVOICE_ISSUER_CVR = os.environ.get("INVOICE_ISSUER_CVR", "12345674")
    INVOICE_ISSUER_ADDRESS = os.environ.get("INVOICE_ISSUER_ADDRESS", "Stamholmen 165, 2650 Hvidovre")
    INVOICE_ISSUER_EMAIL = os.environ.get("INVOICE_ISSUER_EMAIL", "bidrag@avedoreholme.example")
    # How to pay: by bank transfer (the invoice number as the reference) or with the FI payment line (+71), whose
    # creditor number (8 digits) the bank gives with the FI agreement. The demo's values are fictional.
    INVOICE_BANK_REG = os.environ.get("INVOICE_BANK_REG", "1234")
    INVOICE_BANK_ACCOUNT = os.environ.get("INVOICE_BANK_ACCOUNT", "0012345678")
    INVOICE_PAYMENT_DETAILS = os.environ.get("INVOICE_PAYMENT_DETAILS",
                                             f"Reg.nr. {INVOICE_BANK_REG} kontonr. {INVOICE_BANK_ACCOUNT}")
    FI_CREDITOR_NUMBER = os.environ.get("FI_CREDITOR_NUMBER", "81234567")

    # Public address of the app, used in links in mails (no request exists in the worker or CLI).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_DAYS", 14))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_HOURS", 12))
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Reports: a company with no meeting, no portal login and no timeline entry for this many days is quiet.
    QUIET_AFTER_DAYS = _int("QUIET_AFTER_DAYS", 365)

    # Limits.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
    # Failed logins within the window (seconds) allowed for one account from one address, from one address across
    # accounts, and for one account from all addresses (beyond which only addresses the account has logged in from
    # within LOGIN_KNOWN_ADDRESS_DAYS may try). See crm.auth.services.throttle_reason.
    LOGIN_THROTTLE_WINDOW = _int("LOGIN_THROTTLE_WINDOW", 15 * 60)
    LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS = _int("LOGIN_THROTTLE_PER_ACCOUNT_ADDRESS", 10)
    LOGIN_THROTTLE_PER_ADDRESS = _int("LOGIN_THROTTLE_PER_ADDRESS", 50)
    LOGIN_THROTTLE_PER_ACCOUNT = _int("LOGIN_THROTTLE_PER_ACCOUNT", 30)
    LOGIN_KNOWN_ADDRESS_DAYS = _int("LOGIN_KNOWN_ADDRESS_DAYS", 90)
    PASSWORD_RESET_HOURS = 1
    # Two-factor login (crm.auth.two_factor): always required for admins; for staff "required" or "optional"
    # (default: optional, each chooses at /account/two-factor); company users may choose it. After the password,
    # the code must come within TWO_FACTOR_PENDING_SECONDS or the login starts over.
    TWO_FACTOR_STAFF = os.environ.get("TWO_FACTOR_STAFF", "optional").strip().lower()
    TWO_FACTOR_PENDING_SECONDS = _int("TWO_FACTOR_PENDING_SECONDS", 5 * 60)
    # "Forgot password": within the window (seconds), mails to one account and requests from one address allowed;
    # beyond them the answer is the same and no mail is sent. Every answer that could send a mail takes at least
    # PASSWORD_RESET_ANSWER_MS, so its time does not tell whether the account exists.
    PASSWORD_RESET_THROTTLE_WINDOW = _int("PASSWORD_RESET_THROTTLE_WINDOW", 60 * 60)
    PASSWORD_RESET_PER_ACCOUNT = _int("PASSWORD_RESET_PER_ACCOUNT", 3)
    PASSWORD_RESET_PER_ADDRESS = _int("PASSWORD_RESET_PER_ADDRESS", 20)
    PASSWORD_RESET_ANSWER_MS = _int("PASSWORD_RESET_ANSWER_MS", 250)
    # The public "join the network" form (/join): requests stored from one address within the window (seconds);
    # beyond them the form is refused until the window has passed. See crm.joining.services.
    JOIN_THROTTLE_WINDOW = _int("JOIN_THROTTLE_WINDOW", 60 * 60)
    JOIN_REQUESTS_PER_ADDRESS = _int("JOIN_REQUESTS_PER_ADDRESS", 5)

    # Retention (`flask retention run`, crm.audit.retention; see README "Retention"): contact persons of companies
    # that left the network more than RETENTION_LEFT_COMPANY_YEARS ago, and persons without consent and with no sign
    # of life for RETENTION_INACTIVE_PERSON_YEARS, are anonymised; mails in the outbox lose their text and files
    # after RETENTION_OUTBOX_DAYS; failed logins and reset requests are deleted after RETENTION_THROTTLE_DAYS, the
    # access log after RETENTION_ACCESS_LOG_DAYS.
    RETENTION_LEFT_COMPANY_YEARS = _int("RETENTION_LEFT_COMPANY_YEARS", 3)
    RETENTION_INACTIVE_PERSON_YEARS = _int("RETENTION_INACTIVE_PERSON_YEARS", 5)
    RETENTION_OUTBOX_DAYS = _int("RETENTION_OUTBOX_DAYS", 180)
    RETENTION_THROTTLE_DAYS = _int("RETENTION_THROTTLE_DAYS", 30)
    RETENTION_ACCESS_LOG_DAYS = _int("RETENTION_ACCESS_LOG_DAYS", 365)
    # Days a join request (/join) that was declined or never answered is kept.
    RETENTION_JOIN_REQUEST_DAYS = _int("RETENTION_JOIN_REQUEST_DAYS", 365)

    # The API (/api/v1/, crm.api): requests allowed per token and minute (beyond them 429 with Retry-After), and
    # the OpenAPI document flask-smorest writes from the code.
    API_RATE_LIMIT = _int("API_RATE_LIMIT", 120)
    API_TITLE = "Holme CRM API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"

    # Running behind a reverse proxy: how many proxies to trust for X-Forwarded-* headers.
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = _int("PROXY_FIX_X_HOST", 0)

    #: Benchmark only: count SQL statements per request into an X-SQL-Statements header.
    SQL_COUNT_HEADER = _bool("HOLME_SQL_COUNT")

    ACCESSIBILITY_STATEMENT_URL = os.environ.get(
        "ACCESSIBILITY_STATEMENT_URL", "https://www.was.digst.dk/"
    )

    @classmethod
    def init(cls):
        """Values that must be computed when the app is created, not at import."""
        return {}


def _development_base_url():
    """Links in mails point where `make run` serves: BASE_URL when set, else the local address on PORT."""
    return (os.environ.get("BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}").rstrip("/")


class DevelopmentConfig(Config):
    DEBUG = False

    @classmethod
    def init(cls):
        return {"SECRET_KEY": cls.SECRET_KEY or _development_secret_key(), "BASE_URL": _development_base_url()}


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105  (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_SERVER = ""
    WTF_CSRF_ENABLED = True
    PASSWORD_RESET_ANSWER_MS = 0  # no waiting in tests (they assert no times)
    MAIL_WORKER_NICE = 0  # a worker run inside the test process leaves the test runner's priority as it is


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # The __Host- prefix binds the cookie to this host over HTTPS, path /.
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def init(cls):
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError(
                "SECRET_KEY er ikke sat. Holme CRM starter ikke i produktion uden en hemmelig nøgle: "
                "sæt miljøvariablen SECRET_KEY til en lang tilfældig værdi "
                "(fx python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        return {"SECRET_KEY": os.environ["SECRET_KEY"]}


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}
