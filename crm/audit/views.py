"""The audit log page for admins."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import render_template, request
from sqlalchemy import select

from crm.audit import bp
from crm.audit.models import AuditEntry
from crm.auth.models import Role
from crm.extensions import db
from crm.security import roles_required

LOCAL = ZoneInfo("Europe/Copenhagen")


def _day(value, end=False):
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=LOCAL)


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    filters = {key: request.args.get(key, "").strip() for key in ("action", "actor", "from", "to")}
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters["action"]:
        statement = statement.where(AuditEntry.action.startswith(filters["action"]))
    if filters["actor"]:
        statement = statement.where(AuditEntry.actor_email.contains(filters["actor"].lower()))
    if start := _day(filters["from"]):
        statement = statement.where(AuditEntry.at >= start)
    if end := _day(filters["to"], end=True):
        statement = statement.where(AuditEntry.at <= end)
    page = db.paginate(statement, per_page=50, error_out=False)
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    return render_template("audit/index.html", page=page, filters=filters, actions=actions)
