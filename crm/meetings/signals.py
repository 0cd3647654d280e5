"""The meetings' part of what happens to a company elsewhere."""

from crm.meetings.attendance import company_history
from crm.signals import Panel, company_page_panels


@company_page_panels.connect
def _company_panel(company):
    """The meetings the company was invited to or came to, on the staff company page."""
    return Panel("meetings/_company_panel.html", {"meetings": company_history(company)}, order=40)
