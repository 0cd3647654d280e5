"""The reports area's part of the staff home page: what needs doing today."""

from datetime import UTC, datetime

from flask import current_app

from crm.reports import dashboard
from crm.reports.network import count
from crm.reports.periods import current_year
from crm.signals import Panel, staff_home_panels


@staff_home_panels.connect
def _today(user, now=None):
    """The next meetings, open action items, overdue invoices, quiet companies and the year so far."""
    now = now or datetime.now(UTC)
    invoices, outstanding, earliest = dashboard.overdue_invoices(dashboard.today_in(now))
    return Panel("reports/_home_today.html", {
        "meetings": dashboard.next_meetings(now),
        "actions": dashboard.open_action_items(),
        "overdue": invoices, "overdue_ore": outstanding, "overdue_year": earliest or current_year(now),
        "quiet": count(dashboard.quiet_companies(now, current_app.config["QUIET_AFTER_DAYS"])),
        "so_far": dashboard.year_so_far(current_year(now), now),
        "key_figures": dashboard.KEY_FIGURES,
        "today": dashboard.today_in(now),
    }, order=10)
