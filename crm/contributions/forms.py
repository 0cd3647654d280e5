"""Forms of the contributions area. Amounts are typed in kroner the Danish way (1.250,50) and kept in øre."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from crm.companies.importer import parse_danish_number
from crm.contributions.calculation import Tier
from crm.contributions.models import AdjustmentKind, TenantSplit, TierBasis
from crm.cvr import InvalidNumber, normalise_cvr

BASIS_LABELS = {TierBasis.NONE: _l("Ingen trin"), TierBasis.EMPLOYEES: _l("Antal ansatte"),
                TierBasis.AREA: _l("Grundareal (m²)")}
SPLIT_LABELS = {TenantSplit.AREA: _l("efter lejernes areal"), TenantSplit.EQUAL: _l("ligeligt")}
ADJUSTMENT_LABELS = {AdjustmentKind.WAIVER: _l("Fritagelse"), AdjustmentKind.DISCOUNT: _l("Rabat")}


#: The largest amount typed anywhere in the area: far above any contribution, and it catches a typo of "000".
MAX_KRONER = 10_000_000


def kroner_to_ore(text, *, required=True):
    """Kroner as typed ("2.000", "1.250,50") in øre; ValueError with a Danish message for anything else."""
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
    name = StringField(_l("Navn på scenariet"), validators=[DataRequired(_l("Skriv et navn.")), Length(max=200)])
    year = IntegerField(_l("År"), validators=[InputRequired(_l("Skriv året.")), NumberRange(2000, 2100)])
    base = KronerField(_l("Grundbidrag pr. virksomhed (kr.)"))
    tier_basis = SelectField(_l("Trin efter"), choices=[SelectChoice(b.value, label)
                                                        for b, label in BASIS_LABELS.items()])
    tiers = TextAreaField(  # no Optional(): validate_tiers always runs, and asks for tiers when a basis is chosen
        _l("Trin"), validators=[Length(max=5000)],
        description=_l("Ét trin pr. linje: fra; til under; beløb i kr. Sidste trin uden «til». "
                       "Fx 0; 10; 1.000 og 10; ; 3.000"))
    split_plots = BooleanField(_l("Fordel grundens beløb mellem grundejer og lejere (kun trin efter areal)"))
    owner_share_pct = IntegerField(_l("Grundejerens andel (%)"), default=100,
                                   validators=[InputRequired(_l("Skriv en andel.")), NumberRange(0, 100)])
    tenant_split = SelectField(_l("Lejernes andel fordeles"), choices=[SelectChoice(s.value, label)
                                                                        for s, label in SPLIT_LABELS.items()])
    minimum = KronerField(_l("Mindste bidrag (kr.)"), required=False)
    maximum = KronerField(_l("Højeste bidrag (kr.)"), required=False)
    vat = BooleanField(_l("Læg 25 % moms på"), default=True)
    prorate = BooleanField(_l("Forholdsmæssigt pr. måned for virksomheder, der melder sig ind i årets løb"),
                           default=True)
    due_days = IntegerField(_l("Betalingsfrist (dage)"), default=30, validators=[InputRequired(), NumberRange(1, 365)])
    reminder_1_days = IntegerField(_l("Første påmindelse, dage efter forfald"), default=14,
                                   validators=[InputRequired(), NumberRange(1, 365)])
    reminder_2_days = IntegerField(_l("Anden påmindelse, dage efter forfald"), default=28,
                                   validators=[InputRequired(), NumberRange(1, 365)])

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
                "minimum_ore": self.minimum.ore, "maximum_ore": self.maximum.ore, "vat": self.vat.data,
                "prorate": self.prorate.data, "due_days": self.due_days.data,
                "reminder_1_days": self.reminder_1_days.data, "reminder_2_days": self.reminder_2_days.data}

    def fill_from(self, scheme):
        for field in ("name", "year", "split_plots", "owner_share_pct", "vat", "prorate", "due_days",
                      "reminder_1_days", "reminder_2_days"):
            getattr(self, field).data = getattr(scheme, field)
        self.tier_basis.data, self.tenant_split.data = scheme.tier_basis.value, scheme.tenant_split.value
        self.base.data, self.minimum.data = ore_as_kroner(scheme.base_ore), ore_as_kroner(scheme.minimum_ore)
        self.maximum.data = ore_as_kroner(scheme.maximum_ore)
        self.tiers.data = "\n".join(
            f"{danish_whole(tier.lower)}; {'' if tier.upper is None else danish_whole(tier.upper)}; "
            f"{ore_as_kroner(tier.amount_ore)}" for tier in scheme.tiers)


class AdjustmentForm(FlaskForm):
    cvr = StringField(_l("CVR-nummer"), validators=[DataRequired(_l("Skriv et CVR-nummer."))])
    kind = SelectField(_l("Art"), choices=[SelectChoice(k.value, label) for k, label in ADJUSTMENT_LABELS.items()])
    percent = IntegerField(_l("Rabat (%)"), default=100, validators=[Optional(), NumberRange(1, 100)])
    reason = StringField(_l("Begrundelse"), validators=[DataRequired(_l("Skriv en begrundelse.")), Length(max=300)])

    def validate_cvr(self, field):
        try:
            field.data = normalise_cvr(field.data)
        except InvalidNumber as error:
            raise ValidationError(str(error)) from None

    def validate_percent(self, field):
        if self.kind.data == AdjustmentKind.DISCOUNT and not field.data:
            raise ValidationError(_l("Skriv rabatten i procent."))


class BillingForm(FlaskForm):
    year = IntegerField(_l("År"), validators=[InputRequired(_l("Skriv året.")), NumberRange(2000, 2100)])


class PaymentForm(FlaskForm):
    amount = KronerField(_l("Beløb (kr.)"))
    paid_on = DateField(_l("Betalt den"), validators=[InputRequired(_l("Skriv datoen for betalingen."))])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=200)])

    def validate_amount(self, field):
        if field.ore == 0:
            raise ValidationError(_l("Beløbet skal være større end 0."))


class ReasonForm(FlaskForm):
    reason = StringField(_l("Begrundelse"), validators=[DataRequired(_l("Skriv en begrundelse.")), Length(max=300)])
