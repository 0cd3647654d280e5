"""The working groups' part of what happens to a company or a person elsewhere: the company page's panel, a merge,
an erasure and the data ZIP."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.companies.models import Company, Contact
from crm.extensions import db
from crm.groups import services
from crm.groups.forms import ROLE_LABELS
from crm.groups.models import (
    GroupMembership,
    MemberRole,
    MembershipRequest,
    RequestKind,
    RequestOutcome,
    WorkingGroup,
)
from crm.merging import repoint
from crm.signals import (
    ExportPart,
    Panel,
    company_export_parts,
    company_filter,
    company_filter_choices,
    company_merged,
    company_page_panels,
    contact_erased,
    contacts_active_since,
    contacts_merged,
    declare,
    handles,
)


@contacts_active_since.connect
def _in_a_group_since(since):
    """A person taking part in a working group, or who did until a day since then, is active."""
    return select(GroupMembership.contact_id).where(
        (GroupMembership.left_on.is_(None)) | (GroupMembership.left_on >= since.date()))


@company_filter.connect_via("group")
def _members_of_group(_name, value):
    """The company list filtered on a working group: its current members."""
    return Company.id.in_(select(GroupMembership.company_id).join(WorkingGroup)
                          .where(WorkingGroup.slug == value, GroupMembership.left_on.is_(None)))


@company_filter_choices.connect_via("group")
def _group_choices(_name):
    """(slug, name) of every working group, for the company list's filter."""
    return [tuple(row) for row in db.session.execute(select(WorkingGroup.slug, WorkingGroup.name)
                                                     .order_by(WorkingGroup.name))]


@company_page_panels.connect
def _company_panel(company):
    """The company's groups, current first, on the staff company page."""
    return Panel("groups/_company_panel.html", {"memberships": services.company_memberships(company.id)}, order=30)


def _current(company_id):
    return {row.group_id: row for row in db.session.scalars(
        select(GroupMembership).where(GroupMembership.company_id == company_id, GroupMembership.left_on.is_(None)))}


@handles(company_merged, "group_memberships.company_id", "membership_requests.company_id")
def _move_memberships(survivor, duplicate):
    """Memberships move with their history; where both are current members of a group, one membership remains,
    from the earlier date, as chair if either was. Of two open requests to one group, the earlier stays."""
    mine = _current(survivor.id)
    for group_id, theirs in _current(duplicate.id).items():
        ours = mine.get(group_id)
        if ours is None:
            continue
        ours.joined_on = min(ours.joined_on, theirs.joined_on)
        if MemberRole.CHAIR in (ours.role, theirs.role):
            ours.role = MemberRole.CHAIR
        ours.contact_id = ours.contact_id or theirs.contact_id
        db.session.delete(theirs)
    open_requests = {row.group_id: row for row in db.session.scalars(select(MembershipRequest).where(
        MembershipRequest.company_id == survivor.id, MembershipRequest.decided_at.is_(None)))}
    for row in db.session.scalars(select(MembershipRequest).where(MembershipRequest.company_id == duplicate.id,
                                                                  MembershipRequest.decided_at.is_(None))):
        if row.group_id in open_requests:
            if row.created_at < open_requests[row.group_id].created_at:
                db.session.delete(open_requests[row.group_id])
            else:
                db.session.delete(row)
    db.session.flush()
    return {"group_memberships": repoint(GroupMembership.company_id, duplicate.id, survivor.id),
            "membership_requests": repoint(MembershipRequest.company_id, duplicate.id, survivor.id)}


@handles(contacts_merged, "group_memberships.contact_id")
def _move_memberships_of_joined_contact(survivor, duplicate):
    """The person who takes part in a group is the surviving contact."""
    repoint(GroupMembership.contact_id, duplicate.id, survivor.id)


declare(contact_erased, "group_memberships.contact_id", "the membership stays with the anonymised contact")
declare(contact_erased, "group_memberships.company_id", "a membership names the company and its contact")
declare(contact_erased, "membership_requests.company_id", "a request names the company; the login is anonymised")

MEMBERSHIP_COLUMNS = {"group": _l("Gruppe"), "role": _l("Rolle"), "person": _l("Person"),
                      "joined_on": _l("Med fra"), "left_on": _l("Med til")}
REQUEST_COLUMNS = {"group": _l("Gruppe"), "kind": _l("Anmodning"), "created_at": _l("Sendt"),
                   "decided_at": _l("Afgjort"), "outcome": _l("Udfald")}
REQUEST_WORDS = {"kind": {RequestKind.JOIN: _l("Optagelse"), RequestKind.LEAVE: _l("Udmeldelse")},
                 "outcome": {RequestOutcome.APPROVED: _l("Godkendt"), RequestOutcome.REJECTED: _l("Afvist")}}


@handles(company_export_parts, "group_memberships.company_id", "group_memberships.contact_id",
         "membership_requests.company_id")
def _group_parts(company):
    """The company's memberships with their history, and its requests to join or leave."""
    memberships = db.session.execute(
        select(WorkingGroup.name, GroupMembership.role, Contact.name, GroupMembership.joined_on,
               GroupMembership.left_on).join(WorkingGroup)
        .outerjoin(Contact, Contact.id == GroupMembership.contact_id)
        .where(GroupMembership.company_id == company.id).order_by(GroupMembership.joined_on)).all()
    requests = db.session.execute(
        select(WorkingGroup.name, MembershipRequest.kind, MembershipRequest.created_at, MembershipRequest.decided_at,
               MembershipRequest.outcome).join(WorkingGroup)
        .where(MembershipRequest.company_id == company.id).order_by(MembershipRequest.created_at)).all()
    return [ExportPart("groups", MEMBERSHIP_COLUMNS,
                       [dict(zip(MEMBERSHIP_COLUMNS, row, strict=True)) for row in memberships], order=40,
                       values={"role": ROLE_LABELS}),
            ExportPart("group_requests", REQUEST_COLUMNS,
                       [dict(zip(REQUEST_COLUMNS, row, strict=True)) for row in requests], order=41,
                       values=REQUEST_WORDS)]
