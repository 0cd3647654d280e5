"""Home page, health check, the accessibility statement redirect."""

from flask import current_app, jsonify, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select, text

from crm.extensions import db
from crm.home.blueprint import bp
from crm.home.navigation import navigation
from crm.mail.models import EmailStatus, OutboundEmail
from crm.security import Role, public, roles_required
from crm.signals import collect, staff_home_panels


@bp.app_context_processor
def layout_helpers():
    return {"navigation": navigation, "current_locale": lambda: str(get_locale() or "da")}


@bp.get("/")
@roles_required(*Role)
def index():
    if current_user.role == Role.COMPANY:
        return redirect(url_for("portal.index"))
    outbox, panels = {}, []
    if current_user.is_staff:
        rows = db.session.execute(
            select(OutboundEmail.status, func.count()).group_by(OutboundEmail.status)
        ).all()
        outbox = {str(status): count for status, count in rows}
        panels = sorted(collect(staff_home_panels, current_user._get_current_object()), key=lambda panel: panel.order)
    return render_template("home/index.html", outbox=outbox, panels=panels, EmailStatus=EmailStatus)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure means "not healthy"
        db.session.rollback()
        current_app.logger.error("Health check: the database does not answer: %s", error.__class__.__name__)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok")


@bp.get("/was")
@public
def accessibility_statement():
    return redirect(current_app.config["ACCESSIBILITY_STATEMENT_URL"])
