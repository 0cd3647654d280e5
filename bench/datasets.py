"""Databases for the benchmark: cached datasets per scale and scratch databases, on SQLite or PostgreSQL.

SQLite datasets are files under bench/results/data/; PostgreSQL datasets are schemas in BENCH_DATABASE_URL
(reached through `options=-csearch_path=<schema>,public`, as tests/databases.py does). A dataset is built under a
temporary name and renamed when complete, so an interrupted build never leaves a half-filled cache behind.
"""

import io
import math
import re
import secrets
import time
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.api import ensure_api_token
from bench.exchange import load_listings, search_category_id
from bench.meetings import BENCH_MEETING_TITLE, load_meetings
from bench.portal import PORTAL_COMPANY, ensure_portal_user
from config import DevelopmentConfig

RESULTS = Path(__file__).resolve().parent / "results"
DATA = RESULTS / "data"
#: Companies in the network at scale 1: the 394 companies of Avedøre Holme.
COMPANIES_PER_SCALE = 394
ACTIVITIES_PER_COMPANY = 2
SEED = 2024
PER_PAGE = 50
STAFF_EMAIL = "bench@holme.example"
STAFF_PASSWORD = "maalebaand-og-stopur-2024"  # noqa: S105  (a benchmark user in a throwaway database)


def bench_config(url):
    """A development configuration on the given database, with a fixed secret key."""
    return type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def bench_app(url):
    """The CRM app on the given database."""
    from crm import create_app

    return create_app(bench_config(url))


def migrate(app):
    """Bring the app's database to the latest migration, keeping Alembic's log lines off the output."""
    from flask_migrate import upgrade

    with app.app_context(), redirect_stderr(io.StringIO()):
        upgrade()


