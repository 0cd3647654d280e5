"""A company asks, in the portal, to join or leave a working group; staff approve or reject on the group page."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.audit.services import record
from crm.companies.models import ActivityKind
from crm.companies.services import log_activity
from crm.db import utcnow
from crm.extensions import db
from crm.groups import services as groups
from crm.groups.models import GroupMembership, MembershipRequest, RequestKind, RequestOutcome


class RequestRefused(ValueError):
    """"open" (a request is waiting), "member" (already in), "not_member" (nothing to leave), "archived"."""


def current_membership(group_id, company_id):
    """The company's current membership of the group, or None."""
    return db.session.scalars(select(GroupMembership).where(
        GroupMembership.group_id == group_id, GroupMembership.company_id == company_id,
        GroupMembership.left_on.is_(None))).first()


def open_request(group_id, company_id):
    """The company's request to the group that waits for an answer, or None."""
    return db.session.scalars(select(MembershipRequest).where(
        MembershipRequest.group_id == group_id, MembershipRequest.company_id == company_id,
        MembershipRequest.decided_at.is_(None))).first()


def ask(group, company, kind, *, by):
    """Ask to join or to leave the group; one open request per company and group."""
    kind = RequestKind(kind)
    if open_request(group.id, company.id) is not None:
        raise RequestRefused("open")
    member = current_membership(group.id, company.id) is not None
    if kind == RequestKind.JOIN and member:
        raise RequestRefused("member")
    if kind == RequestKind.JOIN and not group.active:
        raise RequestRefused("archived")
    if kind == RequestKind.LEAVE and not member:
        raise RequestRefused("not_member")
    row = MembershipRequest(group_id=group.id, company_id=company.id, kind=kind, requested_by_id=by.id)
    db.session.add(row)
    db.session.flush()
    text = (_l("Beder om at komme med i arbejdsgruppen %(group)s.", group=group.name) if kind == RequestKind.JOIN
            else _l("Beder om at melde sig ud af arbejdsgruppen %(group)s.", group=group.name))
    log_activity(company.id, ActivityKind.CHANGE, text, author=by)
    record("group.membership_requested", actor=by, obj=group, changes={"company_id": company.id, "kind": str(kind)})
    return row


def decide(row, approve, *, by):
    """Approve (through the group's membership services) or reject a request."""
    if approve and row.kind == RequestKind.JOIN:
        groups.add_members(row.group, [row.company], by=by)
    elif approve:
        membership = current_membership(row.group_id, row.company_id)
        if membership is not None:
            groups.remove_member(membership, by=by)
    row.decided_at, row.decided_by_id = utcnow(), by.id
    row.outcome = RequestOutcome.APPROVED if approve else RequestOutcome.REJECTED
    if not approve:
        log_activity(row.company_id, ActivityKind.CHANGE,
                     _l("Anmodningen til arbejdsgruppen %(group)s blev afvist.", group=row.group.name), author=by)
    record("group.membership_request_decided", actor=by, obj=row.group,
           changes={"company_id": row.company_id, "kind": str(row.kind), "outcome": str(row.outcome)})
    db.session.flush()


def open_requests_of_group(group):
    """The group's waiting requests with the company, oldest first."""
    return db.session.scalars(select(MembershipRequest).where(
        MembershipRequest.group_id == group.id, MembershipRequest.decided_at.is_(None))
        .options(joinedload(MembershipRequest.company)).order_by(MembershipRequest.created_at)).all()


def open_requests_of_company(company_id):
    """{group id: kind} of the company's waiting requests."""
    return dict(db.session.execute(select(MembershipRequest.group_id, MembershipRequest.kind).where(
        MembershipRequest.company_id == company_id, MembershipRequest.decided_at.is_(None))).all())


def all_open_requests():
    """Every waiting group request with its group and company, oldest first."""
    return db.session.scalars(select(MembershipRequest).where(MembershipRequest.decided_at.is_(None))
                              .options(joinedload(MembershipRequest.group), joinedload(MembershipRequest.company))
                              .order_by(MembershipRequest.created_at)).all()
