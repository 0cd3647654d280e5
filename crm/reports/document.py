"""The yearly report as a document: a PDF made with WeasyPrint from an HTML template, as the invoices and minutes
are. Title, then per goal the goal, the result and the narrative, then the tables of figures."""

from datetime import UTC, datetime

from flask import current_app, render_template
from weasyprint import HTML

from crm.meetings.forms import KIND_LABELS
from crm.reports import goals
from crm.reports.figures import FIGURES, SECTIONS, year_report

#: How many years the report shows: the year and the ones before it.
YEARS_SHOWN = 5


def history(year, now=None):
    """{year: figure values} for the YEARS_SHOWN - 1 years before the year, oldest first."""
    return {shown: year_report(shown, now).values for shown in range(year - YEARS_SHOWN + 1, year)}


def report_context(year, now=None):
    """What the report's page and its document show: the year's figures, the years before, the goals measured."""
    report = year_report(year, now)
    return {"year": year, "report": report, "earlier": history(year, now), "figures": FIGURES, "sections": SECTIONS,
            "measured": [goals.measure(goal, report.values) for goal in goals.year_goals(year)]}


def report_pdf(year, now=None):
    """The year's report as a PDF."""
    html = render_template("reports/report_pdf.html", **report_context(year, now), kind_labels=KIND_LABELS,
                           made_at=now or datetime.now(UTC), network=current_app.config["NETWORK_NAME"])
    return HTML(string=html, base_url=current_app.root_path).write_pdf()
