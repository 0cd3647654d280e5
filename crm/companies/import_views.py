"""Importing a company file from the browser: upload, preview, confirm.

The file is read twice at most: at the upload, where what the preview shows is worked out and kept in
CompanyImport.result (so a visit to the preview reads no file), and at the confirmation, which imports it.
"""

from datetime import date

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from crm.companies import importer, importing
from crm.companies.blueprint import bp
from crm.companies.forms import ImportForm
from crm.companies.models import CompanyImport, ImportStatus
from crm.db import utcnow
from crm.extensions import db
from crm.i18n import day
from crm.security import STAFF_ROLES, roles_required

PREVIEW_ROWS = 20
#: Rejected rows listed on the preview page.
REJECTED_SHOWN = 200


def _parse(upload):
    try:
        return importer.parse_file(upload.data, upload.filename), None
    except importer.ImportFileError as error:
        return None, str(error)


def _shown(value):
    if isinstance(value, date):
        return day(value)
    return "" if value is None else str(value)


def _preview(parsed):
    """What the preview page shows of a parsed file, worked out by a dry run, as JSON."""
    result = importing.import_parsed(parsed, dry_run=True)
    return {
        "counts": result.counts(),
        "rejected_rows": [[number, reasons] for number, reasons in result.rejected_rows[:REJECTED_SHOWN]],
        "columns": parsed.columns,
        "unknown_headers": parsed.unknown_headers,
        "warnings": parsed.warnings,
        "row_count": len(parsed.rows),
        "rows": [{"number": row.number, "outcome": result.outcomes[row.number],
                  "values": {column: _shown(value) for column, value in row.values.items()}}
                 for row in parsed.rows[:PREVIEW_ROWS]],
    }


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        limit = current_app.config["IMPORT_MAX_BYTES"]
        if len(data) > limit:
            form.file.errors.append(_("Filen er større end %(mb)d MB. Del den op i flere filer.", mb=limit // 2**20))
        else:
            upload = CompanyImport(filename=form.file.data.filename or "fil", data=data, uploaded_by_id=current_user.id)
            parsed, error = _parse(upload)
            if error:
                form.file.errors.append(error)
            else:
                upload.result = {"preview": _preview(parsed)}
                del parsed
                db.session.add(upload)
                db.session.commit()
                return redirect(url_for(".import_preview", import_id=upload.id))
    return render_template("companies/import_upload.html", form=form), 422 if form.is_submitted() else 200


@bp.get("/import/<int:import_id>")
@roles_required(*STAFF_ROLES)
def import_preview(import_id):
    upload = db.get_or_404(CompanyImport, import_id)
    if upload.status == ImportStatus.DONE:
        return render_template("companies/import_done.html", upload=upload)
    preview = (upload.result or {}).get("preview")
    if preview is None:  # uploaded before the preview was kept with the upload
        parsed, error = _parse(upload)
        if error:
            flash(error, "error")
            return redirect(url_for(".import_upload"))
        preview = _preview(parsed)
        db.session.rollback()
    return render_template("companies/import_preview.html", upload=upload, preview=preview,
                           columns=importer.CANONICAL_COLUMNS)


@bp.post("/import/<int:import_id>/confirm")
@roles_required(*STAFF_ROLES)
def import_confirm(import_id):
    upload = db.get_or_404(CompanyImport, import_id)
    # Claim the upload atomically: of two clicks (or tabs) only one finds it still waiting for confirmation.
    try:
        claimed = db.session.execute(
            update(CompanyImport).where(CompanyImport.id == upload.id, CompanyImport.status == ImportStatus.PREVIEW)
            .values(status=ImportStatus.DONE)
        ).rowcount
    except OperationalError:  # SQLite: the other click holds the write lock
        db.session.rollback()
        claimed = 0
    if not claimed:
        flash(_("Filen er allerede indlæst."), "info")
        return redirect(url_for(".import_preview", import_id=import_id))
    db.session.refresh(upload)
    parsed, error = _parse(upload)
    if error:  # read at the upload; refused now only if the limits changed since
        db.session.rollback()
        flash(error, "error")
        return redirect(url_for(".import_upload"))
    result = importing.import_parsed(parsed, by=current_user, filename=upload.filename)
    upload.completed_at = utcnow()
    upload.result = {**result.counts(), "rejected_rows": result.rejected_rows[:500]}
    upload.data = b""  # the file has done its job; the register holds the data now
    db.session.commit()
    flash(_("Indlæst: %(new)d nye, %(updated)d opdaterede, %(unchanged)d uændrede, %(rejected)d afviste.",
            **result.counts()), "success")
    return redirect(url_for(".import_preview", import_id=upload.id))
