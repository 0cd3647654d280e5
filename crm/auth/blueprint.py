"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from crm.auth import two_factor_views, views  # noqa: E402,F401  (routes register on bp)
