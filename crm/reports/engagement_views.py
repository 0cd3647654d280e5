"""Staff pages of engagement: the funnel from invited to working-group member, and the quiet companies; each a
list to export or to invite to the next meeting."""

from datetime import UTC, datetime

from flask import abort, current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from crm.companies.models import Company
from crm.extensions import db
from crm.reports import dashboard, exports, funnel
from crm.reports.blueprint import bp
from crm.security import STAFF_ROLES, roles_required


def _next_meeting(now):
    upcoming = dashboard.next_meetings(now, limit=1)
    return upcoming[0].meeting if upcoming else None


def _companies(condition):
    return db.session.scalars(select(Company).where(condition).order_by(Company.name, Company.id)).all()


@bp.get("/funnel")
@roles_required(*STAFF_ROLES)
def funnel_index():
    return render_template("reports/funnel.html", steps=funnel.funnel(datetime.now(UTC)))


def _step_or_404(step):
    if step not in funnel.STEPS:
        abort(404)
    return str(funnel.STEPS[step])


@bp.get("/funnel/<step>")
@roles_required(*STAFF_ROLES)
def funnel_step(step):
    title, now = _step_or_404(step), datetime.now(UTC)
    return render_template("reports/funnel_step.html", step=step, title=title, next_meeting=_next_meeting(now),
                           companies=_companies(funnel.step_companies(step, now)))


@bp.get("/funnel/<step>.<any(csv, xlsx):file_format>")
@roles_required(*STAFF_ROLES)
def export_funnel_step(step, file_format):
    title = _step_or_404(step)
    companies = _companies(funnel.step_companies(step, datetime.now(UTC)))
    return exports.download(exports.company_columns(), exports.company_rows(companies), title, file_format,
                            f"engagement-{step}")


def _quiet_companies(now):
    return _companies(Company.id.in_(dashboard.quiet_companies(now, current_app.config["QUIET_AFTER_DAYS"])))


@bp.get("/quiet")
@roles_required(*STAFF_ROLES)
def quiet():
    now = datetime.now(UTC)
    return render_template("reports/quiet.html", companies=_quiet_companies(now), next_meeting=_next_meeting(now),
                           days=current_app.config["QUIET_AFTER_DAYS"])


@bp.get("/quiet.<any(csv, xlsx):file_format>")
@roles_required(*STAFF_ROLES)
def export_quiet(file_format):
    return exports.download(exports.company_columns(), exports.company_rows(_quiet_companies(datetime.now(UTC))),
                            _("Stille virksomheder"), file_format, "stille-virksomheder")
