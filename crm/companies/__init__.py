"""The register of companies on Avedøre Holme."""

from flask import Blueprint

bp = Blueprint("companies", __name__, url_prefix="/companies")

from crm.companies import import_views, views  # noqa: E402,F401
