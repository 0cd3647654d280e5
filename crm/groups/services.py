"""Use cases of the working groups. Services flush, never commit."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from crm.audit.services import diff, record
from crm.companies.models import ActivityKind, Company
from crm.companies.services import log_activity
from crm.extensions import db
from crm.groups import notifications
from crm.groups.models import GroupDocument, GroupMembership, Initiative, InitiativeFigure, MemberRole, WorkingGroup
from crm.mail.services import Mailing, OutboxBatch
from crm.uploads import check_attachment


class AlreadyMember(ValueError):
    """The company already takes part in the group."""


class GroupArchived(ValueError):
    """The group is archived: nothing new happens in it."""


def current_members(group):
    """The group's current memberships with company and contact, chairs first."""
    return db.session.scalars(
        select(GroupMembership).join(Company)
        .where(GroupMembership.group_id == group.id, GroupMembership.left_on.is_(None))
        .options(joinedload(GroupMembership.company), joinedload(GroupMembership.contact))
        .order_by(GroupMembership.role, Company.name)
    ).all()


def member_counts(day=None):
    """{group id: number of companies taking part on the day} for every group (today by default)."""
    day = day or date.today()
    rows = db.session.execute(
        select(GroupMembership.group_id, func.count())
        .where(GroupMembership.joined_on <= day,
               (GroupMembership.left_on.is_(None)) | (GroupMembership.left_on > day))
        .group_by(GroupMembership.group_id)
    ).all()
    return dict(rows)


def add_members(group, companies, *, role=MemberRole.MEMBER, replace_chair=False, by=None):
    """Let several companies join; those already in are reported, not added twice. A new chair takes over from
    the current chair (who stays as a member) with `replace_chair`, else sits beside them as co-chair."""
    if not group.active:
        raise GroupArchived(group.name)
    current = {m.company_id for m in current_members(group)}
    if role == MemberRole.CHAIR and replace_chair and any(company.id not in current for company in companies):
        _step_down_chairs(group, by=by)
    added, skipped = [], []
    for company in companies:
        if company.id in current:
            skipped.append(company)
            continue
        membership = GroupMembership(group_id=group.id, company_id=company.id, role=role,
                                     contact_id=company.primary_contact.id if company.primary_contact else None)
        db.session.add(membership)
        current.add(company.id)
        added.append(company)
        log_activity(company.id, ActivityKind.CHANGE, _l("Med i arbejdsgruppen %(group)s.", group=group.name),
                     author=by)
    db.session.flush()
    if added:
        record("group.members_added", actor=by, obj=group, changes={"companies": [c.cvr for c in added]})
    return added, skipped


def only_chair(membership):
    """True when this membership is the group's only current chair."""
    if membership.role != MemberRole.CHAIR:
        return False
    chairs = db.session.scalar(select(func.count()).select_from(GroupMembership).where(
        GroupMembership.group_id == membership.group_id, GroupMembership.role == MemberRole.CHAIR,
        GroupMembership.left_on.is_(None)))
    return chairs == 1


def remove_member(membership, *, by=None):
    """End a membership; the history stays."""
    membership.left_on = date.today()
    log_activity(membership.company_id, ActivityKind.CHANGE,
                 _l("Ikke længere med i arbejdsgruppen %(group)s.", group=membership.group.name), author=by)
    record("group.member_removed", actor=by, obj=membership.group,
           changes={"company_id": membership.company_id})
    db.session.flush()


def _step_down_chairs(group, *, keep=None, by=None):
    """The group's current chairs (but `keep`) become members: a new chair takes over."""
    chairs = db.session.scalars(select(GroupMembership).where(
        GroupMembership.group_id == group.id, GroupMembership.role == MemberRole.CHAIR,
        GroupMembership.left_on.is_(None), GroupMembership.id != getattr(keep, "id", None))).all()
    for chair in chairs:
        chair.role = MemberRole.MEMBER
        record("group.role", actor=by, obj=group,
               changes={"company_id": chair.company_id, "role": [str(MemberRole.CHAIR), str(MemberRole.MEMBER)]})
    return chairs


