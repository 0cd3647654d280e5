"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them.

`bp` is the staff side (/partnership/: the agreement's versions, sign-ups and notices); the portal's side
(/portal/membership: the offer, signing up, a new version, notice) is `portal_bp`.
"""

from flask import Blueprint

bp = Blueprint("partnership", __name__, url_prefix="/partnership")
portal_bp = Blueprint("portal_partnership", __name__, url_prefix="/portal/membership")

from crm.partnership import ending, portal_views, staff_views  # noqa: E402,F401  (routes and hooks register on bp)
