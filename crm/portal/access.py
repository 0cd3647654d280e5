"""Portal logins: invitations with a one-time link, accepting them, disabling a login, portal activity."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.audit.services import record
from crm.auth.models import LinkPurpose, User
from crm.auth.services import (
    end_sessions,
    find_user,
    issue_link,
    note_login,
    set_password,
    spend_links,
    valid_link,
)
from crm.auth.throttle import remember_login_address
from crm.companies.models import ActivityKind
from crm.companies.services import log_activity
from crm.db import utcnow
from crm.extensions import db
from crm.portal import notifications
from crm.security import Role

INVITATION_DAYS = 7
#: A company is portal-active when one of its users logged in within this many days.
ACTIVE_DAYS = 365
#: Addresses under the reserved .invalid domain are never delivered (RFC 2606).
ANONYMISED_DOMAIN = "anonymiseret.invalid"


class PortalInvitationRefused(ValueError):
    """The contact cannot be invited: "no_email", "taken" (another login has the e-mail) or "disabled"."""


def invite_contact(contact, *, by):
    """Mail the contact a one-time link to the portal, valid 7 days; inviting again stops the earlier link.

    The login is made (inactive, without password) at the first invitation and becomes active when the link is
    used. A company user may not bring back a login that staff disabled.
    """
    if not contact.email or contact.email.endswith("@" + ANONYMISED_DOMAIN):
        raise PortalInvitationRefused("no_email")
    user = find_user(contact.email)
    if user is None:
        user = User(email=contact.email, name=contact.name, role=Role.COMPANY, company_id=contact.company_id,
                    contact_id=contact.id, active=False)
        db.session.add(user)
        db.session.flush()
    elif user.role != Role.COMPANY or user.company_id != contact.company_id:
        raise PortalInvitationRefused("taken")
    elif not user.active and user.password_hash is not None and not by.is_staff:
        raise PortalInvitationRefused("disabled")
    elif not is_the_contacts(user):
        user.contact = contact  # its former person is gone or has another e-mail now: the login is this person's
    token = issue_link(user, LinkPurpose.PORTAL_INVITATION, INVITATION_DAYS * 24)
    notifications.notify_portal_invitation(user, contact, token, INVITATION_DAYS, by)
    log_activity(contact.company_id, ActivityKind.EMAIL,
                 _l("Invitation til portalen sendt til %(name)s.", name=contact.name), author=by)
    record("portal.invite", actor=by, obj=user, changes={"contact_id": contact.id})
    db.session.flush()
    return user, token


def is_the_contacts(user):
    """True while the login's contact person is still in the register, at the login's company and e-mail."""
    contact = user.contact
    # Both e-mails are stored lower-cased.
    return contact is not None and contact.company_id == user.company_id and contact.email == user.email


def invitation_for_token(token):
    """The open invitation link row for a token, or None for a forged, used or expired one, and for one whose
    contact person is gone or no longer has the login's e-mail: the link was for that person at that address.

    Removing or re-addressing a contact already spends its links (auth's receivers of contact_removed and
    contact_email_changed); this check holds even for a change that sent no signal.
    """
    row = valid_link(token, LinkPurpose.PORTAL_INVITATION)
    if row is None or not is_the_contacts(row.user):
        return None
    return row


def accept_invitation(token, password):
    """Use an invitation link once: choose the password, make the login active; None when the link is not valid.

    Raises auth.services.PasswordRefused when the password breaks the policy.
    """
    row = invitation_for_token(token)
    if row is None:
        return None
    user = row.user
    set_password(user, password)  # spends every open link of the user
    user.active = True
    note_login(user)  # the view logs the person in
    remember_login_address(user)
    log_activity(user.company_id, ActivityKind.CHANGE,
                 _l("%(email)s har taget portalen i brug.", email=user.email), author=user)
    record("portal.invitation_accepted", actor=user, obj=user)
    db.session.flush()
    return user


def disable_login(user, *, by):
    """Stop a portal login at once: every session ends and open links stop working."""
    user.active = False
    end_sessions(user)
    spend_links(user)
    log_activity(user.company_id, ActivityKind.CHANGE,
                 _l("Portaladgangen for %(email)s er lukket.", email=user.email), author=by)
    record("portal.login_disabled", actor=by, obj=user)
    db.session.flush()


def logins_of(company):
    """The company's portal logins, by e-mail."""
    return db.session.scalars(select(User).where(User.company_id == company.id, User.role == Role.COMPANY)
                              .order_by(User.email)).all()


def _active_since():
    return utcnow() - timedelta(days=ACTIVE_DAYS)


def portal_active_count():
    """How many companies are portal-active: a user of theirs logged in during the last 12 months."""
    return db.session.scalar(select(func.count(func.distinct(User.company_id))).where(
        User.role == Role.COMPANY, User.last_login_at >= _active_since()))


def any_recent_login(logins):
    """True when one of these users logged in during the last 12 months: the company is portal-active."""
    since = _active_since()
    return any(user.last_login_at and user.last_login_at >= since for user in logins)
