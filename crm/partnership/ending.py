"""Memberships end by themselves when their notice has run out: after the first request of each day that an app
process answers without a server error, the members whose last day has passed become invited again
(services.end_memberships), so no cron job is needed. Billing, the portal and the year's figures read the last day
itself and are right even before that. Done after the request, not before it, so that a database outage or a
broken request is answered as it would be without it."""

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from crm.extensions import db
from crm.partnership import services
from crm.partnership.blueprint import bp


@bp.after_app_request
def _end_memberships_once_a_day(response):
    state = current_app.extensions.setdefault("partnership", {})
    day = services.today()
    if state.get("memberships_ended_on") == day or response.status_code >= 500:
        return response
    db.session.rollback()  # nothing the request left unsaved goes in with this commit (the view commits its own)
    try:
        if services.end_memberships(day):
            db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("Ending the memberships whose notice has run out failed; tried again on the "
                                   "next request", exc_info=True)
        return response
    state["memberships_ended_on"] = day
    return response
