"""The meetings' part of what happens to a company elsewhere, and of the pages other areas assemble."""

from crm.meetings.attendance import company_history
from crm.meetings.services import group_meetings
from crm.signals import Panel, company_page_panels, group_page_panels


@company_page_panels.connect
def _company_panel(company):
    """The meetings the company was invited to or came to, on the staff company page."""
    return Panel("meetings/_company_panel.html", {"meetings": company_history(company)}, order=40)


@group_page_panels.connect
def _group_panel(group):
    """The group's coming and held meetings and the open action items of its meetings, on the group's page."""
    upcoming, past, open_items = group_meetings(group)
    return Panel("meetings/_group_panel.html", {"upcoming": upcoming, "past": past, "open_items": open_items},
                 order=40)
