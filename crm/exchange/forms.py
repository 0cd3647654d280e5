"""The swap centre's forms: a listing, closing it, a message, the mail choices, and staff's moderation,
categories and factors."""

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, MultipleFileField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from crm.companies.forms import DanishDecimalField
from crm.companies.importer.danish_dates import EARLIEST_DATE, LATEST_DATE
from crm.exchange.models import ListingKind, ListingState, Unit
from crm.forms import at_most, plain_text, single_line

KIND_LABELS = {ListingKind.OFFER: _l("Tilbydes"), ListingKind.NEED: _l("Søges")}
STATE_LABELS = {ListingState.DRAFT: _l("Kladde"), ListingState.OPEN: _l("Åben"), ListingState.CLOSED: _l("Lukket"),
                ListingState.HIDDEN: _l("Skjult af sekretariatet")}
UNIT_LABELS = {Unit.PIECES: _l("stk."), Unit.KG: _l("kg"), Unit.TONNES: _l("t"), Unit.CUBIC_METRES: _l("m³"),
               Unit.MWH: _l("MWh")}
MAX_QUANTITY = Decimal("1000000000")
#: An EAK/EWC code: three pairs of digits, with or without spaces, and an asterisk for hazardous waste.
WASTE_CODE = re.compile(r"^(\d{2})\s?(\d{2})\s?(\d{2})\s?(\*?)$")


def in_years(form, field):
    """A date the swap centre can mean (not year 1 or 9999)."""
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(_l("Skriv en dato mellem %(first)s og %(last)s.", first=EARLIEST_DATE.year,
                                 last=LATEST_DATE.year))


def normalise_waste_code(text):
    """"15 01 03" -> "150103" ("*" kept for hazardous waste); ValueError if it is not an EAK/EWC code."""
    match = WASTE_CODE.match((text or "").strip())
    if not match or match[1] == "00":
        raise ValueError(text)
    return "".join(match.groups())


def show_waste_code(code):
    """"150103*" -> "15 01 03*"."""
    return f"{code[0:2]} {code[2:4]} {code[4:6]}{code[6:]}" if code else ""


class AmountField(DanishDecimalField):
    """A quantity or factor, shown as Danish writes it ("0,025", "40"), so that it reads back as the same number
    ("40.000" would read as forty thousand), in a text input (a number input refuses the comma)."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal) and self.data.is_finite():
            return format(self.data.normalize(), "f").replace(".", ",")
        return super()._value()


def category_choices(categories):
    return [SelectChoice(c.id, c.name) for c in categories]


QUANTITY_RANGE = NumberRange(min=Decimal("0.001"), max=MAX_QUANTITY,
                             message=_l("Skriv en mængde mellem 0,001 og 1.000.000.000."))


class ListingForm(FlaskForm):
    kind = SelectField(_l("Tilbud eller behov"), default=ListingKind.OFFER.value,
                       choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    category_id = SelectField(_l("Kategori"), coerce=int, validate_choice=True)
    title = StringField(_l("Overskrift"), validators=[DataRequired(_l("Skriv en overskrift.")), at_most(120),
                                                      single_line()])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), at_most(5000), plain_text()])
    quantity = AmountField(_l("Mængde"), places=None,
                                  validators=[DataRequired(_l("Skriv mængden.")), QUANTITY_RANGE])
    unit = SelectField(_l("Enhed"), choices=[SelectChoice(u.value, label) for u, label in UNIT_LABELS.items()],
                       default=Unit.PIECES.value)
    available_from = DateField(_l("Kan hentes fra"), validators=[Optional(), in_years])
    available_to = DateField(_l("Kan hentes til"), validators=[Optional(), in_years])
    place = SelectField(_l("Hvor"), choices=[])
    price = AmountField(_l("Pris i kr. for det hele"), places=None,
                               description=_l("Lad feltet stå tomt, hvis det er gratis."),
                               validators=[Optional(), NumberRange(min=0, max=100_000_000, message=_l(
                                   "Skriv en pris mellem 0 og 100.000.000 kr."))])
    waste_code = StringField(_l("Affaldskode (EAK/EWC)"), description=_l("Hvis det er affald, og koden kendes, "
                                                                        "fx 15 01 03."),
                             validators=[Optional(), at_most(12), single_line()])
    pictures = MultipleFileField(_l("Billeder"), description=_l("Højst 5 billeder i alt, JPEG, PNG eller WebP."))

    def set_choices(self, categories, plots, address):
        self.category_id.choices = category_choices(categories)
        self.place.choices = [SelectChoice("", address or _l("Virksomhedens adresse"))] + [
            SelectChoice(str(p.id), p.address or p.cadastral_number) for p in plots]

    def validate_available_to(self, field):
        if field.data and self.available_from.data and field.data < self.available_from.data:
            raise ValidationError(_l("Slutdatoen må ikke ligge før startdatoen."))

    def validate_waste_code(self, field):
        if field.data:
            try:
                normalise_waste_code(field.data)
            except ValueError:
                raise ValidationError(_l("Skriv affaldskoden som seks cifre, fx 15 01 03 (og * for farligt "
                                         "affald).")) from None

    def listing_values(self):
        return {
            "kind": ListingKind(self.kind.data), "category_id": self.category_id.data,
            "title": self.title.data.strip(), "description": (self.description.data or "").strip(),
            "quantity": self.quantity.data, "unit": Unit(self.unit.data),
            "available_from": self.available_from.data, "available_to": self.available_to.data,
            "plot_id": int(self.place.data) if self.place.data else None,
            "price_ore": None if self.price.data is None else int((self.price.data * 100).to_integral_value()),
            "waste_code": normalise_waste_code(self.waste_code.data) if self.waste_code.data else None,
        }


class CloseForm(FlaskForm):
    counterpart = SelectField(_l("Byttet med"), choices=[])
    quantity = AmountField(_l("Mængde, der faktisk blev flyttet"), places=None,
                                  validators=[DataRequired(_l("Skriv mængden.")), QUANTITY_RANGE])
    exchanged_on = DateField(_l("Dato"), validators=[DataRequired(_l("Skriv datoen.")), in_years])

    def set_choices(self, companies):
        self.counterpart.choices = [SelectChoice(str(c.id), c.name) for c in companies] + [
            SelectChoice("", _l("En virksomhed uden for netværket"))]


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Besked"), validators=[DataRequired(_l("Skriv en besked.")), at_most(5000),
                                                   plain_text()])


class ContactBoxes(SelectMultipleField):
    """One checkbox per contact person (the values are contact ids); the template lays them out in a table."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        """Every box ticked must be one of the company's contacts; refused in Danish otherwise."""
        if self.data and not {value for value, _label in self.choices} >= set(self.data):
            raise ValidationError(_l("Vælg kun blandt jeres kontaktpersoner."))


