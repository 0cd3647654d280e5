"""Working groups: waste, energy, water, communication, nature, and more."""

from flask import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/groups")

from crm.groups import views  # noqa: E402,F401
