"""The access log page for admins: who has seen this person's (or company's) data, and what this user has looked
at; with the export of the rows."""

from flask import render_template, request
from flask_babel import gettext as _

from crm.audit import access_queries as queries
from crm.audit.access import record_access
from crm.audit.access_models import AccessKind
from crm.audit.blueprint import bp
from crm.audit.presentation import VALUE_LABELS
from crm.downloads import CSV, XLSX, as_download, table_csv, table_xlsx
from crm.http import DB_INT_MAX, whole_number
from crm.i18n import localtime
from crm.security import Role, roles_required

PER_PAGE = 50
#: A search text longer than this names no person, company or user.
SEARCH_CHARS = 254


def _subject():
    """The first of ?contact=, ?company=, ?user= that is an id; else the latest reads."""
    for kind in queries.SUBJECTS:
        value = request.args.get(kind, type=whole_number)
        if value is not None and 0 < value <= DB_INT_MAX:
            return queries.Subject(kind, value)
    return queries.Subject()


def role_label(role):
    return str(VALUE_LABELS.get(role, role or ""))


@bp.get("/access")
@roles_required(Role.ADMIN)
def access():
    subject = _subject()
    text = " ".join(request.args.get("q", "")[:SEARCH_CHARS].split())
    persons, companies, users = queries.candidates(text)
    page = queries.reads_page(subject, min(max(request.args.get("page", 1, type=whole_number), 1),
                                           DB_INT_MAX // PER_PAGE), PER_PAGE)
    named_persons, company_names = queries.names(page.items)
    shown = [*persons, *named_persons.values()]
    if subject.kind == "contact":
        shown.append(queries.person(subject.id))
    if shown := [person for person in shown if person is not None]:  # the admin reads names too
        record_access(AccessKind.SEARCH, contacts=shown)
    return render_template("audit/access.html", subject=subject, title=queries.subject_title(subject), q=text,
                           persons=persons, companies=companies, users=users, page=page,
                           named_persons=named_persons, company_names=company_names,
                           kinds=queries.KIND_LABELS, role_label=role_label)


@bp.get("/access.<any(csv, xlsx):file_format>")
@roles_required(Role.ADMIN)
def export_access(file_format):
    """The subject's rows, one line each, with ids (not names): Danish columns, CSV with `;` and BOM, or XLSX."""
    subject = _subject()
    columns = [_("Tidspunkt"), _("Bruger"), _("Rolle"), _("Adresse"), _("Hvad"), _("Side"), _("Kontaktperson (id)"),
               _("Virksomhed (id)")]
    rows = [[localtime(row.at), row.user_email or "", role_label(row.user_role), row.address or "",
             str(queries.KIND_LABELS[row.kind]), row.path or "", row.contact_id, row.company_id]
            for row in queries.export_rows(subject)]
    numbers = columns[-2:]
    if file_format == "xlsx":
        data = table_xlsx(columns, rows, _("Opslag i persondata"), numbers=numbers)
    else:
        data = table_csv(columns, rows, numbers=numbers)
    name = f"opslag-{subject.kind}-{subject.id}" if subject.kind else "opslag"
    return as_download(data, XLSX if file_format == "xlsx" else CSV, f"{name}.{file_format}")
