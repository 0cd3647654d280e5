"""The accounts area's part of what happens to companies and persons elsewhere."""

from flask_babel import gettext as _

from crm.audit.services import record
from crm.auth.services import close_logins_of_contact, readdress_logins_of_contact
from crm.companies.models import ActivityKind
from crm.companies.services import log_activity
from crm.signals import contact_email_changed, contact_removed, handles

AUDIT_ACTIONS = {"closed": "auth.login_closed", "withdrawn": "auth.invitation_withdrawn",
                 "links_spent": "auth.links_spent"}


def _note(contact, changes, by, **details):
    """Audit each login that changed, and tell the company's timeline when access or an invitation ended."""
    for change in changes:
        record(AUDIT_ACTIONS[change.outcome], actor=by, object_type="users", object_id=change.user_id,
               changes={"contact_id": contact.id, "email": change.email, **details})
        if change.outcome == "closed":
            text = _("Portaladgangen for %(email)s er lukket.", email=change.email)
        elif change.outcome == "withdrawn":
            text = _("Invitationen til portalen for %(email)s er trukket tilbage.", email=change.email)
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
