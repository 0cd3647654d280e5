"""Memberships end by themselves when their notice has run out: the first request of each day in an app process
makes the members whose last day has passed invited again (services.end_memberships), so no cron job is needed.
Billing, the portal and the year's figures read the last day itself and are right even before that."""

from flask import current_app

from crm.extensions import db
from crm.partnership import services
from crm.partnership.blueprint import bp


@bp.before_app_request
def _end_memberships_once_a_day():
    state = current_app.extensions.setdefault("partnership", {})
    day = services.today()
    if state.get("memberships_ended_on") == day:
        return
    if services.end_memberships(day):
        db.session.commit()
    state["memberships_ended_on"] = day
