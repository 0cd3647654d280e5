"""Outgoing mail: the outbox, rendering, delivery."""

from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/outbox")

from crm.mail import views  # noqa: E402,F401
