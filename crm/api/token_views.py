"""The user's page of personal API tokens (/account/tokens): create one (shown once), see their last use,
revoke. Admins see and revoke every user's tokens."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.api import tokens
from crm.api.forms import SCOPE_LABELS, TokenForm
from crm.api.models import ApiToken
from crm.api.schemas import ID_MAX
from crm.auth.forms import ConfirmForm
from crm.db import utcnow
from crm.extensions import db
from crm.security import Role, refuse, roles_required

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")
EVERYONE = (Role.ADMIN, Role.STAFF, Role.COMPANY)


def _page(form, *, secret=None, status=200):
    others = [token for token in tokens.all_tokens() if token.user_id != current_user.id] \
        if current_user.role == Role.ADMIN else []
    return render_template("api/tokens.html", form=form, revoke_form=ConfirmForm(), secret=secret,
                           tokens=tokens.tokens_of(current_user), others=others, now=utcnow(),
                           scope_labels=SCOPE_LABELS), status


@bp.get("")
@roles_required(*EVERYONE)
def index():
    return _page(TokenForm())


@bp.post("")
@roles_required(*EVERYONE)
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    _token, secret = tokens.create_token(current_user, form.name.data, form.scope.data, form.days.data,
                                         by=current_user)
    db.session.commit()
    # Shown in this answer only (never through the session cookie, which is signed, not secret).
    return _page(TokenForm(formdata=None), secret=secret, status=201)


@bp.post(f"/<int(max={ID_MAX}):token_id>/revoke")
@roles_required(*EVERYONE)
def revoke(token_id):
    statement = select(ApiToken).where(ApiToken.id == token_id)
    if current_user.role != Role.ADMIN:
        statement = statement.where(ApiToken.user_id == current_user.id)
    token = db.session.scalars(statement).first()
    if token is None:
        refuse(404, reason=f"api token {token_id}")
    if ConfirmForm().validate_on_submit() and tokens.revoke_token(token, by=current_user):
        db.session.commit()
        flash(_("Tokenet %(name)s er tilbagekaldt og virker ikke længere.", name=token.name), "success")
    return redirect(url_for(".index"))
