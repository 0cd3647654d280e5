"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from crm.audit import access_views, retention_views, views  # noqa: E402,F401  (routes register on bp)
