"""Two-factor login: the code after the password, enrolment and turning off at /account/two-factor, an admin's
reset, and the gate that keeps a user who must enrol on the enrolment page."""

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from crm.auth import two_factor
from crm.auth.blueprint import bp
from crm.auth.forms import ConfirmForm, EnrolmentCodeForm, TwoFactorCodeForm
from crm.auth.models import User
from crm.auth.services import user_for_session
from crm.auth.two_factor import PENDING
from crm.auth.views import safe_next
from crm.extensions import db
from crm.security import Role, fresh_session, public, roles_required

#: What a user who must enrol may reach besides the public pages: the enrolment itself, logging out, static files.
OPEN_WHILE_ENROLLING = frozenset({"auth.two_factor", "auth.two_factor_start", "auth.two_factor_confirm",
                                  "auth.logout", "static"})


def _pending_user():
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None, None
    if time.time() - pending.get("since", 0) > current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        session.pop(PENDING, None)
        return None, None
    user = user_for_session(pending.get("user"))
    return (user, pending) if user is not None and user.two_factor_on else (None, None)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def two_factor_login():
    user, pending = _pending_user()
    if user is None:  # none waiting (or it expired, or the login closed meanwhile); also for a logged-in user
        return render_template("auth/two_factor_expired.html",
                               minutes=current_app.config["TWO_FACTOR_PENDING_SECONDS"] // 60)
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        result = two_factor.second_step(user, form.code.data)
        db.session.commit()
        if result.throttled:
            return render_template("auth/two_factor_login.html", form=form, throttled=True), 429
        if result.user is None:
            form.code.errors.append(_("Koden er forkert eller allerede brugt. Vent på en ny kode i appen."))
            return render_template("auth/two_factor_login.html", form=form), 200
        fresh_session()  # the session is fresh only now, after both steps
        login_user(result.user, remember=pending["remember"])
        if result.kind == "recovery":
            flash(_("Du loggede ind med en gendannelseskode. Den kan ikke bruges igen; du har %(left)d tilbage.",
                    left=two_factor.remaining_recovery_codes(result.user)), "info")
        default = "portal.index" if result.user.role == Role.COMPANY else "home.index"
        return redirect(safe_next(pending["next"], default))
    return render_template("auth/two_factor_login.html", form=form), 422 if form.is_submitted() else 200


def _account_page(status=200, **forms):
    user = current_user._get_current_object()
    secret = two_factor.pending_secret(user)
    qr = None
    if secret:
        qr = two_factor.qr_code_svg(two_factor.provisioning_uri(user), _("QR-kode til din app"))
    context = {
        "secret": secret, "qr": qr, "required": two_factor.is_required(user),
        "remaining": two_factor.remaining_recovery_codes(user) if user.two_factor_on else 0,
        "start_form": ConfirmForm(), "confirm_form": EnrolmentCodeForm(), "off_form": TwoFactorCodeForm(prefix="off"),
        "codes_form": TwoFactorCodeForm(prefix="codes"),
    }
    context.update(forms)
    return render_template("auth/two_factor.html", **context), status


@bp.get("/account/two-factor", endpoint="two_factor")
@roles_required(*Role)
def account_two_factor():
    return _account_page()


@bp.post("/account/two-factor/start")
@roles_required(*Role)
def two_factor_start():
    form = ConfirmForm()
    if form.validate_on_submit():
        two_factor.start_enrolment(current_user)
        db.session.commit()
    return redirect(url_for("auth.two_factor"))


@bp.post("/account/two-factor/confirm")
@roles_required(*Role)
def two_factor_confirm():
    form = EnrolmentCodeForm()
    if not current_user.two_factor_new_secret:
        return redirect(url_for("auth.two_factor"))
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(current_user, form.code.data)
        except two_factor.CodeRefused:
            db.session.rollback()
            form.code.errors.append(_("Koden passer ikke. Skriv de 6 cifre, appen viser lige nu."))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on with the new token
            flash(_("Tofaktor-login er slået til."), "success")
            return render_template("auth/two_factor_codes.html", codes=codes)
    return _account_page(422, confirm_form=form)


def _with_code(prefix, action):
    """Run action(user, code) for the own-account form with this prefix once its code is accepted, and commit:
    (its result, None), or (None, the answer to give instead: the page with the error, or back when it is off)."""
    form = TwoFactorCodeForm(prefix=prefix)
    if not current_user.two_factor_on:
        return None, redirect(url_for("auth.two_factor"))
    if form.validate_on_submit():
        try:
            result = action(current_user, form.code.data)
        except two_factor.CodeRefused:
            form.code.errors.append(_("Koden er forkert eller allerede brugt."))
        else:
            db.session.commit()
            return result, None
    return None, _account_page(422, **{f"{prefix}_form": form})


@bp.post("/account/two-factor/disable")
@roles_required(*Role)
def two_factor_disable():
    _done, instead = _with_code("off", two_factor.turn_off)
    if instead is not None:
        return instead
    flash(_("Tofaktor-login er slået fra."), "success")
    return redirect(url_for("auth.two_factor"))


@bp.post("/account/two-factor/recovery-codes")
@roles_required(*Role)
def two_factor_recovery_codes():
    codes, instead = _with_code("codes", two_factor.replace_recovery_codes)
    if instead is not None:
        return instead
    return render_template("auth/two_factor_codes.html", codes=codes)


@bp.get("/account/two-factor/users")
@roles_required(Role.ADMIN)
def two_factor_users():
    return render_template("auth/two_factor_users.html", users=two_factor.users_with_two_factor(), form=ConfirmForm())


@bp.post("/users/<int:user_id>/two-factor/reset")
@roles_required(Role.ADMIN)
def two_factor_reset(user_id):
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            done = two_factor.reset_by_admin(user, by=current_user)
        except two_factor.CodeRefused:
            flash(_("Din egen tofaktor-login slår du fra på din egen side med en kode."), "error")
        else:
            db.session.commit()
            if done:
                flash(_("Tofaktor-login for %(email)s er nulstillet, og brugeren har fået besked på mail.",
                        email=user.email), "success")
            else:
                flash(_("%(email)s har ikke tofaktor-login slået til.", email=user.email), "info")
    return redirect(url_for("auth.two_factor_users"))


@bp.before_app_request
def _enrol_first():
    """A user who must have two-factor login (admins; staff when required) reaches only the enrolment page until
    it is on."""
    view = current_app.view_functions.get(request.endpoint)
    # The API's views ("token") know only the bearer token's user, never the session's.
    if view is None or request.endpoint in OPEN_WHILE_ENROLLING \
            or getattr(view, "allowed_roles", None) in ("public", "token"):
        return None
    # Without a session or remember cookie nobody is logged in: do not load a user (the database may be away).
    if session.get("_user_id") is None \
            and request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")) is None:
        return None
    if current_user.is_authenticated and two_factor.must_enrol(current_user):
        flash(_("Du skal slå tofaktor-login til, før du kan bruge Holme CRM."), "info")
        return redirect(url_for("auth.two_factor"))
    return None


@bp.record_once
def _check_setting(state):
    value = state.app.config["TWO_FACTOR_STAFF"]
    if value not in {"required", "optional"}:
        raise RuntimeError(f"TWO_FACTOR_STAFF must be 'required' or 'optional', not {value!r}")
