"""The blueprint(s) of this area and the view modules whose routes they gather; create_app registers them."""

from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/outbox")
#: Public pages reached from links in mails.
public_bp = Blueprint("mail_public", __name__)

from crm.mail import newsletter_views, views  # noqa: E402,F401  (routes register on bp)
