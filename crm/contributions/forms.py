"""Forms of the contributions area. Amounts are typed in kroner the Danish way (1.250,50) and kept in øre.

Whatever is typed or sent, a field answers with a form error in Danish (WTForms' own messages are English), never
a server error: numbers are ASCII digits within what the database holds, and texts carry no control characters.
"""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from crm.companies.importer import parse_danish_number
from crm.contributions.calculation import Tier
from crm.contributions.models import AdjustmentKind, ContributionState, TenantSplit, TierBasis, UnpaidShare
from crm.cvr import InvalidNumber, normalise_cvr
from crm.forms import ChoiceField, DayField

BASIS_LABELS = {TierBasis.NONE: _l("Ingen trin"), TierBasis.EMPLOYEES: _l("Antal ansatte"),
                TierBasis.AREA: _l("Grundareal (m²)")}
SPLIT_LABELS = {TenantSplit.AREA: _l("efter lejernes areal"), TenantSplit.EQUAL: _l("ligeligt")}
UNPAID_LABELS = {UnpaidShare.REDISTRIBUTE: _l("fordeles mellem de betalende lejere"),
                 UnpaidShare.OWNER: _l("betales af grundejeren"), UnpaidShare.NONE: _l("opkræves ikke")}
ADJUSTMENT_LABELS = {AdjustmentKind.WAIVER: _l("Fritagelse"), AdjustmentKind.DISCOUNT: _l("Rabat")}
#: "sent" means issued: billed and handed to the outbox. Whether the mail went is the outbox's to say (delivery_states).
STATE_LABELS = {
    ContributionState.DRAFT: _l("Kladde (ikke sendt)"), ContributionState.SENT: _l("Faktureret"),
    ContributionState.PARTLY_PAID: _l("Delvist betalt"), ContributionState.PAID: _l("Betalt"),
    ContributionState.OVERDUE: _l("Forfalden"), ContributionState.CREDITED: _l("Krediteret"),
    ContributionState.WAIVED: _l("Fritaget"),
}


#: The largest amount typed anywhere in the area: far above any contribution, and it catches a typo of "000".
MAX_KRONER = 10_000_000
#: The largest tier bound (employees or m²): far above the whole area (about 3 million m²), within a database INTEGER.
MAX_TIER_BOUND = 1_000_000_000

YEAR_MESSAGE = _l("Skriv året som et helt tal mellem 2000 og 2100.")
DAYS_MESSAGE = _l("Skriv et helt antal dage mellem 1 og 365.")
_CONTROL_MESSAGE = _l("Feltet indeholder et usynligt styretegn (fx et linjeskift eller et nul-tegn). Skriv teksten "
                      "igen uden det.")


def _is_control(char, multiline):
    return char not in ("\r\n\t" if multiline else "") and unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def has_control_characters(text, *, multiline=False):
    """True when the text holds a character no one types on purpose: control characters (NUL, CR, LF...), line and
    paragraph separators; with multiline, CR, LF and tab are allowed."""
    return any(_is_control(char, multiline) for char in text or "")


def refuse_control_characters(field, *, multiline=False):
    """StopValidation in Danish when the field's text holds control characters; the form is shown again with each
    of them as a space (a NUL is not sent back to the browser), the rest as typed."""
    if isinstance(field.data, str) and has_control_characters(field.data, multiline=multiline):
        field.data = "".join(" " if _is_control(char, multiline) else char for char in field.data)
        raise StopValidation(_CONTROL_MESSAGE)


class PlainText:
    """A validator: refuse control characters (on one line, or in a text of several lines)."""

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, form, field):
        refuse_control_characters(field, multiline=self.multiline)


class WholeNumberField(IntegerField):
    """A whole number of ASCII digits between minimum and maximum; one Danish message for anything else (empty
    too, unless optional)."""

    def __init__(self, label=None, *, minimum, maximum, message, optional=False, **kwargs):
        validators = [Optional()] if optional else [InputRequired(message)]
        super().__init__(label, validators=[*validators, NumberRange(minimum, maximum, message)], **kwargs)
        self.message = message
        self.type = "IntegerField"

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip() if isinstance(valuelist[0], str) else str(valuelist[0])
        if not text:
            self.data = None
            return
        if not re.fullmatch(r"-?[0-9]{1,12}", text):
            self.data = None
            raise ValueError(self.message)
        self.data = int(text)

    def _value(self):
        shown = super()._value()
        return "".join(" " if _is_control(char, False) else char for char in str(shown))

    def pre_validate(self, form):
        if self.process_errors:
            self.process_errors = []
            self.errors = [self.message]
            raise StopValidation()


