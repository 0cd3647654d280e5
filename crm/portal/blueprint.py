"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them."""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")

from crm.portal import access_views, company_views, invoice_views, network_views, views  # noqa: E402,F401  (routes register on bp)
