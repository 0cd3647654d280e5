"""Staff's side of the partnership: the agreement's versions (admin writes them), sign-ups and notices."""

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.downloads import as_download
from crm.extensions import db
from crm.partnership import documents, services
from crm.partnership.blueprint import bp
from crm.partnership.forms import AgreementForm
from crm.partnership.models import AgreementVersion, SignatureKind
from crm.security import STAFF_ROLES, Role, roles_required

#: How far back the page and the home panel show sign-ups and notices.
RECENT_DAYS = 90


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    since = services.today() - timedelta(days=RECENT_DAYS)
    return render_template("partnership/index.html", versions=services.versions(),
                           current=services.current_agreement(), days=RECENT_DAYS,
                           sign_ups=services.recent(SignatureKind.SIGN_UP, since, limit=200),
                           notices=services.recent(SignatureKind.NOTICE, since, limit=200),
                           pending=services.pending_notices())


@bp.route("/agreements/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_version():
    form = AgreementForm()
    if not form.is_submitted() and (current := services.current_agreement()) is not None:
        form.title.data, form.body.data, form.notice_months.data = current.title, current.body, current.notice_months
    if form.validate_on_submit():
        version = services.add_version(form.values(), by=current_user)
        db.session.commit()
        flash(_("Den nye version af aftalen er gemt. Medlemmerne ser den fra %(day)s.",
                day=version.takes_effect_on.strftime("%d.%m.%Y")), "success")
        return redirect(url_for(".version", version_id=version.id))
    return render_template("partnership/agreement_form.html", form=form), 422 if form.is_submitted() else 200


@bp.get("/agreements/<int:version_id>")
@roles_required(*STAFF_ROLES)
def version(version_id):
    return render_template("partnership/agreement.html", agreement=db.get_or_404(AgreementVersion, version_id))


@bp.get("/agreements/<int:version_id>.pdf")
@roles_required(*STAFF_ROLES)
def version_pdf(version_id):
    agreement = db.get_or_404(AgreementVersion, version_id)
    return as_download(documents.agreement_pdf(agreement), "application/pdf",
                       f"partnerskabsaftale-{agreement.takes_effect_on.isoformat()}.pdf")
