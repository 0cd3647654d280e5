"""The retention run: each area's RetentionTask (crm.signals.retention_tasks) finds what of its own is past its
period; a real run removes or anonymises it, a dry run only counts. The command (crm.audit.cli) commits once per
kind and keeps a RetentionRun, which the admins' page shows with the settings and what a run would do now.

An area adds a kind of its own in its signals.py (the access log, say, with its setting RETENTION_ACCESS_LOG_DAYS):

    @retention_tasks.connect
    def _old_access_log(_app):
        return RetentionTask("access_log", _l("Adgangslog"), delete_old_access_log,
                             setting="RETENTION_ACCESS_LOG_DAYS", action=_l("slettes"), order=60)

where delete_old_access_log(cutoff, *, apply) counts the rows older than the cutoff and, with apply, deletes them
(purge() below does both for a plain table; the task must count without apply, for --dry-run and the page).
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from crm.audit.models import RetentionRun
from crm.db import utcnow
from crm.extensions import db
from crm.signals import collect, retention_tasks

#: How many past runs the admins' page shows.
SHOWN_RUNS = 10


def tasks():
    """Every registered retention task, in their order."""
    found = collect(retention_tasks, current_app._get_current_object())
    return sorted(found, key=lambda task: (task.order, task.kind))


def years_before(moment, years):
    """The same day and time `years` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def cutoff(task, now):
    """The moment before which the task's rows are past their period."""
    if task.setting is None:
        return now
    amount = current_app.config[task.setting]
    if task.unit == "years":
        return years_before(now, amount)
    return now - timedelta(days=amount)


def period_text(task):
    """The task's period as people read it: "3 år", "30 dage", or that the rows carry their own expiry."""
    if task.setting is None:
        return _l("når de er udløbet eller brugt")
    amount = current_app.config[task.setting]
    if task.unit == "years":
        return _l("%(num)d år", num=amount)
    return _l("1 dag") if amount == 1 else _l("%(num)d dage", num=amount)


def run_task(task, now, *, apply):
    """How many of the task's rows are past their period at `now`; with apply, they are removed (flushed)."""
    count = task.run(cutoff(task, now), apply=apply)
    db.session.flush()
    return count


def preview(now=None):
    """What a run would do now, changing nothing: [(task, count)]."""
    now = now or utcnow()
    return [(task, run_task(task, now, apply=False)) for task in tasks()]


def purge(model, *conditions, apply):
    """How many rows of the model meet the conditions; with apply, they are deleted. For tasks that delete rows."""
    if not apply:
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))
    return db.session.execute(delete(model).where(*conditions).execution_options(synchronize_session=False)).rowcount


def start_run(*, dry_run, started_by, scheduled):
    """Note that a run begins (the command commits it at once, so a run that stops midway still shows)."""
    run = RetentionRun(dry_run=dry_run, counts={}, started_by=started_by[:200], scheduled=scheduled)
    db.session.add(run)
    db.session.flush()
    return run


def note_count(run, task, count):
    """Add a finished kind's count to the run."""
    run.counts = {**(run.counts or {}), task.kind: count}


def finish_run(run):
    run.finished_at = utcnow()


def recent_runs(limit=SHOWN_RUNS):
    """The latest runs, newest first."""
    return db.session.scalars(select(RetentionRun).order_by(RetentionRun.started_at.desc(), RetentionRun.id.desc())
                              .limit(limit)).all()
