"""The accounts area's part of what happens to companies and persons elsewhere."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.audit.services import record
from crm.auth.models import User
from crm.auth.services import close_logins_of_contact, end_sessions, spend_links
from crm.companies.models import ActivityKind
from crm.companies.services import log_activity
from crm.extensions import db
from crm.merging import ANONYMISED_DOMAIN, ANONYMISED_NAME, repoint
from crm.signals import (
    ExportPart,
    company_export_parts,
    company_merged,
    contact_erased,
    contact_removed,
    contacts_merged,
    declare,
    handles,
)


@handles(contact_removed, "users.contact_id")
def _close_logins_of_removed_contact(contact, by=None):
    """A person who leaves the register leaves the portal too: their login closes at once."""
    for user in close_logins_of_contact(contact.id):
        record("auth.login_closed", actor=by, obj=user, changes={"contact_id": contact.id, "email": user.email})
        log_activity(contact.company_id, ActivityKind.CHANGE,
                     _("Portaladgangen for %(email)s er lukket.", email=user.email), author=by)


@handles(company_merged, "users.company_id")
def _move_logins(survivor, duplicate):
    """The duplicate's portal logins belong to the survivor."""
    return {"users": repoint(User.company_id, duplicate.id, survivor.id)}


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

LOGIN_COLUMNS = {"email": _l("E-mail"), "name": _l("Navn"), "active": _l("Aktiv"),
                 "last_login_at": _l("Sidst logget ind"), "created_at": _l("Oprettet")}


@handles(company_export_parts, "users.company_id", "users.contact_id")
def _login_part(company):
    """The company's portal logins (never their password hashes)."""
    users = db.session.scalars(select(User).where(User.company_id == company.id).order_by(User.id))
    return ExportPart("logins", LOGIN_COLUMNS, [{key: getattr(user, key) for key in LOGIN_COLUMNS}
                                                for user in users], order=60)
