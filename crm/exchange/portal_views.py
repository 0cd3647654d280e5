"""The swap centre in the portal: the network's open listings, a company's own listings, writing and closing."""

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from crm.companies.models import Company, Plot, Tenancy
from crm.exchange import listings, places, savings
from crm.exchange.blueprint import portal_bp as bp
from crm.exchange.forms import CloseForm, ListingForm, show_waste_code
from crm.exchange.models import Conversation, Listing, ListingKind, ListingPicture, ListingState
from crm.exchange.pictures import MAX_PICTURE_BYTES, PictureRefused
from crm.extensions import db
from crm.http import whole_number
from crm.security import Role, not_found_for_company, roles_required


def listing_position(listing):
    """Where the listing's goods are on the estate: its plot's address, else its company's."""
    return places.position(listing.plot.address if listing.plot else listing.company.street)


def _own_listing(listing_id):
    """The current company's listing, in any state; another's answers 404 and is audited."""
    listing = db.session.scalars(select(Listing).where(Listing.id == listing_id,
                                                       Listing.company_id == current_user.company_id)).first()
    if listing is None:
        not_found_for_company(Listing, listing_id)
    return listing


def visible_listing(listing_id):
    """An open listing of the network, or one of the company's own."""
    listing = db.session.scalars(select(Listing).where(
        Listing.id == listing_id,
        or_(Listing.company_id == current_user.company_id, Listing.state == ListingState.OPEN))).first()
    if listing is None:
        not_found_for_company(Listing, listing_id)
    return listing


def _plots_of(company_id):
    """The plots the company owns or rents, for "where"."""
    return db.session.scalars(
        select(Plot).where(or_(Plot.owner_id == company_id,
                               Plot.id.in_(select(Tenancy.plot_id).where(Tenancy.company_id == company_id))))
        .order_by(Plot.address, Plot.id)).all()


def _listing_form(listing=None):
    company = current_user.company
    form = ListingForm(obj=listing)
    categories = listings.categories()
    if listing is not None and listing.category not in categories:
        categories = [*categories, listing.category]
    form.set_choices(categories, _plots_of(company.id), company.street)
    if listing is not None and not form.is_submitted():
        form.place.data = str(listing.plot_id or "")
        form.price.data = None if listing.price_ore is None else Decimal(listing.price_ore) / 100
        form.waste_code.data = show_waste_code(listing.waste_code)
        form.kind.data, form.unit.data = listing.kind.value, listing.unit.value
    return form


def _uploads():
    """[(bytes, filename)] of the chosen pictures, each read at most one byte past the limit."""
    return [(upload.read(MAX_PICTURE_BYTES + 1), upload.filename or "")
            for upload in request.files.getlist("pictures") if upload and upload.filename]


def _save(listing, form):
    """Save the form (and its pictures) or put the refusal on the form; the saved listing or None."""
    publish = bool(request.form.get("publish"))
    saved = listings.save_listing(listing, current_user.company, form.listing_values(), current_user, publish)
    try:
        listings.add_pictures(saved, _uploads())
    except PictureRefused as refused:
        db.session.rollback()
        form.pictures.errors = [str(refused)]
        return None
    db.session.commit()
    flash(_("Annoncen er offentliggjort.") if saved.state == ListingState.OPEN else _("Annoncen er gemt som kladde."),
          "success")
    return saved


@bp.get("/")
@roles_required(Role.COMPANY)
def index():
    words = request.args.get("q", "")[:200]
    category_id = request.args.get("category", None, type=whole_number)
    kind = request.args.get("kind", "")
    kind = kind if kind in {k.value for k in ListingKind} else ""
    # The company before the listings: the same statements whether or not a listing on the page is its own.
    here = places.position(current_user.company.street)
    page = listings.search_open(words, category_id, kind or None, request.args.get("page", 1, type=whole_number))
    distances = {listing.id: places.distance_km(here, listing_position(listing)) for listing, _pic in page.items}
    return render_template(
        "exchange/portal/index.html", page=page, words=words, category_id=category_id, kind=kind,
        categories=listings.categories(active_only=False), distances=distances,
        matches=listings.matches_for_company(current_user.company_id, limit=10),
        own=listings.company_listings(current_user.company_id))


