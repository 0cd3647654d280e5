"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
#: The answer page reached from the invitation mail, without login.
public_bp = Blueprint("meetings_public", __name__)

from crm.meetings import attendance_views, invitation_views, minutes_views, views  # noqa: E402,F401  (routes register on bp)
