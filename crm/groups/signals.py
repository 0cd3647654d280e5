"""The working groups' part of what happens to a company elsewhere."""

from crm.groups import services
from crm.signals import Panel, company_page_panels


@company_page_panels.connect
def _company_panel(company):
    """The company's groups, current first, on the staff company page."""
    return Panel("groups/_company_panel.html", {"memberships": services.company_memberships(company.id)}, order=30)
