"""Contributions to the partnership: schemes and scenarios, billing runs, invoices, payments and reminders."""

from flask import Blueprint

bp = Blueprint("contributions", __name__, url_prefix="/contributions")

from crm.contributions import invoice_views, scheme_views, views  # noqa: E402,F401
