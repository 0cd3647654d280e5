"""The bank statement pages: upload, choose a CSV layout's columns, preview and confirm, and work through the
suggested and unmatched transactions (confirm, pick another invoice, undo a wrong match). Staff and admins."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from crm.contributions import payments, statements
from crm.contributions.blueprint import bp
from crm.contributions.models import Contribution
from crm.contributions.statement_files import StatementError
from crm.contributions.statement_forms import AssignForm, StatementUploadForm, chosen_mapping, mapping_form
from crm.contributions.statement_matching import REASONS
from crm.contributions.statement_models import BankStatement, BankTransaction, StatementStatus, TransactionState
from crm.extensions import db
from crm.forms import errors_text
from crm.security import STAFF_ROLES, roles_required

#: Transactions listed on the preview and on the overview's lists
SHOWN = 200


def _to_work_through():
    query = (select(BankTransaction).where(BankTransaction.state.in_((TransactionState.SUGGESTED,
                                                                      TransactionState.UNMATCHED)))
             .order_by(BankTransaction.booked_on, BankTransaction.id).limit(SHOWN))
    recent = (select(BankTransaction).where(BankTransaction.state == TransactionState.MATCHED)
              .order_by(BankTransaction.id.desc()).limit(50))
    return db.session.scalars(query).all(), db.session.scalars(recent).all()


@bp.route("/bank/", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def bank_index():
    form = StatementUploadForm()
    if form.validate_on_submit():
        limit = current_app.config["IMPORT_MAX_BYTES"]
        data = form.file.data.read(limit + 1)
        if len(data) > limit:
            form.file.errors.append(_("Filen er større end %(mb)d MB. Del den op i flere filer.", mb=limit // 2**20))
        else:
            try:
                statement = statements.upload(data, form.file.data.filename, by=current_user)
            except StatementError as error:
                db.session.rollback()
                form.file.errors.append(str(error))
            except statements.MappingNeeded as needed:
                db.session.commit()
                return redirect(url_for(".statement_mapping", statement_id=needed.statement.id))
            else:
                db.session.commit()
                return redirect(url_for(".statement_preview", statement_id=statement.id))
    open_transactions, matched = _to_work_through()
    return render_template("contributions/bank.html", form=form, transactions=open_transactions, matched=matched,
                           assign_form=AssignForm()), 422 if form.errors else 200


@bp.route("/bank/statements/<int:statement_id>/columns", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def statement_mapping(statement_id):
    statement = db.get_or_404(BankStatement, statement_id)
    if statement.kind != "csv" or statement.status == StatementStatus.DONE:
        return redirect(url_for(".statement_preview", statement_id=statement.id))
    headers = statements.headers_of(statement)
    form = mapping_form(headers, statement.mapping or {}, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            statements.choose_mapping(statement, chosen_mapping(form))
        except StatementError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            return redirect(url_for(".statement_preview", statement_id=statement.id))
    return render_template("contributions/bank_mapping.html", statement=statement, form=form,
                           headers=headers), 422 if form.errors else 200


@bp.get("/bank/statements/<int:statement_id>")
@roles_required(*STAFF_ROLES)
def statement_preview(statement_id):
    statement = db.get_or_404(BankStatement, statement_id)
    if statement.status == StatementStatus.DONE:
        return render_template("contributions/bank_preview.html", statement=statement, result=statement.result,
                               outcomes=None, reasons=REASONS)
    if statement.kind == "csv" and not statement.mapping:
        return redirect(url_for(".statement_mapping", statement_id=statement.id))
    try:
        outcomes, result = statements.preview(statement)
    except StatementError as error:
        flash(str(error), "error")
        return redirect(url_for(".bank_index"))
    return render_template("contributions/bank_preview.html", statement=statement, result=result,
                           outcomes=outcomes[:SHOWN], total=len(outcomes), reasons=REASONS)


@bp.post("/bank/statements/<int:statement_id>/confirm")
@roles_required(*STAFF_ROLES)
def statement_confirm(statement_id):
    statement = db.get_or_404(BankStatement, statement_id)
    try:
        result = statements.confirm(statement, by=current_user)
    except OperationalError:  # SQLite: another click holds the write lock
        db.session.rollback()
        result = None
    except StatementError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".bank_index"))
    if result is None:
        flash(_("Kontoudskriften er allerede indlæst."), "info")
        return redirect(url_for(".statement_preview", statement_id=statement_id))
    try:
        db.session.commit()
    except IntegrityError:  # another statement holding the same transactions was loaded at the same moment
        db.session.rollback()
        flash(_("En anden kontoudskrift med de samme posteringer blev indlæst samtidig. Indlæs igen: det, der "
                "allerede er indlæst, springes over."), "error")
        return redirect(url_for(".statement_preview", statement_id=statement_id))
    flash(_("Indlæst: %(matched)d betalinger registreret, %(suggested)d forslag, %(unmatched)d uden match, "
            "%(known)d indlæst før.", matched=result["matched"]["count"], suggested=result["suggested"]["count"],
            unmatched=result["unmatched"]["count"], known=result["known"]["count"]), "success")
    return redirect(url_for(".bank_index"))


@bp.post("/bank/transactions/<int:transaction_id>/assign")
@roles_required(*STAFF_ROLES)
def transaction_assign(transaction_id):
    transaction = db.get_or_404(BankTransaction, transaction_id)
    form = AssignForm()
    if not form.validate_on_submit():
        flash(errors_text(form), "error")
        return redirect(url_for(".bank_index"))
    year, number = form.label
    contribution = db.session.scalar(select(Contribution).where(Contribution.year == year,
                                                                Contribution.invoice_number == number))
    if contribution is None:
        flash(_("Der er ingen faktura med nummeret %(number)s.", number=f"{year}-{number}"), "error")
        return redirect(url_for(".bank_index"))
    try:
        statements.assign(transaction, contribution, by=current_user)
    except payments.PaymentRefused:
        db.session.rollback()
        flash(_("Posteringen kan ikke registreres på faktura %(number)s: fakturaen er krediteret eller fritaget, "
                "eller posteringen er allerede registreret.", number=contribution.invoice_label), "error")
        return redirect(url_for(".bank_index"))
    db.session.commit()
    flash(_("Betalingen er registreret på faktura %(number)s.", number=contribution.invoice_label), "success")
    return redirect(url_for(".bank_index"))


@bp.post("/bank/transactions/<int:transaction_id>/undo")
@roles_required(*STAFF_ROLES)
def transaction_undo(transaction_id):
    transaction = db.get_or_404(BankTransaction, transaction_id)
    if transaction.state != TransactionState.MATCHED:
        flash(_("Posteringen er ikke registreret som betaling."), "error")
        return redirect(url_for(".bank_index"))
    statements.undo(transaction, by=current_user)
    db.session.commit()
    flash(_("Betalingen er fjernet, og posteringen står igen blandt dem uden match."), "success")
    return redirect(url_for(".bank_index"))