def kroner_to_ore(text, *, required=True):
    """Kroner as typed ("2.000", "1.250,50") in øre; ValueError with a Danish message for anything else."""
    if isinstance(text, str) and has_control_characters(text):
        raise ValueError(_CONTROL_MESSAGE)
    try:
        value = parse_danish_number(text)
    except ValueError as error:
        raise ValueError(str(error)) from None
    if value is None:
        if required:
            raise ValueError(_l("Skriv et beløb."))
        return None
    if value < 0:
        raise ValueError(_l("Beløbet kan ikke være negativt."))
    if value > MAX_KRONER:
        raise ValueError(_l("Beløbet er for stort (højst %(max)s kr.).", max="10.000.000"))
    ore = value * 100
    if ore != ore.to_integral_value():
        raise ValueError(_l("Højst to decimaler (øre)."))
    return int(ore)


class KronerField(StringField):
    """An amount in kroner; .ore holds it in øre after validation (None when optional and empty)."""

    def __init__(self, label=None, required=True, **kwargs):
        super().__init__(label, **kwargs)
        self.required = required
        self.ore = None

    def pre_validate(self, form):
        refuse_control_characters(self)
        try:
            self.ore = kroner_to_ore(self.data, required=self.required)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def danish_whole(number):
    """A whole number as a Danish form shows it and reads it back: 5.000, 1.250.000."""
    return f"{number:,d}".replace(",", ".")


def ore_as_kroner(ore):
    """øre as a form shows them for editing, the way they are typed and read back: 2.000, 2.500,50 or 0,05."""
    if ore is None:
        return ""
    kroner, rest = divmod(ore, 100)
    return danish_whole(kroner) + (f",{rest:02d}" if rest else "")


class SchemeForm(FlaskForm):
    name = StringField(_l("Navn på scenariet"),
                       validators=[PlainText(), DataRequired(_l("Skriv et navn.")), Length(max=200)])
    year = WholeNumberField(_l("År"), minimum=2000, maximum=2100, message=YEAR_MESSAGE)
    base = KronerField(_l("Grundbidrag pr. virksomhed (kr.)"))
    tier_basis = ChoiceField(_l("Trin efter"), choices=[SelectChoice(b.value, label)
                                                        for b, label in BASIS_LABELS.items()])
    tiers = TextAreaField(  # no Optional(): validate_tiers always runs, and asks for tiers when a basis is chosen
        _l("Trin"), validators=[PlainText(multiline=True), Length(max=5000)],
        description=_l("Ét trin pr. linje: fra; til under; beløb i kr. Sidste trin uden «til». "
                       "Fx 0; 10; 1.000 og 10; ; 3.000"))
    split_plots = BooleanField(_l("Fordel grundens beløb mellem grundejer og lejere (kun trin efter areal)"))
    owner_share_pct = WholeNumberField(_l("Grundejerens andel (%)"), default=100, minimum=0, maximum=100,
                                       message=_l("Skriv en andel mellem 0 og 100 (procent)."))
    tenant_split = ChoiceField(_l("Lejernes andel fordeles"), choices=[SelectChoice(s.value, label)
                                                                        for s, label in SPLIT_LABELS.items()])
    unpaid_share = ChoiceField(
        _l("En lejer, der ikke er betalende medlem: lejerens andel"),
        choices=[SelectChoice(u.value, label) for u, label in UNPAID_LABELS.items()],
        default=UnpaidShare.REDISTRIBUTE.value,
        description=_l("Fordeles andelen mellem de betalende lejere, og betaler ingen af dem, betaler grundejeren."))
    minimum = KronerField(_l("Mindste bidrag (kr.)"), required=False)
    maximum = KronerField(_l("Højeste bidrag (kr.)"), required=False)
    vat = BooleanField(_l("Læg 25 % moms på"), default=True)
    prorate = BooleanField(_l("Forholdsmæssigt pr. måned for virksomheder, der melder sig ind i årets løb"),
                           default=True)
    proposed = BooleanField(_l("Vis i portalen som den foreslåede ordning for året, indtil en ordning er vedtaget"))
    due_days = WholeNumberField(_l("Betalingsfrist (dage)"), default=30, minimum=1, maximum=365, message=DAYS_MESSAGE)
    reminder_1_days = WholeNumberField(_l("Første påmindelse, dage efter forfald"), default=14, minimum=1,
                                       maximum=365, message=DAYS_MESSAGE)
    reminder_2_days = WholeNumberField(_l("Anden påmindelse, dage efter forfald"), default=28, minimum=1,
                                       maximum=365, message=DAYS_MESSAGE)

    def validate_tiers(self, field):
        field.parsed = []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            cells = [cell.strip() for cell in line.split(";")]
            if len(cells) != 3:
                raise ValidationError(_l("Linje %(n)s: skriv fra; til; beløb.", n=number))
            try:
                lower = parse_danish_number(cells[0], integer=True)
                upper = parse_danish_number(cells[1], integer=True)
                amount = kroner_to_ore(cells[2])
            except ValueError as error:
                raise ValidationError(_l("Linje %(n)s: %(error)s", n=number, error=error)) from None
            if lower is None:
                raise ValidationError(_l("Linje %(n)s: skriv hvor trinnet begynder.", n=number))
            if any(bound is not None and abs(bound) > MAX_TIER_BOUND for bound in (lower, upper)):
                raise ValidationError(_l("Linje %(n)s: tallet er for stort (højst %(max)s).", n=number,
                                         max=danish_whole(MAX_TIER_BOUND)))
            field.parsed.append(Tier(lower, upper, amount))
        if self.tier_basis.data != TierBasis.NONE and not field.parsed:
            raise ValidationError(_l("Skriv mindst ét trin, eller vælg «Ingen trin»."))

    def validate_maximum(self, field):
        if field.ore is not None and self.minimum.ore is not None and field.ore < self.minimum.ore:
            raise ValidationError(_l("Højeste bidrag er mindre end mindste bidrag."))

    def values(self):
        return {"year": self.year.data, "name": self.name.data.strip(), "base_ore": self.base.ore,
                "tier_basis": TierBasis(self.tier_basis.data), "split_plots": self.split_plots.data,
                "owner_share_pct": self.owner_share_pct.data, "tenant_split": TenantSplit(self.tenant_split.data),
                "unpaid_share": UnpaidShare(self.unpaid_share.data),
                "minimum_ore": self.minimum.ore, "maximum_ore": self.maximum.ore, "vat": self.vat.data,
                "prorate": self.prorate.data, "due_days": self.due_days.data,
                "reminder_1_days": self.reminder_1_days.data, "reminder_2_days": self.reminder_2_days.data,
                "proposed": self.proposed.data}

    def fill_from(self, scheme):
        for field in ("name", "year", "split_plots", "owner_share_pct", "vat", "prorate", "due_days",
                      "reminder_1_days", "reminder_2_days", "proposed"):
            getattr(self, field).data = getattr(scheme, field)
        self.tier_basis.data, self.tenant_split.data = scheme.tier_basis.value, scheme.tenant_split.value
        self.unpaid_share.data = scheme.unpaid_share.value
        self.base.data, self.minimum.data = ore_as_kroner(scheme.base_ore), ore_as_kroner(scheme.minimum_ore)
        self.maximum.data = ore_as_kroner(scheme.maximum_ore)
        self.tiers.data = "\n".join(
            f"{danish_whole(tier.lower)}; {'' if tier.upper is None else danish_whole(tier.upper)}; "
            f"{ore_as_kroner(tier.amount_ore)}" for tier in scheme.tiers)


