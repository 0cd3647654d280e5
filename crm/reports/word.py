"""The yearly report as a Word file (python-docx), for the team to paste into the council's document.

The same content as the PDF (crm.reports.document): the title, per goal the goal, the result and the narrative,
then the tables of figures, the meetings, the working groups and the swap centre. Values are written by the report
page's own macro, so a figure reads the same in the page, the PDF and the Word file.
"""

import io
from datetime import UTC, datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from flask import current_app, get_template_attribute
from flask_babel import gettext as _
from flask_babel import ngettext

from crm.i18n import localtime, number
from crm.meetings.forms import KIND_LABELS
from crm.reports.document import report_context


def _table(document, header, rows, numeric=None):
    """A table with a header row; the `numeric` columns (all but the first by default) aligned right."""
    numeric = range(1, len(header)) if numeric is None else numeric
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = str(text)
            if index in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _goals(document, context):
    document.add_heading(_("Mål og resultater"), level=1)
    if not context["measured"]:
        document.add_paragraph(_("Der er ikke sat mål for %(year)s endnu.", year=context["year"]))
    for measured in context["measured"]:
        goal = measured.goal
        document.add_heading(goal.text, level=2)
        result = document.add_paragraph()
        if goal.target is not None:
            result.add_run(_("Mål: %(target)s.", target=measured.target_text) + " ")
        result.add_run(_("Resultat: %(result)s.", result=measured.result_text))
        if goal.manual_source:
            result.add_run(" (" + _("Kilde: %(source)s", source=goal.manual_source) + ")")
        if measured.verdict:
            result.add_run(" " + str(measured.verdict)).bold = True
        for paragraph in measured.narrative.split("\n"):
            if paragraph.strip():
                document.add_paragraph(paragraph)


def _figures(document, context):
    figure_value = get_template_attribute("reports/_figures.html", "figure_value")
    year, report, earlier = context["year"], context["report"], context["earlier"]
    document.add_heading(_("Årets tal"), level=1)
    for section, section_label in context["sections"].items():
        document.add_heading(str(section_label), level=2)
        rows = [[str(figure.label), *(str(figure_value(values[figure.key], figure.kind)) for values in
                                      earlier.values()), str(figure_value(report.values[figure.key], figure.kind))]
                for figure in context["figures"] if figure.section == section]
        _table(document, [_("Tal"), *earlier, year], rows)


def _meetings_and_groups(document, context):
    year, report = context["year"], context["report"]
    document.add_heading(_("Møder %(year)s", year=year), level=2)
    rows = [[row.title, str(KIND_LABELS.get(row.kind, row.kind)), localtime(row.starts_at), number(row.companies),
             number(row.persons)] for row in report.meetings.rows]
    if rows:
        _table(document, [_("Møde"), _("Type"), _("Tidspunkt"), _("Virksomheder til stede"),
                          _("Personer til stede")], rows, numeric=(3, 4))
    else:
        document.add_paragraph(_("Ingen holdte møder i året."))
    document.add_heading(_("Arbejdsgrupperne %(year)s", year=year), level=2)
    rows = []
    for row in report.groups:
        results = "; ".join(
            initiative.title + (": " if initiative.figures else "") + ", ".join(
                f"{number(figure.value)} {figure.unit} {figure.label}".strip() for figure in initiative.figures)
            for initiative in row.initiatives)
        rows.append([row.group.name, number(row.at_start), number(row.at_end), number(row.meetings), results])
    _table(document, [_("Gruppe"), _("Ved årets start"), _("Ved årets slutning"), _("Møder"),
                      _("Initiativer og resultater")], rows, numeric=(1, 2, 3))


def _exchange(document, context):
    year, swap = context["year"], context["report"].exchange
    document.add_heading(_("Byttecentralen %(year)d", year=year), level=2)
    rows = [[name, number(listed), number(exchanged), number(tonnes), number(co2e)]
            for name, listed, exchanged, tonnes, co2e in swap.by_category]
    if rows:
        _table(document, [_("Kategori"), _("Annoncer"), _("Byttet"), _("Ton"), _("Kg CO2e")], rows)
    else:
        document.add_paragraph(_("Ingen annoncer eller byt i året."))
    note = ngettext("%(num)d virksomhed har været med.", "%(num)d virksomheder har været med.", swap.companies)
    if swap.without_factor:
        note += " " + ngettext(
            "%(num)d byt tæller kun ton, fordi der ikke er en CO2e-faktor for dets kategori og enhed.",
            "%(num)d byt tæller kun ton, fordi der ikke er en CO2e-faktor for deres kategori og enhed.",
            swap.without_factor)
    document.add_paragraph(note)


def report_docx(year, now=None):
    """The year's report as a Word file (bytes)."""
    context = report_context(year, now)
    network = current_app.config["NETWORK_NAME"]
    document = Document()
    document.core_properties.title = _("Årsrapport %(year)s", year=year) + f" · {network}"
    document.core_properties.language = "da-DK"
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(_("Årsrapport %(year)s", year=year), level=0)
    document.add_paragraph(f"{network} · " + _("Tallene gælder 1. januar til 31. december %(year)s.", year=year)
                           + " " + _("Udskrevet %(when)s.", when=localtime(now or datetime.now(UTC))))
    _goals(document, context)
    _figures(document, context)
    _meetings_and_groups(document, context)
    _exchange(document, context)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
