"""The API's meetings, with their invitations and who came."""

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from crm.api.access import log_persons_read, own_company_id, token_required
from crm.api.errors import refuse
from crm.api.paging import keyset_page
from crm.api.schemas import ID_MAX, MeetingArgs, MeetingDetailSchema, MeetingSchema, WithRows, page_of
from crm.extensions import db
from crm.meetings.models import Attendance, Invitation, Meeting

blp = Blueprint("api_meetings", __name__, description="Møder med invitationer, svar og fremmøde.")


def _meetings_statement(company_id):
    """The meetings the company was invited to (the invitation sent, as in the portal); every one for None."""
    statement = select(Meeting)
    if company_id is None:
        return statement
    invited = select(Invitation.meeting_id).where(Invitation.company_id == company_id, Invitation.mailed)
    return statement.where(Meeting.id.in_(invited))


@blp.get("/meetings")
@blp.arguments(MeetingArgs, location="query", as_kwargs=True)
@blp.response(200, page_of(MeetingSchema))
@token_required()
def meetings(limit, cursor=None, status=None, kind=None, group=None, year=None):
    """Møderne (status, kind, group, year); et virksomheds-token ser de møder, virksomheden er inviteret til."""
    statement = _meetings_statement(own_company_id())
    if status is not None:
        statement = statement.where(Meeting.status == status)
    if kind is not None:
        statement = statement.where(Meeting.kind == kind)
    if group is not None:
        statement = statement.where(Meeting.group_id == group)
    if year is not None:
        statement = statement.where(Meeting.starts_at >= datetime(year, 1, 1, tzinfo=UTC),
                                    Meeting.starts_at < datetime(year + 1, 1, 1, tzinfo=UTC))
    return keyset_page(statement, Meeting.id, {"limit": limit, "cursor": cursor})


@blp.get(f"/meetings/<int(max={ID_MAX}):meeting_id>")
@blp.response(200, MeetingDetailSchema)
@token_required()
def meeting(meeting_id):
    """Ét møde med invitationerne (svar) og fremmødet; et virksomheds-token ser kun sin egen virksomheds."""
    own = own_company_id()
    found = db.session.scalars(_meetings_statement(own).where(Meeting.id == meeting_id)).first()
    if found is None:
        refuse(404, _("Mødet findes ikke, eller tokenet når det ikke."))
    invitations = select(Invitation).where(Invitation.meeting_id == found.id).order_by(Invitation.id)
    attendance = select(Attendance).where(Attendance.meeting_id == found.id).order_by(Attendance.id)
    if own is not None:
        invitations = invitations.where(Invitation.company_id == own)
        attendance = attendance.where(Attendance.company_id == own)
    return WithRows(found, invitations=db.session.scalars(invitations).all(),
                    attendance=log_persons_read(db.session.scalars(attendance).all()))
