"""The accounts area's part of what happens to companies and persons elsewhere."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.audit.services import record
from crm.auth import retention
from crm.auth.models import PortalLogin, User
from crm.auth.services import close_logins_of_contact, end_sessions, readdress_logins_of_contact, spend_links
from crm.companies.models import ActivityKind
from crm.companies.services import log_activity
from crm.extensions import db
from crm.merging import ANONYMISED_DOMAIN, ANONYMISED_NAME, repoint
from crm.signals import (
    ExportPart,
    company_export_parts,
    company_merged,
    contact_email_changed,
    contact_erased,
    contact_removed,
    contacts_active_since,
    contacts_merged,
    declare,
    handles,
    retention_tasks,
)

AUDIT_ACTIONS = {"closed": "auth.login_closed", "withdrawn": "auth.invitation_withdrawn",
                 "links_spent": "auth.links_spent"}


def _note(contact, changes, by, **details):
    """Audit each login that changed, and tell the company's timeline when access or an invitation ended."""
    for change in changes:
        record(AUDIT_ACTIONS[change.outcome], actor=by, object_type="users", object_id=change.user_id,
               changes={"contact_id": contact.id, "email": change.email, **details})
        if change.outcome == "closed":
            text = _l("Portaladgangen for %(email)s er lukket.", email=change.email)
        elif change.outcome == "withdrawn":
            text = _l("Invitationen til portalen for %(email)s er trukket tilbage.", email=change.email)
        else:
            continue
        log_activity(contact.company_id, ActivityKind.CHANGE, text, author=by)


@handles(contact_removed, "users.contact_id")
def _close_logins_of_removed_contact(contact, by=None):
    """A person who leaves the register leaves the portal too: their login and open links end at once."""
    _note(contact, close_logins_of_contact(contact.id), by)


@handles(contact_email_changed, "users.contact_id")
def _spend_links_of_readdressed_contact(contact, old_email=None, by=None):
    """Links mailed to a person's old address stop working, and an invitation not yet used is withdrawn; see
    readdress_logins_of_contact for why an active login keeps its own e-mail."""
    _note(contact, readdress_logins_of_contact(contact.id, contact.email), by,
          old_email=old_email, new_email=contact.email)


@handles(company_merged, "users.company_id", "portal_logins.company_id")
def _move_logins(survivor, duplicate):
    """The duplicate's portal logins, and the record of their use, belong to the survivor."""
    return {"users": repoint(User.company_id, duplicate.id, survivor.id),
            "portal_logins": repoint(PortalLogin.company_id, duplicate.id, survivor.id)}


@handles(contacts_merged, "users.contact_id")
def _move_logins_of_joined_contact(survivor, duplicate):
    """A login made for the duplicate person is the surviving person's login."""
    repoint(User.contact_id, duplicate.id, survivor.id)


@handles(contact_erased, "users.contact_id")
def _anonymise_logins(contact, **_kwargs):
    """The person's logins close for good and lose their name and e-mail."""
    for user in db.session.scalars(select(User).where(User.contact_id == contact.id)):
        user.active, user.name = False, ANONYMISED_NAME
        user.email = f"bruger-{user.id}@{ANONYMISED_DOMAIN}"
        end_sessions(user)
        spend_links(user)


declare(contact_erased, "users.company_id", "a login is a person only through its contact (users.contact_id)")
declare(contact_erased, "portal_logins.company_id",
        "a row holds a time and the login, which is anonymised (users.contact_id); the count stays")


@contacts_active_since.connect
def _logged_in_since(since):
    """A person whose portal login was made or used since then is active."""
    return select(User.contact_id).where((User.last_login_at >= since) | (User.created_at >= since))


@retention_tasks.connect
def _throttles_and_spent_links(_app):
    return list(retention.TASKS)


LOGIN_COLUMNS = {"email": _l("E-mail"), "name": _l("Navn"), "active": _l("Aktiv"),
                 "last_login_at": _l("Sidst logget ind"), "created_at": _l("Oprettet")}


@handles(company_export_parts, "users.company_id", "users.contact_id")
def _login_part(company):
    """The company's portal logins (never their password hashes)."""
    users = db.session.scalars(select(User).where(User.company_id == company.id).order_by(User.id))
    return ExportPart("logins", LOGIN_COLUMNS, [{key: getattr(user, key) for key in LOGIN_COLUMNS}
                                                for user in users], order=60)


PORTAL_LOGIN_COLUMNS = {"at": _l("Tidspunkt"), "email": _l("E-mail")}


@handles(company_export_parts, "portal_logins.company_id")
def _portal_login_part(company):
    """When the company's people logged in to the portal, and with which login."""
    rows = db.session.execute(select(PortalLogin.at, User.email).outerjoin(User, User.id == PortalLogin.user_id)
                              .where(PortalLogin.company_id == company.id).order_by(PortalLogin.at))
    return ExportPart("portal_logins", PORTAL_LOGIN_COLUMNS,
                      [dict(zip(PORTAL_LOGIN_COLUMNS, row, strict=True)) for row in rows], order=61)
