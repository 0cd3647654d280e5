"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them.

`bp` is the staff side (/exchange/); the portal's side (/portal/exchange/) is `portal_bp`.
"""

from flask import Blueprint

bp = Blueprint("exchange", __name__, url_prefix="/exchange")
portal_bp = Blueprint("portal_exchange", __name__, url_prefix="/portal/exchange")

# The view modules are imported below as they arrive (routes register on bp and portal_bp).

from crm.exchange import (  # noqa: E402,F401  (routes register on bp)
    case_views,  # noqa: E402,F401  (the green-transition cases, on bp)
    conversation_views,
    labels,
    portal_views,
    staff_views,
)
