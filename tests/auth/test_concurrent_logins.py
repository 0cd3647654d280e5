"""Many people logging in at once on the embedded SQLite database (a file, WAL, as `make run` serves it): every
login waits its turn for the write lock instead of failing with "database is locked"."""

import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.auth import services
from crm.auth.models import LoginAddress, User
from crm.extensions import db
from crm.security import Role
from tests.conftest import PASSWORD, login, make_app

PEOPLE = 8
LOGINS_EACH = 4


def _log_in_repeatedly(app, email, address, answers, start):
    start.wait()
    for _ in range(LOGINS_EACH):
        client = app.test_client()  # a new browser each time: a logged-in one would not be asked again
        client.environ_base["REMOTE_ADDR"] = address
        try:
            answers.append((email, login(client, email).status_code))
        except Exception as error:  # noqa: BLE001  (TESTING lets the app's errors through: note them as answers)
            answers.append((email, repr(error)))


def test_logins_at_the_same_moment_on_a_sqlite_file_all_succeed_and_are_all_recorded():
    with tempfile.TemporaryDirectory(prefix="holme-concurrent-") as folder:
        app = make_app(f"sqlite:///{Path(folder) / 'holme.sqlite3'}")
        with app.app_context():
            upgrade()
            emails = [services.create_user(f"person{n}@holme.example", PASSWORD, Role.STAFF).email
                      for n in range(PEOPLE)]
            db.session.commit()
            db.session.remove()

        answers, start = [], threading.Barrier(PEOPLE)
        threads = [threading.Thread(target=_log_in_repeatedly, args=(app, email, f"10.9.0.{n}", answers, start))
                   for n, email in enumerate(emails)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(answers) == sorted((email, 302) for email in emails for _ in range(LOGINS_EACH))
        with app.app_context():
            logins = db.session.scalars(select(AuditEntry.actor_email).where(AuditEntry.action == "auth.login"))
            assert sorted(logins) == sorted(email for email in emails for _ in range(LOGINS_EACH))
            assert db.session.scalar(select(func.count()).select_from(User).where(
                User.last_login_at.is_not(None))) == PEOPLE
            assert db.session.scalar(select(func.count()).select_from(LoginAddress)) == PEOPLE
            db.session.remove()
            db.engine.dispose()
