"""The audit log page for admins."""

from flask import render_template, request
from sqlalchemy import select

from crm.audit.blueprint import bp
from crm.audit.models import AuditEntry
from crm.auth.models import Role
from crm.extensions import db
from crm.i18n import local_day
from crm.security import roles_required


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    filters = {key: request.args.get(key, "").strip() for key in ("action", "actor", "from", "to")}
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters["action"]:
        statement = statement.where(AuditEntry.action.startswith(filters["action"]))
    if filters["actor"]:
        statement = statement.where(AuditEntry.actor_email.contains(filters["actor"].lower()))
    if start := local_day(filters["from"]):
        statement = statement.where(AuditEntry.at >= start)
    if end := local_day(filters["to"], end=True):
        statement = statement.where(AuditEntry.at <= end)
    page = db.paginate(statement, per_page=50, error_out=False)
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    return render_template("audit/index.html", page=page, filters=filters, actions=actions)
