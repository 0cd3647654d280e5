"""Login, logout, password reset and change, language choice."""

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from crm.auth import services
from crm.auth.blueprint import bp
from crm.auth.forms import ChangePasswordForm, ForgotPasswordForm, LanguageForm, LoginForm, NewPasswordForm
from crm.auth.two_factor import PENDING
from crm.extensions import db
from crm.security import Role, fresh_session, public, roles_required


def safe_next(target, default="home.index"):
    """A local path to go on to, or the default: never another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for(default)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if result.throttled:
            return render_template("auth/login.html", form=form, throttled=True), 429
        if result.user is None:
            return render_template("auth/login.html", form=form, failed=True), 200
        if result.needs_code:
            return start_second_step(result.user, form.remember.data, form.next.data)
        fresh_session()
        login_user(result.user, remember=form.remember.data)
        default = "portal.index" if result.user.role == Role.COMPANY else "home.index"
        return redirect(safe_next(form.next.data, default))
    return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200


def start_second_step(user, remember, next_target):
    """The password was right and the user has two-factor login on: a pending login in a new session, no user
    logged in until the code is given (crm.auth.two_factor_views)."""
    fresh_session()
    session[PENDING] = {"user": user.get_id(), "remember": bool(remember), "next": next_target or "",
                        "since": int(time.time())}
    return redirect(url_for("auth.two_factor_login"))


@bp.post("/logout")
@roles_required(*Role)
def logout():
    services.logout(current_user)
    db.session.commit()
    logout_user()
    fresh_session()
    flash(_("Du er logget ud."), "success")
    return redirect(url_for("auth.login"))


def _answer_no_sooner_than(started, seconds):
    """Wait until `seconds` have passed since `started`, so that an answer that mailed a link and one that did not
    (unknown e-mail, limit reached) take the same time. Padding to a fixed time rather than imitating the mail's
    work holds whatever the mail costs (templates, the outbox row, the database); it costs a wait, not CPU."""
    elapsed = time.monotonic() - started
    if elapsed < seconds:
        time.sleep(seconds - elapsed)
    elif seconds:
        current_app.logger.warning("A password reset answer took %.0f ms, longer than PASSWORD_RESET_ANSWER_MS: "
                                   "its time may show whether the account exists", elapsed * 1000)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        answer = services.request_password_reset(form.email.data)
        db.session.commit()
        if answer.throttled != "address":  # over the address limit the work never depends on the e-mail
            _answer_no_sooner_than(started, current_app.config["PASSWORD_RESET_ANSWER_MS"] / 1000)
        flash(_("Hvis e-mailen hører til en bruger, har vi sendt et link til at vælge en ny adgangskode. "
                "Linket virker i en time."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    if services.valid_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Din adgangskode er skiftet. Log ind med den nye."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required(*Role)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.PasswordRefused:
            form.current.errors.append(_("Den nuværende adgangskode er forkert."))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on with the new token
            flash(_("Din adgangskode er skiftet. Du er logget ud alle andre steder."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form), 422 if form.is_submitted() else 200


@bp.post("/language")
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return redirect(safe_next(form.next.data))
