"""Staff pages of the yearly report: the year's figures, the lists behind them and their exports."""


from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from crm.companies.models import CompanyRole
from crm.downloads import DOCX, as_download
from crm.extensions import db
from crm.http import whole_number
from crm.meetings.forms import KIND_LABELS
from crm.reports import exports
from crm.reports.blueprint import bp
from crm.reports.charts import bar_chart
from crm.reports.document import history, report_context, report_pdf
from crm.reports.figures import COMPANY_LISTS, FIGURES, FIGURES_BY_KEY, year_report
from crm.reports.meeting_figures import meeting_figures
from crm.reports.periods import current_year, valid_year
from crm.reports.word import report_docx
from crm.security import STAFF_ROLES, roles_required


def year_or_404(year):
    if not valid_year(year):
        abort(404)
    return year


def figure_link(figure, year):
    """The address of the list behind a figure."""
    if figure.company_list:
        return url_for(".company_list", year=year, list_name=figure.company_list, role=figure.role)
    if figure.page == "contributions":
        return url_for("contributions.index", year=year)
    if figure.page == "groups":
        return url_for(".year", year=year, _anchor="arbejdsgrupper")
    if figure.page == "exchange":
        return url_for(".year", year=year, _anchor="byttecentralen")
    if figure.page and figure.page.startswith("meeting_list:"):
        return url_for("meetings.index", year=year, kind=figure.page.partition(":")[2])
    return url_for(".meetings", year=year)


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    """This year's report, or the year chosen in the page's form."""
    chosen = request.args.get("year", type=whole_number)
    return redirect(url_for(".year", year=chosen if chosen and valid_year(chosen) else current_year()))


@bp.get("/<int:year>")
@roles_required(*STAFF_ROLES)
def year(year):
    year_or_404(year)
    context = report_context(year)
    table = {**context["earlier"], year: context["report"].values}
    charts = {figure.key: bar_chart([(shown, values[figure.key]) for shown, values in table.items()])
              for figure in FIGURES}
    return render_template("reports/year.html", **context, charts=charts, figure_link=figure_link,
                           years=range(current_year(), current_year() - 10, -1))


@bp.get("/<int:year>/figures.<any(csv, xlsx):file_format>")
@roles_required(*STAFF_ROLES)
def export_figures(year, file_format):
    year_or_404(year)
    table = {**history(year), year: year_report(year).values}  # oldest first
    return exports.download(exports.figure_columns(table), exports.figure_rows(table), _("Årets tal %(year)s",
                            year=year), file_format, f"aarets-tal-{year}", numbers=tuple(str(y) for y in table))


def _company_list(year, list_name):
    year_or_404(year)
    if list_name not in COMPANY_LISTS:
        abort(404)
    title, company_ids = COMPANY_LISTS[list_name]
    role = request.args.get("role") if request.args.get("role") in set(CompanyRole) else None
    companies = db.session.scalars(exports.company_statement(company_ids(year), role)).all()
    return title, role, companies


@bp.get("/<int:year>/companies/<list_name>")
@roles_required(*STAFF_ROLES)
def company_list(year, list_name):
    title, role, companies = _company_list(year, list_name)
    return render_template("reports/companies.html", year=year, list_name=list_name, title=title, role=role,
                           companies=companies)


@bp.get("/<int:year>/companies/<list_name>.<any(csv, xlsx):file_format>")
@roles_required(*STAFF_ROLES)
def export_company_list(year, list_name, file_format):
    title, role, companies = _company_list(year, list_name)
    name = f"{list_name}-{year}" + (f"-{role}" if role else "")
    return exports.download(exports.company_columns(), exports.company_rows(companies), f"{title} {year}",
                            file_format, name)


@bp.get("/<int:year>/meetings")
@roles_required(*STAFF_ROLES)
def meetings(year):
    year_or_404(year)
    return render_template("reports/meetings.html", year=year, figures=meeting_figures(year),
                           kind_labels=KIND_LABELS)


@bp.get("/<int:year>/meetings.<any(csv, xlsx):file_format>")
@roles_required(*STAFF_ROLES)
def export_meetings(year, file_format):
    year_or_404(year)
    rows = exports.meeting_rows(meeting_figures(year).rows, KIND_LABELS)
    columns = exports.meeting_columns()
    return exports.download(columns, rows, _("Møder %(year)s", year=year), file_format, f"moeder-{year}",
                            numbers=columns[3:7])


@bp.get("/<int:year>.pdf")
@roles_required(*STAFF_ROLES)
def year_pdf(year):
    year_or_404(year)
    return as_download(report_pdf(year), "application/pdf", f"aarsrapport-{year}.pdf")


@bp.get("/<int:year>.docx")
@roles_required(*STAFF_ROLES)
def year_docx(year):
    year_or_404(year)
    return as_download(report_docx(year), DOCX, f"aarsrapport-{year}.docx")


@bp.app_template_global()
def report_figures(keys):
    """The figures of these keys, for a template."""
    return [FIGURES_BY_KEY[key] for key in keys]
