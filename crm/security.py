"""Access control and the security headers every response carries.

Every view declares who may reach it: `@roles_required(...)` or `@public`. The route-by-role test walks
the URL map and fails on a view that declares neither.
"""

import enum
from functools import wraps

from flask import abort, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from crm.audit.services import record
from crm.extensions import db, login_manager

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:"
)


class Role(enum.StrEnum):
    """Who a user is: the business team (admin), the secretariat (staff), or a company's person."""

    ADMIN = "admin"
    STAFF = "staff"
    COMPANY = "company"


STAFF_ROLES = (Role.ADMIN, Role.STAFF)


def fresh_session():
    """Start a new session, keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def public(view):
    """Mark a view as reachable without login."""
    view.allowed_roles = "public"
    return view


def roles_required(*roles):
    """Only logged-in, active users with one of these roles reach the view; others are refused and audited."""
    allowed = frozenset(str(role) for role in roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if str(current_user.role) not in allowed:
                refuse()
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def refuse(status=403, reason=None, action="access.denied"):
    """Audit a refused access, then answer 403 (or 404 where existence itself must not show)."""
    db.session.rollback()
    record(
        action,
        actor=current_user if current_user.is_authenticated else None,
        changes={"path": request.path, "method": request.method, "reason": reason},
    )
    db.session.commit()
    abort(status)


def company_scoped(statement, company_column):
    """Limit a query to the current company user's own company; staff see everything."""
    if current_user.is_staff:
        return statement
    return statement.where(company_column == current_user.company_id)


def get_for_company_or_404(model, object_id, company_column):
    """Load one row the current user may see; another company's row answers 404 and is audited."""
    statement = company_scoped(select(model).where(model.id == object_id), company_column)
    obj = db.session.scalars(statement).first()
    if obj is None:
        not_found_for_company(model, object_id)
    return obj


def not_found_for_company(model, object_id):
    """Answer 404 for a row the company user may not see; when the row exists, the refusal is audited."""
    if db.session.get(model, object_id) is not None:
        refuse(404, reason=f"other company's {model.__tablename__} {object_id}", action="portal.refused")
    abort(404)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    # Whether someone is logged in, from the session or the user this request loaded: asking current_user could
    # load the user from a database that is away, and fail a response that is ready (a 503 page, /healthz).
    user = g.get("_login_user")
    if session.get("_user_id") is not None or (user is not None and user.is_authenticated):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app):
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log ind for at se siden.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.after_request(_security_headers)
