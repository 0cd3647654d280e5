"""Conversations in the portal: "interested" opens one, the two companies write, a message can be reported; and
the contacts' choice of the swap centre's mails."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from crm.exchange import conversations, notifications
from crm.exchange.blueprint import portal_bp as bp
from crm.exchange.forms import MailChoicesForm, MessageForm
from crm.exchange.models import Conversation, ListingState, Message
from crm.exchange.portal_views import visible_listing
from crm.extensions import db
from crm.security import Role, not_found_for_company, roles_required

NOT_POSSIBLE = {"own": _l("Det er jeres egen annonce."), "not_open": _l("Annoncen er ikke længere åben."),
                "merged": _l("Samtalen er lukket: begge sider er nu samme virksomhed.")}


def _our_conversation(conversation_id):
    """A conversation the current company is a side of; another's answers 404 and is audited."""
    conversation = conversations.for_company(conversation_id, current_user.company_id)
    if conversation is None:
        not_found_for_company(Conversation, conversation_id)
    return conversation


@bp.post("/listings/<int:listing_id>/interest")
@roles_required(Role.COMPANY)
def interest(listing_id):
    listing = visible_listing(listing_id)
    try:
        conversation = conversations.open_conversation(listing, current_user.company)
    except conversations.NotPossible as refused:
        db.session.rollback()
        flash(str(NOT_POSSIBLE[str(refused)]), "error")
        return redirect(url_for(".show_listing", listing_id=listing.id))
    db.session.commit()
    return redirect(url_for(".conversation", conversation_id=conversation.id))


@bp.get("/conversations")
@roles_required(Role.COMPANY)
def conversation_list():
    return render_template("exchange/portal/conversations.html",
                           conversations=conversations.of_company(current_user.company_id))


@bp.route("/conversations/<int:conversation_id>", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def conversation(conversation_id):
    talk = _our_conversation(conversation_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            conversations.post_message(talk, current_user, form.body.data.strip())
        except conversations.NotPossible as refused:
            db.session.rollback()
            flash(str(NOT_POSSIBLE[str(refused)]), "error")
        else:
            db.session.commit()
            flash(_("Beskeden er sendt."), "success")
        return redirect(url_for(".conversation", conversation_id=talk.id, _anchor="ny-besked"))
    other = talk.company if talk.listing.company_id == current_user.company_id else talk.listing.company
    return render_template("exchange/portal/conversation.html", talk=talk, form=form, other=other,
                           writable=talk.listing.state != ListingState.HIDDEN and not talk.is_with_itself), \
        422 if form.is_submitted() else 200


@bp.post("/conversations/<int:conversation_id>/messages/<int:message_id>/report")
@roles_required(Role.COMPANY)
def report_message(conversation_id, message_id):
    talk = _our_conversation(conversation_id)
    message = db.session.scalars(select(Message).where(Message.id == message_id,
                                                       Message.conversation_id == talk.id)).first()
    if message is None:
        not_found_for_company(Message, message_id)
    conversations.report_message(message, current_user)
    db.session.commit()
    flash(_("Beskeden er meldt til netværkets sekretariat, som nu kan læse den."), "success")
    return redirect(url_for(".conversation", conversation_id=talk.id))


@bp.route("/mail", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def mail_choices():
    company = current_user.company
    contacts = [contact for contact in company.contacts if contact.email]
    form = MailChoicesForm()
    form.set_choices(contacts, notifications.mail_choices(company))
    if form.validate_on_submit():
        notifications.set_mail_choices(company, set(form.messages.data or ()), set(form.digest.data or ()))
        db.session.commit()
        flash(_("Valgene er gemt."), "success")
        return redirect(url_for(".mail_choices"))
    return render_template("exchange/portal/mail.html", form=form, contacts=contacts), \
        422 if form.is_submitted() else 200
