"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them."""

from flask import Blueprint

bp = Blueprint("contributions", __name__, url_prefix="/contributions")

from crm.contributions import invoice_views, scheme_views, statement_views, views  # noqa: E402,F401  (routes register on bp)
