"""The company portal: a company's own people RSVP, read minutes and keep their company's details right."""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")

from crm.portal import access_views, company_views, invoice_views, network_views, views  # noqa: E402,F401