@bp.route("/listings/new", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def new_listing():
    form = _listing_form()
    if form.validate_on_submit():
        saved = _save(None, form)
        if saved is not None:
            return redirect(url_for(".show_listing", listing_id=saved.id))
    return render_template("exchange/portal/form.html", form=form, listing=None), 422 if form.is_submitted() else 200


@bp.get("/listings/<int:listing_id>")
@roles_required(Role.COMPANY)
def show_listing(listing_id):
    listing = visible_listing(listing_id)
    own = listing.company_id == current_user.company_id
    distance = None if own else places.distance_km(places.position(current_user.company.street),
                                                   listing_position(listing))
    talks = db.session.scalars(select(Conversation).where(Conversation.listing_id == listing.id)
                               .order_by(Conversation.id)).all()
    mine = next((c for c in talks if c.company_id == current_user.company_id), None)
    factor = savings.factor_for(listing.category_id, listing.unit)
    return render_template("exchange/portal/show.html", listing=listing, own=own, distance=distance,
                           talks=talks if own else [], mine=mine, factor=factor,
                           waste_code=show_waste_code(listing.waste_code))


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def edit_listing(listing_id):
    listing = _own_listing(listing_id)
    if listing.state in (ListingState.CLOSED, ListingState.HIDDEN):
        flash(_("En lukket eller skjult annonce kan ikke ændres."), "error")
        return redirect(url_for(".show_listing", listing_id=listing.id))
    form = _listing_form(listing)
    if form.validate_on_submit():
        saved = _save(listing, form)
        if saved is not None:
            return redirect(url_for(".show_listing", listing_id=saved.id))
    return render_template("exchange/portal/form.html", form=form, listing=listing), 422 if form.is_submitted() else 200


@bp.post("/listings/<int:listing_id>/pictures/<int:picture_id>/delete")
@roles_required(Role.COMPANY)
def delete_picture(listing_id, picture_id):
    listing = _own_listing(listing_id)
    picture = next((p for p in listing.pictures if p.id == picture_id), None)
    if picture is None:
        not_found_for_company(ListingPicture, picture_id)
    listings.remove_picture(picture)
    db.session.commit()
    flash(_("Billedet er fjernet."), "success")
    return redirect(url_for(".edit_listing", listing_id=listing.id))


@bp.get("/pictures/<int:picture_id>")
@roles_required(Role.COMPANY, Role.STAFF, Role.ADMIN)
def picture(picture_id):
    statement = select(ListingPicture).join(Listing).where(ListingPicture.id == picture_id)
    if not current_user.is_staff:
        statement = statement.where(or_(Listing.company_id == current_user.company_id,
                                        Listing.state == ListingState.OPEN))
    found = db.session.scalars(statement).first()
    if found is None:
        not_found_for_company(ListingPicture, picture_id)
    return found.data, 200, {"Content-Type": found.content_type, "Content-Disposition": "inline",
                             "Cache-Control": "private, max-age=3600"}


@bp.post("/listings/<int:listing_id>/withdraw")
@roles_required(Role.COMPANY)
def withdraw_listing(listing_id):
    listing = _own_listing(listing_id)
    if listing.state not in (ListingState.DRAFT, ListingState.OPEN):
        abort(409)
    listings.withdraw(listing)
    db.session.commit()
    flash(_("Annoncen er lukket."), "success")
    return redirect(url_for(".show_listing", listing_id=listing.id))


@bp.route("/listings/<int:listing_id>/close", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def close_listing(listing_id):
    listing = _own_listing(listing_id)
    if listing.state != ListingState.OPEN:
        flash(_("Kun en åben annonce kan lukkes som byttet."), "error")
        return redirect(url_for(".show_listing", listing_id=listing.id))
    counterparts = db.session.scalars(select(Company).join(Conversation, Conversation.company_id == Company.id)
                                      .where(Conversation.listing_id == listing.id, Company.id != listing.company_id)
                                      .order_by(Company.name)).all()
    form = CloseForm()
    form.set_choices(counterparts)
    if request.method == "GET":
        form.quantity.data = listing.quantity
    if form.validate_on_submit():
        counterpart = int(form.counterpart.data) if form.counterpart.data else None
        result = savings.close_as_exchanged(listing, counterpart, form.quantity.data, form.exchanged_on.data)
        db.session.commit()
        flash(_("Annoncen er lukket som byttet.") + " " + (
            _("Ingen CO2e-faktor for kategorien og enheden: kun tonnagen tælles.") if result.co2e_kg is None
            else _("Besparelsen er beregnet.")), "success")
        return redirect(url_for(".show_listing", listing_id=listing.id))
    return render_template("exchange/portal/close.html", listing=listing, form=form), \
        422 if form.is_submitted() else 200

