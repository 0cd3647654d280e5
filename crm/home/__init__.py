"""The home page (dashboard), navigation, health check and fixed redirects."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from crm.home import views  # noqa: E402,F401