@dataclass(frozen=True)
class Database:
    """A kind of database the benchmark runs on: "sqlite" (files), or "postgresql" (schemas in base_url)."""

    kind: str
    base_url: str | None = None

    @classmethod
    def sqlite(cls):
        return cls("sqlite")

    @classmethod
    def postgresql(cls, base_url):
        return cls("postgresql", base_url)

    def _schema(self, name):
        return "bench_" + re.sub(r"[^a-z0-9]+", "_", name.lower())

    def _path(self, name):
        return DATA / f"{name}.sqlite3"

    def url(self, name):
        """The SQLAlchemy URL of the database called `name`."""
        if self.kind == "sqlite":
            return f"sqlite:///{self._path(name)}"
        url = make_url(self.base_url).update_query_dict({"options": f"-csearch_path={self._schema(name)},public"})
        return url.render_as_string(hide_password=False)

    @contextmanager
    def _admin(self):
        engine = create_engine(self.base_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()

    def exists(self, name):
        if self.kind == "sqlite":
            return self._path(name).exists()
        with self._admin() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"),
                                       {"schema": self._schema(name)})
            return found.first() is not None

    def create(self, name):
        """An empty database called `name`, replacing any left over."""
        self.drop(name)
        if self.kind == "sqlite":
            DATA.mkdir(parents=True, exist_ok=True)
            return
        with self._admin() as connection:
            # Extensions live once per database; in public, every schema sees the same one.
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            connection.execute(text(f'CREATE SCHEMA "{self._schema(name)}"'))

    def drop(self, name):
        if self.kind == "sqlite":
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{self._path(name)}{suffix}").unlink(missing_ok=True)
            return
        with self._admin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self._schema(name)}" CASCADE'))

    def rename(self, old, new):
        if self.kind == "sqlite":
            self._path(old).rename(self._path(new))
            return
        with self._admin() as connection:
            connection.execute(text(f'ALTER SCHEMA "{self._schema(old)}" RENAME TO "{self._schema(new)}"'))

    def analyze(self, name):
        """Give the query planner statistics, as a database in use has them."""
        if self.kind == "sqlite":
            engine = create_engine(self.url(name))
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
            engine.dispose()
            return
        with self._admin() as connection:
            tables = connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                                        {"schema": self._schema(name)}).all()
            for table in tables:  # VACUUM too: bulk-loaded tables need their visibility map for index-only scans
                connection.execute(text(f'VACUUM ANALYZE "{self._schema(name)}"."{table}"'))

    def names(self):
        """The names of the benchmark's databases that exist now."""
        if self.kind == "sqlite":
            return sorted(path.name.removesuffix(".sqlite3") for path in DATA.glob("*.sqlite3"))
        with self._admin() as connection:
            schemas = connection.scalars(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'"))
            return sorted(schema.removeprefix("bench_").replace("_", "-") for schema in schemas)

    @contextmanager
    def scratch(self, purpose):
        """A fresh, migrated, empty database for one measurement; removed afterwards."""
        name = f"scratch-{purpose}-{secrets.token_hex(3)}"
        self.create(name)
        app = None
        try:
            app = bench_app(self.url(name))
            migrate(app)
            yield app
        finally:
            if app is not None:
                _close(app)
            self.drop(name)


def _close(app):
    """Return the app's connections, so that its database can be dropped."""
    from crm.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass(frozen=True)
class Dataset:
    """A built dataset and what the scenarios need to know of it to build their paths."""

    database: str
    scale: int
    url: str
    companies: int
    #: A company with contacts, activities and two plots with one tenant each: the company page's sample.
    sample_company_id: int
    meetings: int
    invitations: int
    #: The next network meeting, with 394 invitations and 22 companies checked in (bench/meetings.py).
    meeting_id: int
    #: The swap centre's listings (bench/exchange.py) and the category its search is measured in.
    listings: int = 0
    exchange_category_id: int | None = None

    @property
    def last_page(self):
        return math.ceil(self.companies / PER_PAGE)


SAMPLE_COMPANY = text("""
    SELECT c.id FROM companies c
    WHERE (SELECT count(*) FROM contacts WHERE contacts.company_id = c.id) >= 2
      AND EXISTS (SELECT 1 FROM activities WHERE activities.company_id = c.id)
      AND (SELECT count(*) FROM plots WHERE plots.owner_id = c.id) = 2
      AND NOT EXISTS (SELECT 1 FROM plots p WHERE p.owner_id = c.id
                      AND (SELECT count(*) FROM tenancies t WHERE t.plot_id = p.id) <> 1)
    ORDER BY c.id LIMIT 1
""")


def dataset(database, scale, *, rebuild=False, log=print):
    """The dataset of `scale` x 394 companies on `database`, built (and cached) when missing or asked to."""
    name = f"scale-{scale}"
    if rebuild or not database.exists(name):
        log(f"building {database.kind} dataset at scale {scale} ({COMPANIES_PER_SCALE * scale:,} companies)...")
        _build(database, name, scale)
    else:
        _bring_up_to_date(database, name, scale, log)
    url = database.url(name)
    ensure_portal_user(url, BENCH_MEETING_TITLE)
    ensure_api_token(url, STAFF_EMAIL)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            companies = connection.scalar(text("SELECT count(*) FROM companies"))
            sample = connection.scalar(SAMPLE_COMPANY)
            meetings = connection.scalar(text("SELECT count(*) FROM meetings"))
            invitations = connection.scalar(text("SELECT count(*) FROM invitations"))
            meeting = connection.scalar(text("SELECT min(id) FROM meetings WHERE title = :title"),
                                        {"title": BENCH_MEETING_TITLE})
            listings = connection.scalar(text("SELECT count(*) FROM exchange_listings"))
            category = search_category_id(connection)
    finally:
        engine.dispose()
    if sample is None:
        raise RuntimeError(f"no company in {name} has the sample shape the company page is measured on")
    if meeting is None:
        raise RuntimeError(f"{name} has no benchmark meeting ({BENCH_MEETING_TITLE!r})")
    return Dataset(database.kind, scale, url, companies, sample, meetings, invitations, meeting, listings, category)


def _build(database, name, scale):
    from crm.auth.models import Role
    from crm.auth.services import create_user
    from crm.companies.demo_data import load_network
    from crm.extensions import db
    from crm.groups.demo import load_demo_groups

    building = f"{name}-building"
    database.create(building)
    app = bench_app(database.url(building))
    migrate(app)
    with app.app_context():
        load_network(COMPANIES_PER_SCALE * scale, SEED, activities_per_company=ACTIVITIES_PER_COMPANY)
        load_demo_groups(SEED)
        create_user(STAFF_EMAIL, STAFF_PASSWORD, Role.STAFF)
        db.session.commit()
        load_meetings(scale, SEED)
        db.session.commit()
        _load_listings(scale)
        db.session.commit()
    _close(app)
    database.analyze(building)
    database.drop(name)
    database.rename(building, name)


def _load_listings(scale):
    """The swap centre's listings, a few of them the portal user's company's (bench/exchange.py)."""
    from crm.extensions import db

    portal_company = db.session.scalar(PORTAL_COMPANY, {"title": BENCH_MEETING_TITLE})
    return load_listings(scale, SEED, portal_company)


def _bring_up_to_date(database, name, scale, log):
    """A cached dataset migrated to the latest revision, with what later builds add: the working groups' members,
    the meetings with their invitations, and the swap centre's listings.

    The migrations run on the data as on a database in use; the groups' members, chairs and initiatives are added
    (as load_demo_groups does on a fresh build) when the dataset has no memberships yet, the meetings (as
    bench.meetings.load_meetings does on a fresh build) when it has no meetings yet, the listings (as
    bench.exchange.load_listings does) when it has none.
    """
    from crm.extensions import db
    from crm.groups.demo import load_demo_groups

    app = bench_app(database.url(name))
    try:
        migrate(app)
        with app.app_context():
            added = load_demo_groups(SEED)
            db.session.commit()
            if added:
                log(f"added {added} working-group members to the cached {database.kind} dataset {name}")
            started = time.perf_counter()
            meetings = load_meetings(scale, SEED)
            db.session.commit()
            if meetings:
                log(f"added {', '.join(f'{count:,} {table}' for table, count in meetings.items())} to the cached "
                    f"{database.kind} dataset {name} in {time.perf_counter() - started:.1f} s")
            listings = _load_listings(scale)
            db.session.commit()
            if listings:
                log(f"added {listings:,} listings to the cached {database.kind} dataset {name}")
    finally:
        _close(app)
    if added or meetings or listings:
        database.analyze(name)
