"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them."""

from flask import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/groups")

from crm.groups import views  # noqa: E402,F401  (routes register on bp)