def set_role(membership, role, *, replace_chair=False, by=None):
    """Make a member chair (taking over from the current chair with `replace_chair`, else co-chair), or a chair
    member again."""
    old = membership.role
    if MemberRole(role) == MemberRole.CHAIR and replace_chair:
        _step_down_chairs(membership.group, keep=membership, by=by)
    membership.role = MemberRole(role)
    record("group.role", actor=by, obj=membership.group,
           changes={"company_id": membership.company_id, "role": [str(old), str(role)]})
    db.session.flush()


def save_group(values, group=None, *, by=None):
    """Create or rename a group (admins)."""
    if group is None:
        group = WorkingGroup(**values)
        db.session.add(group)
        db.session.flush()
        record("group.create", actor=by, obj=group, changes=values)
    else:
        changes = diff(group, values)
        for key, value in values.items():
            setattr(group, key, value)
        if changes:  # saved as shown: nothing to log
            record("group.update", actor=by, obj=group, changes=changes)
    db.session.flush()
    return group


def add_initiative(group, title, description, status, figures, *, by=None):
    """An initiative of the group with its figures [(label, value, unit)]."""
    initiative = Initiative(group_id=group.id, title=title, description=description, status=status)
    initiative.figures = [InitiativeFigure(label=label, value=value, unit=unit) for label, value, unit in figures]
    db.session.add(initiative)
    db.session.flush()
    record("group.initiative", actor=by, obj=group, changes={"title": title})
    return initiative


def _member_contacts(group):
    """(membership, the contact a group mail goes to, or None) of each current member."""
    return [(membership, membership.contact or membership.company.primary_contact)
            for membership in current_members(group)]


def mail_recipients(group):
    """[(company, [contact])] a group mail would reach now (an empty list: the member has nobody to mail)."""
    return [(membership.company, [contact] if contact is not None else [])
            for membership, contact in _member_contacts(group)]


def mail_group(group, subject, body, *, by=None):
    """Service mail to the contact of every current member, with a line on each company's timeline; a Mailing.
    A contact whose name or address cannot stand in a mail is left out and named on its company's timeline."""
    batch = OutboxBatch(skip_refused=True)
    sent = 0
    for membership, contact in _member_contacts(group):
        if contact is None or not contact.email:
            continue
        if notifications.queue_group_message(batch, group, membership, contact, subject, body):
            log_activity(membership.company_id, ActivityKind.EMAIL,
                         _l("Mail fra arbejdsgruppen %(group)s: %(subject)s", group=group.name, subject=subject),
                         author=by, obj=group)
            sent += 1
    batch.write()
    for mail in batch.refused:
        log_activity(mail.company.id, ActivityKind.EMAIL,
                     _l("Ikke sendt: mail fra arbejdsgruppen %(group)s, til %(recipient)s, fordi %(reason)s. "
                       "Ret kontaktpersonen.", group=group.name, recipient=mail.recipient, reason=mail.reason),
                     author=by, obj=group)
    record("group.mail", actor=by, obj=group,
           changes={"subject": subject, "recipients": sent, "refused": len(batch.refused)})
    db.session.flush()
    return Mailing(sent, batch.refused)


def add_document(group, data, filename, *, by=None):
    """Keep a file for the group, its type checked by content (PDF, DOCX, XLSX, PNG, JPEG, at most 10 MB)."""

    content_type, safe_name = check_attachment(data, filename)
    document = GroupDocument(group_id=group.id, filename=safe_name, content_type=content_type, data=data,
                             size=len(data))
    db.session.add(document)
    db.session.flush()
    record("group.document", actor=by, obj=group, changes={"file": safe_name, "bytes": len(data)})
    return document


def documents_of(group):
    """The group's documents without their data."""
    return db.session.execute(
        select(GroupDocument.id, GroupDocument.filename, GroupDocument.size, GroupDocument.uploaded_at)
        .where(GroupDocument.group_id == group.id).order_by(GroupDocument.uploaded_at.desc())
    ).all()


def company_memberships(company_id):
    """The company's working groups, current first, with the group loaded."""
    return db.session.scalars(
        select(GroupMembership).where(GroupMembership.company_id == company_id)
        .options(joinedload(GroupMembership.group))
        .order_by(GroupMembership.left_on.is_not(None), GroupMembership.joined_on.desc())
    ).all()
