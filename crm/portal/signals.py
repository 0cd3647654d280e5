"""The portal's part of what happens to a company elsewhere."""

from crm.portal import access, erasure, group_requests
from crm.signals import Panel, company_page_panels, group_page_panels


@company_page_panels.connect
def _company_panel(company):
    """The portal on the staff company page: logins, portal-active, open removal requests."""
    logins = access.logins_of(company)
    return Panel("portal/_staff_company.html", {"logins": logins, "active": access.any_recent_login(logins),
                                                "requests": erasure.open_requests(company)}, order=20)


@group_page_panels.connect
def _group_panel(group):
    """The portal's requests to join or leave the group, for staff to decide, at the top of the group's page."""
    requests = group_requests.open_requests_of_group(group)
    return Panel("portal/_staff_group.html", {"requests": requests}, order=10) if requests else None
