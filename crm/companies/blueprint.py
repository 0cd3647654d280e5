"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them."""

from flask import Blueprint

bp = Blueprint("companies", __name__, url_prefix="/companies")

from crm.companies import import_views, views  # noqa: E402,F401  (routes register on bp)