class MailChoicesForm(FlaskForm):
    """Who of the company's contact persons gets notices of new messages, and who gets the weekly digest."""

    messages = ContactBoxes(_l("Nye beskeder"), coerce=int)
    digest = ContactBoxes(_l("Ugens match"), coerce=int)

    def set_choices(self, contacts, choices):
        """The contacts with an e-mail address as the boxes; on a page not yet sent, ticked as they stand."""
        for field in (self.messages, self.digest):
            field.choices = [(contact.id, contact.name) for contact in contacts]
        if not self.is_submitted():
            self.messages.data = [cid for cid, choice in choices.items() if choice.messages]
            self.digest.data = [cid for cid, choice in choices.items() if choice.digest]

    def boxes(self):
        """{contact id: (messages box, digest box)} for the template's table."""
        return {int(box.data): (box, digest) for box, digest in zip(self.messages, self.digest, strict=True)}


class HideForm(FlaskForm):
    reason = TextAreaField(_l("Begrundelse, som virksomheden ser"),
                           validators=[DataRequired(_l("Skriv en begrundelse.")), at_most(1000), plain_text()])


class CategoryForm(FlaskForm):
    name = StringField(_l("Ny kategori"), validators=[DataRequired(_l("Skriv kategoriens navn.")), at_most(100),
                                                      single_line()])


class FactorForm(FlaskForm):
    category_id = SelectField(_l("Kategori"), coerce=int)
    unit = SelectField(_l("Enhed"), choices=[SelectChoice(u.value, label) for u, label in UNIT_LABELS.items()])
    tonnes_per_unit = AmountField(_l("Ton pr. enhed"), places=None, validators=[
        Optional(),
        NumberRange(min=0, max=1_000_000, message=_l("Skriv et tal mellem 0 og 1.000.000."))])
    co2e_kg_per_unit = AmountField(_l("Kg CO2e undgået pr. enhed"), places=None, validators=[
        Optional(), NumberRange(min=0, max=1_000_000_000, message=_l("Skriv et tal mellem 0 og 1.000.000.000."))])
    source = TextAreaField(_l("Kilde"), validators=[DataRequired(_l("Skriv kilden.")), at_most(2000), plain_text()])
    estimate = SelectField(_l("Tallet er"), choices=[SelectChoice("y", _l("Et skøn ud fra kilden")),
                                                     SelectChoice("n", _l("Læst direkte i kilden"))])

    def factor_values(self):
        return {"category_id": self.category_id.data, "unit": Unit(self.unit.data),
                "tonnes_per_unit": self.tonnes_per_unit.data or Decimal(0),
                "co2e_kg_per_unit": self.co2e_kg_per_unit.data or Decimal(0),
                "source": self.source.data.strip(), "estimate": self.estimate.data == "y"}
