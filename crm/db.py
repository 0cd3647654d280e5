"""The declarative base, its constraint naming convention and shared column types."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow():
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum_class, name):
    """A string column limited to the enum's values by a named CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
    )


#: How long a SQLite connection waits for another's write lock before giving up ("database is locked").
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: How every SQLite transaction begins (see _sqlite_begin).
SQLITE_BEGIN = "BEGIN IMMEDIATE"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on, WAL, a busy timeout; and let SQLAlchemy drive transactions (savepoints work)."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a power cut loses at most the last commits
    cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_settings(dbapi_connection, connection_record):
    """Plan every statement for its values (plan_cache_mode = force_custom_plan).

    psycopg prepares a statement it has run five times on a connection, and PostgreSQL may then keep one generic
    plan for every value. For the company search that is wrong: the plan that suits "hammerholmen" (the trigram
    index) costs "sø" (two letters, which no trigram answers) 60 ms instead of 4 on a network of 39,400 companies,
    and which words a pooled connection saw first would decide. Planning a statement costs well under a
    millisecond; the parse stays prepared.
    """
    if type(dbapi_connection).__module__.split(".")[0] != "psycopg":
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.autocommit = autocommit


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """Every SQLite transaction takes the write lock when it begins (SQLAlchemy's recipe for pysqlite).

    A transaction begun DEFERRED that reads and then writes (the login: throttle counts, then `UPDATE users SET
    last_login_at`) cannot wait for the lock: when another connection wrote since its first read, SQLite answers
    "database is locked" at once, whatever the busy timeout. Begun IMMEDIATE, it waits (up to the busy timeout)
    before its first statement, and then nothing can come between its reads and its writes. The price: transactions
    on SQLite take turns, reads included, which suits the one app process of `make run` (production with several
    processes runs on PostgreSQL, which this leaves untouched).
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(SQLITE_BEGIN)


#: Database objects that migrations make by hand and autogenerate must leave alone (the search index).
UNMANAGED_PREFIXES = ("company_search", "ix_companies_search_trgm")


def include_in_migrations(name, type_, parent_names):
    """Alembic's include_name hook: skip the hand-made search objects when comparing."""
    return not (name or "").startswith(UNMANAGED_PREFIXES)
