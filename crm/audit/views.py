"""The audit log page for admins."""

from flask import render_template, request
from sqlalchemy import select

from crm.audit.blueprint import bp
from crm.audit.models import AuditEntry
from crm.audit.presentation import action_label, readable
from crm.extensions import db
from crm.http import DB_INT_MAX, whole_number
from crm.i18n import local_day
from crm.security import STAFF_ROLES, roles_required

PER_PAGE = 50
#: A filter text longer than this matches no stored action or e-mail (and SQLite refuses very long patterns).
FILTER_CHARS = 254


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    filters = {key: request.args.get(key, "").strip()[:FILTER_CHARS] for key in ("action", "actor", "from", "to")}
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters["action"]:
        statement = statement.where(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters["actor"]:
        statement = statement.where(AuditEntry.actor_email.contains(filters["actor"].lower(), autoescape=True))
    if start := local_day(filters["from"]):
        statement = statement.where(AuditEntry.at >= start)
    if end := local_day(filters["to"], end=True):
        statement = statement.where(AuditEntry.at <= end)
    page_number = min(max(request.args.get("page", 1, type=whole_number), 1), DB_INT_MAX // PER_PAGE)
    page = db.paginate(statement, page=page_number, per_page=PER_PAGE, error_out=False)
    if page.page > page.pages > 0:  # past the end: the last page
        page = db.paginate(statement, page=page.pages, per_page=PER_PAGE, error_out=False)
    actions = db.session.scalars(select(AuditEntry.action).distinct()).all()
    return render_template("audit/index.html", page=page, filters=filters, entries=readable(page.items),
                           actions=sorted(((action, action_label(action)) for action in actions),
                                          key=lambda pair: pair[1].lower()))

