"""The public form where a company new to Avedøre Holme asks to join the network (no login)."""

from flask import current_app, redirect, render_template, url_for

from crm.actor import current_actor
from crm.audit.services import record
from crm.extensions import db
from crm.joining import services
from crm.joining.blueprint import bp
from crm.joining.forms import JoinForm
from crm.security import public


@bp.route("/join", methods=["GET", "POST"])
@public
def join():
    form = JoinForm()
    if form.validate_on_submit():
        if form.homepage.data:  # the hidden field: a robot gets the same answer as a person, and nothing is kept
            current_app.logger.info("A join request with the honeypot filled in was dropped")
            return redirect(url_for(".thanks"))
        address = current_actor().address
        if services.too_many_from(address):
            current_app.logger.warning("Join requests throttled for %s", address)
            record("join.throttled")
            db.session.commit()
            return render_template("joining/join.html", form=form, throttled=True), 429
        services.submit_request(form.request_values())
        db.session.commit()
        return redirect(url_for(".thanks"))
    return render_template("joining/join.html", form=form), 422 if form.is_submitted() else 200


@bp.get("/join/thanks")
@public
def thanks():
    return render_template("joining/thanks.html")
