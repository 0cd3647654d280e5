"""Network meetings: plan, invite, RSVP, check in, minutes, action items."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

from crm.meetings import views  # noqa: E402,F401
