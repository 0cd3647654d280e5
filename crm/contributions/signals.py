"""The contributions' part of what happens to a company elsewhere."""

from crm.contributions import reminders, reporting
from crm.signals import Panel, company_page_panels


@company_page_panels.connect
def _company_panel(company):
    """The company's invoices with where their mails stand, and its reminder hold, on the staff company page."""
    invoices = reporting.company_invoices(company.id)
    return Panel("contributions/_company_panel.html",
                 {"invoices": invoices, "deliveries": reporting.deliveries(invoices),
                  "hold": reminders.reminder_hold(company.id)},
                 order=50)
