"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from crm.reports import engagement_views, goal_views, views  # noqa: E402,F401  (routes register on bp)
