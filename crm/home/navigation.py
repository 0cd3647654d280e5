"""The main menu: each role sees only what it may use."""

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.security import Role

#: (endpoint, label, roles). Areas add their entry here when they arrive.
MENU = (
    ("home.index", _l("Forside"), (Role.ADMIN, Role.STAFF)),
    ("portal.index", _l("Forside"), (Role.COMPANY,)),
    ("portal.meetings", _l("Møder og referater"), (Role.COMPANY,)),
    ("portal.company", _l("Vores virksomhed"), (Role.COMPANY,)),
    ("portal.groups", _l("Arbejdsgrupper"), (Role.COMPANY,)),
    ("portal.invoices_index", _l("Fakturaer"), (Role.COMPANY,)),
    ("portal_partnership.index", _l("Medlemskab"), (Role.COMPANY,)),
    ("portal.directory", _l("Netværket"), (Role.COMPANY,)),
    ("portal_exchange.index", _l("Byttecentral"), (Role.COMPANY,)),
    ("companies.index", _l("Virksomheder"), (Role.ADMIN, Role.STAFF)),
    ("meetings.index", _l("Møder"), (Role.ADMIN, Role.STAFF)),
    ("groups.index", _l("Arbejdsgrupper"), (Role.ADMIN, Role.STAFF)),
    ("contributions.index", _l("Bidrag"), (Role.ADMIN, Role.STAFF)),
    ("exchange.index", _l("Byttecentral"), (Role.ADMIN, Role.STAFF)),
    ("partnership.index", _l("Partnerskab"), (Role.ADMIN, Role.STAFF)),
    ("reports.index", _l("Rapporter"), (Role.ADMIN, Role.STAFF)),
    ("mail.index", _l("Udbakke"), (Role.ADMIN, Role.STAFF)),
    ("audit.index", _l("Log"), (Role.ADMIN, Role.STAFF)),
    ("meetings.calendar_settings", _l("Kalender"), (Role.ADMIN, Role.STAFF, Role.COMPANY)),
    ("auth.change_password", _l("Adgangskode"), (Role.ADMIN, Role.STAFF, Role.COMPANY)),
)

#: Portal pages that belong under a menu entry (the portal is one blueprint with several entries).
SUBPAGES = {
    "portal.meetings": ("portal.meeting",),
    "portal.company": ("portal.add_contact", "portal.edit_contact"),
    "companies.index": ("joining.requests", "joining.show"),
    "auth.change_password": ("api_tokens.index", "api_tokens.create"),
}


@dataclass
class MenuItem:
    url: str
    label: str
    active: bool


def navigation():
    """The menu items the current user may use, with the one the current page belongs to marked."""
    if not current_user.is_authenticated:
        return []
    entries = [(endpoint, label) for endpoint, label, roles in MENU if current_user.role in roles]
    current = _current_entry([endpoint for endpoint, _label in entries], request.endpoint or "")
    return [MenuItem(url_for(endpoint), str(label), endpoint == current) for endpoint, label in entries]


def _current_entry(endpoints, page):
    """The one menu entry a page belongs to: its own entry, else the entry it is a subpage of, else its area's.

    A page that has its own entry (the calendar settings live in the meetings area) marks only that entry.
    """
    if page in endpoints:
        return page
    for endpoint in endpoints:
        if page in SUBPAGES.get(endpoint, ()):
            return endpoint
    area = page.partition(".")[0]
    if area in ("home", "portal"):
        return None
    return next((endpoint for endpoint in endpoints if endpoint.partition(".")[0] == area), None)
