"""The swap centre for staff: every listing and conversation's metadata, moderation, the year's figures; and for
admin the categories and the savings factors."""

import re
import unicodedata
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from crm.exchange import conversations, listings, savings
from crm.exchange.blueprint import bp
from crm.exchange.forms import CategoryForm, FactorForm, HideForm, category_choices, show_waste_code
from crm.exchange.models import Conversation, ExchangeCategory, Listing, ListingState, SavingsFactor
from crm.extensions import db
from crm.http import whole_number
from crm.pagination import Page
from crm.security import STAFF_ROLES, Role, roles_required

PER_PAGE = 50


def _year():
    year = request.args.get("year", date.today().year, type=whole_number)
    return year if 2000 <= year <= 2100 else date.today().year


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    state = request.args.get("state", "")
    state = state if state in {s.value for s in ListingState} else ""
    page_number = max(1, request.args.get("page", 1, type=whole_number))
    conditions = [Listing.state == state] if state else []
    total = db.session.scalar(select(func.count(Listing.id)).where(*conditions))
    rows = db.session.scalars(
        select(Listing).where(*conditions).options(joinedload(Listing.company), joinedload(Listing.category))
        .order_by(Listing.created_at.desc(), Listing.id.desc())
        .limit(PER_PAGE).offset((page_number - 1) * PER_PAGE)).all()
    year = _year()
    return render_template("exchange/index.html", page=Page(rows, total, page_number, PER_PAGE), state=state,
                           figures=savings.year_figures(year), year=year,
                           talks=conversations.all_conversations(limit=50))


@bp.get("/listings/<int:listing_id>")
@roles_required(*STAFF_ROLES)
def listing(listing_id):
    found = db.get_or_404(Listing, listing_id)
    talks = conversations.all_conversations_of_listing(found.id)
    return render_template("exchange/listing.html", listing=found, form=HideForm(), talks=talks,
                           waste_code=show_waste_code(found.waste_code))


@bp.post("/listings/<int:listing_id>/hide")
@roles_required(*STAFF_ROLES)
def hide_listing(listing_id):
    found = db.get_or_404(Listing, listing_id)
    if found.state != ListingState.OPEN:
        flash(_("Kun en åben annonce kan skjules."), "error")
        return redirect(url_for(".listing", listing_id=found.id))
    form = HideForm()
    if not form.validate_on_submit():
        return render_template("exchange/listing.html", listing=found, form=form,
                               talks=conversations.all_conversations_of_listing(found.id),
                               waste_code=show_waste_code(found.waste_code)), 422
    listings.hide(found, form.reason.data.strip(), by=current_user)
    db.session.commit()
    flash(_("Annoncen er skjult. Virksomheden ser begrundelsen."), "success")
    return redirect(url_for(".listing", listing_id=found.id))


@bp.post("/listings/<int:listing_id>/show")
@roles_required(*STAFF_ROLES)
def show_listing(listing_id):
    found = db.get_or_404(Listing, listing_id)
    if found.state != ListingState.HIDDEN:
        flash(_("Annoncen er ikke skjult."), "error")
    else:
        listings.unhide(found, by=current_user)
        db.session.commit()
        flash(_("Annoncen vises igen."), "success")
    return redirect(url_for(".listing", listing_id=found.id))


@bp.get("/conversations/<int:conversation_id>")
@roles_required(*STAFF_ROLES)
def conversation(conversation_id):
    talk = db.get_or_404(Conversation, conversation_id)
    return render_template("exchange/conversation.html", talk=talk)


@bp.route("/categories", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def categories():
    form = CategoryForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        try:
            with db.session.begin_nested():
                savings.add_category(name, _slug(name))
        except IntegrityError:
            form.name.errors.append(_("Der findes allerede en kategori med det navn."))
        else:
            db.session.commit()
            flash(_("Kategorien er tilføjet."), "success")
            return redirect(url_for(".categories"))
    return render_template("exchange/categories.html", form=form, categories=listings.categories(active_only=False)
                           ), 422 if form.is_submitted() else 200


def _slug(name):
    ascii_name = unicodedata.normalize("NFKD", name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa"))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.encode("ascii", "ignore").decode()).strip("-")[:40] or "kategori"
    taken = set(db.session.scalars(select(ExchangeCategory.slug).where(ExchangeCategory.slug.startswith(slug))))
    candidate, serial = slug, 1
    while candidate in taken:
        serial += 1
        candidate = f"{slug}-{serial}"
    return candidate


@bp.post("/categories/<int:category_id>/toggle")
@roles_required(Role.ADMIN)
def toggle_category(category_id):
    category = db.get_or_404(ExchangeCategory, category_id)
    category.active = not category.active
    db.session.commit()
    flash(_("Kategorien er åbnet for nye annoncer.") if category.active
          else _("Kategorien er lukket for nye annoncer."), "success")
    return redirect(url_for(".categories"))


@bp.route("/factors", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def factors():
    return _factor_page(None)


@bp.route("/factors/<int:factor_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_factor(factor_id):
    return _factor_page(db.get_or_404(SavingsFactor, factor_id))


def _factor_page(factor):
    form = FactorForm(obj=factor)
    form.category_id.choices = category_choices(listings.categories(active_only=False))
    if factor is not None and not form.is_submitted():
        form.unit.data, form.estimate.data = factor.unit.value, "y" if factor.estimate else "n"
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                savings.save_factor(factor, form.factor_values())
        except IntegrityError:
            form.unit.errors.append(_("Kategorien har allerede en faktor for den enhed; ret den i stedet."))
        else:
            db.session.commit()
            flash(_("Faktoren er gemt."), "success")
            return redirect(url_for(".factors"))
    rows = db.session.scalars(select(SavingsFactor).options(joinedload(SavingsFactor.category))
                              .join(ExchangeCategory).order_by(ExchangeCategory.name, SavingsFactor.unit)).all()
    return render_template("exchange/factors.html", form=form, factor=factor, factors=rows), \
        422 if form.is_submitted() else 200
