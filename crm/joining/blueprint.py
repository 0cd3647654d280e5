"""The blueprint of this area and the view modules whose routes it gathers; create_app registers it."""

from flask import Blueprint

bp = Blueprint("joining", __name__)

from crm.joining import staff_views, views  # noqa: E402,F401  (routes register on bp)
