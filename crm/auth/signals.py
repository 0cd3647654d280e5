"""The accounts area's part of what happens to companies and persons elsewhere."""

from flask_babel import gettext as _

from crm.audit.services import record
from crm.auth.services import close_logins_of_contact
from crm.companies.models import ActivityKind
from crm.companies.services import log_activity
from crm.signals import contact_removed, handles


@handles(contact_removed, "users.contact_id")
def _close_logins_of_removed_contact(contact, by=None):
    """A person who leaves the register leaves the portal too: their login closes at once."""
    for user in close_logins_of_contact(contact.id):
        record("auth.login_closed", actor=by, obj=user, changes={"contact_id": contact.id, "email": user.email})
        log_activity(contact.company_id, ActivityKind.CHANGE,
                     _("Portaladgangen for %(email)s er lukket.", email=user.email), author=by)
