"""The audit trail: who did what, when, from where."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from crm.audit import views  # noqa: E402,F401