class AdjustmentForm(FlaskForm):
    cvr = StringField(_l("CVR-nummer"), validators=[PlainText(), DataRequired(_l("Skriv et CVR-nummer."))])
    kind = ChoiceField(_l("Art"), choices=[SelectChoice(k.value, label) for k, label in ADJUSTMENT_LABELS.items()])
    percent = WholeNumberField(_l("Rabat (%)"), default=100, minimum=1, maximum=100, optional=True,
                               message=_l("Skriv rabatten som et helt tal mellem 1 og 100 (procent)."))
    reason = StringField(_l("Begrundelse"),
                         validators=[PlainText(), DataRequired(_l("Skriv en begrundelse.")), Length(max=300)])

    def validate_cvr(self, field):
        if not re.fullmatch(r"[0-9A-Za-z .\-]+", field.data or ""):  # "²" passes str.isdigit()
            raise ValidationError(_l("Skriv CVR-nummeret med 8 cifre, fx 29188548."))
        try:
            field.data = normalise_cvr(field.data)
        except InvalidNumber as error:
            raise ValidationError(str(error)) from None

    def validate_percent(self, field):
        if self.kind.data == AdjustmentKind.DISCOUNT and not field.data:
            raise ValidationError(_l("Skriv rabatten i procent."))


class BillingForm(FlaskForm):
    year = WholeNumberField(_l("År"), minimum=2000, maximum=2100, message=YEAR_MESSAGE)


class PaymentForm(FlaskForm):
    amount = KronerField(_l("Beløb (kr.)"))
    paid_on = DayField(_l("Betalt den"), validators=[InputRequired(_l("Skriv datoen for betalingen."))])
    reference = StringField(_l("Reference"), validators=[Optional(), PlainText(), Length(max=200)])

    def validate_amount(self, field):
        if field.ore == 0:
            raise ValidationError(_l("Beløbet skal være større end 0."))


class ReasonForm(FlaskForm):
    reason = StringField(_l("Begrundelse"),
                         validators=[PlainText(), DataRequired(_l("Skriv en begrundelse.")), Length(max=300)])
