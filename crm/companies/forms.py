"""Forms of the company register."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional, ValidationError

from crm.companies.importer import parse_danish_number
from crm.companies.importer.danish_dates import EARLIEST_DATE, LATEST_DATE
from crm.companies.importer.rows import MAX_AREA_M2, MAX_EMPLOYEES
from crm.companies.models import ActivityKind, CompanyRole, CompanyStatus, LawfulBasis
from crm.cvr import normalise_cvr, normalise_ean, normalise_p_number
from crm.forms import normalised_with, plain_text, single_line

ROLE_LABELS = {CompanyRole.OWNER: _l("Ejer"), CompanyRole.TENANT: _l("Lejer"), CompanyRole.BOTH: _l("Ejer og lejer")}
STATUS_LABELS = {CompanyStatus.INVITED: _l("Inviteret"), CompanyStatus.MEMBER: _l("Medlem"),
                 CompanyStatus.LEFT: _l("Fraflyttet")}
ACTIVITY_LABELS = {ActivityKind.NOTE: _l("Note"), ActivityKind.CALL: _l("Opkald"), ActivityKind.VISIT: _l("Besøg"),
                   ActivityKind.EMAIL: _l("Mail"), ActivityKind.MEETING: _l("Møde"),
                   ActivityKind.CHANGE: _l("Ændring")}
#: Names, titles and phone numbers reach mail headers and list lines: one line each.
NAME_ON_ONE_LINE = _l("Navnet skal stå på én linje, uden linjeskift, tabulatorer og andre styretegn.")
TITLE_ON_ONE_LINE = _l("Stillingen skal stå på én linje, uden linjeskift, tabulatorer og andre styretegn.")
PHONE_ON_ONE_LINE = _l("Telefonnummeret skal stå på én linje, uden linjeskift, tabulatorer og andre styretegn.")
BASIS_LABELS = {
    LawfulBasis.LEGITIMATE_INTEREST: _l("Legitim interesse (netværkets arbejde)"),
    LawfulBasis.CONSENT: _l("Samtykke"),
    LawfulBasis.CONTRACT: _l("Aftale"),
    LawfulBasis.PUBLIC_TASK: _l("Myndighedsopgave"),
}


class DanishDecimalField(DecimalField):
    """A decimal field that also takes Danish notation: 12.500,5."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_danish_number(valuelist[0])
        except ValueError as error:
            self.data = None
            raise ValueError(str(error)) from None


class TagsField(StringField):
    """The company's tags as the comma-separated text the form shows. Filled from a company, it reads its tags
    (CompanyTag rows), so a post without the field keeps them, as every other absent field keeps its value."""

    def process_data(self, value):
        if value is not None and not isinstance(value, str):
            value = ", ".join(getattr(tag, "tag", tag) for tag in value)
        super().process_data(value)


def _in_the_registers_years(form, field):
    """A date the register can mean: 0001-01-01 and 9999-12-31 are typing errors or probes, not dates."""
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(_l("Skriv en dato mellem %(first)s og %(last)s.", first=EARLIEST_DATE.year,
                                 last=LATEST_DATE.year))


EMPLOYEES_RANGE = NumberRange(min=0, max=MAX_EMPLOYEES, message=_l("Skriv et helt tal mellem 0 og 1.000.000."))
AREA_RANGE = NumberRange(min=0, max=MAX_AREA_M2, message=_l("Skriv et areal mellem 0 og 10.000.000 m²."))


class CompanyForm(FlaskForm):
    cvr = StringField(_l("CVR-nummer"), description=_l("8 cifre, fx 12345678 eller DK 12 34 56 78."),
                      validators=[DataRequired(_l("Skriv virksomhedens CVR-nummer.")), normalised_with(normalise_cvr)])
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv virksomhedens navn.")), Length(max=200),
                                               single_line(NAME_ON_ONE_LINE)])
    street = StringField(_l("Adresse"), validators=[Optional(), Length(max=200), single_line()])
    postal_code = StringField(_l("Postnummer"), validators=[Optional(), Length(max=10), single_line()])
    city = StringField(_l("By"), validators=[Optional(), Length(max=100), single_line()])
    role = SelectField(_l("Ejer eller lejer"),
                       choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
                       default=CompanyRole.TENANT.value)
    status = SelectField(_l("Status i netværket"),
                         choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
                         default=CompanyStatus.INVITED.value)
    employees = IntegerField(_l("Antal ansatte"), validators=[Optional(), EMPLOYEES_RANGE])
    area_m2 = DanishDecimalField(_l("Grundareal (m²)"), places=2, validators=[Optional(), AREA_RANGE])
    industry = StringField(_l("Branche"), validators=[Optional(), Length(max=200), single_line()])
    p_number = StringField(_l("P-nummer"), validators=[Optional(), normalised_with(normalise_p_number)])
    ean = StringField(_l("EAN-nummer"), description=_l("Til elektroniske fakturaer, 13 cifre."),
                      validators=[Optional(), normalised_with(normalise_ean)])
    website = StringField(_l("Hjemmeside"), validators=[
        Optional(), Length(max=300), single_line(),
        URL(require_tld=True, message=_l("Skriv en hel adresse, fx https://firma.dk"))])
    joined_on = DateField(_l("Med i netværket siden"), validators=[Optional(), _in_the_registers_years])
    advertising_protected = BooleanField(_l("Reklamebeskyttet"))
    tags = TagsField(_l("Mærker"), description=_l("Adskil med komma, fx affald, energi."),
                       validators=[Optional(), Length(max=500), single_line()])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), Length(max=5000), plain_text()])

    def company_values(self):
        values = {name: self[name].data for name in (
            "cvr", "name", "street", "postal_code", "city", "role", "status", "employees", "area_m2", "industry",
            "p_number", "ean", "website", "joined_on", "advertising_protected", "description")}
        values["role"] = CompanyRole(values["role"])
        values["status"] = CompanyStatus(values["status"])
        for key in ("street", "postal_code", "city", "industry", "website", "description"):
            values[key] = (values[key] or "").strip()
        for key in ("p_number", "ean"):
            values[key] = values[key] or None
        return values


class ContactForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv personens navn.")), Length(max=200),
                                               single_line(NAME_ON_ONE_LINE)])
    title = StringField(_l("Stilling"), validators=[Optional(), Length(max=200), single_line(TITLE_ON_ONE_LINE)])
    email = EmailField(_l("E-mail"), validators=[
        Optional(), Length(max=254), Email(_l("Skriv en gyldig e-mail."), check_deliverability=False)])
    phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=50), single_line(PHONE_ON_ONE_LINE)])
    is_primary = BooleanField(_l("Primær kontaktperson (får invitationer og referater)"))
    receives_meeting_mail = BooleanField(_l("Får også invitationer og referater"))
    may_sign = BooleanField(_l("Må skrive under for virksomheden (partnerskabsaftalen, udmeldelse)"))
    lawful_basis = SelectField(_l("Grundlag for at registrere personen"),
                               choices=[SelectChoice(b.value, label) for b, label in BASIS_LABELS.items()],
                               default=LawfulBasis.LEGITIMATE_INTEREST.value)
    newsletter_consent = BooleanField(_l("Har givet samtykke til nyhedsbrevet"))

    def contact_values(self):
        return {
            "name": self.name.data.strip(), "title": (self.title.data or "").strip(), "email": self.email.data,
            "phone": (self.phone.data or "").strip(), "is_primary": self.is_primary.data,
            "receives_meeting_mail": self.receives_meeting_mail.data, "may_sign": self.may_sign.data,
            "lawful_basis": LawfulBasis(self.lawful_basis.data),
            "newsletter_consent": self.newsletter_consent.data,
        }


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Type"), choices=[SelectChoice(k.value, ACTIVITY_LABELS[k]) for k in
                                            (ActivityKind.NOTE, ActivityKind.CALL, ActivityKind.VISIT)])
    text = TextAreaField(_l("Tekst"), validators=[DataRequired(_l("Skriv noget i noten.")), Length(max=5000),
                                                  plain_text()])


class LeftForm(FlaskForm):
    left_on = DateField(_l("Fraflyttet den"), validators=[DataRequired(_l("Vælg en dato.")), _in_the_registers_years])


class MergeForm(FlaskForm):
    other_cvr = StringField(_l("CVR-nummer på dubletten"),
                            description=_l("Dubletten lægges ind under denne virksomhed og slettes derefter."),
                            validators=[DataRequired(_l("Skriv CVR-nummeret.")), normalised_with(normalise_cvr)])
    confirm = HiddenField()


class PlotForm(FlaskForm):
    cadastral_number = StringField(_l("Matrikelnummer"), description=_l("Fx 12ab Avedøre By, Avedøre"),
                                   validators=[DataRequired(_l("Skriv matrikelnummeret.")), Length(max=100),
                                               single_line()])
    address = StringField(_l("Adresse"), validators=[Optional(), Length(max=200), single_line()])
    area_m2 = DanishDecimalField(_l("Areal (m²)"), places=2, validators=[Optional(), AREA_RANGE])


class TenancyForm(FlaskForm):
    tenant_cvr = StringField(_l("Lejerens CVR-nummer"),
                             validators=[DataRequired(_l("Skriv lejerens CVR-nummer.")),
                                         normalised_with(normalise_cvr)])
    from_date = DateField(_l("Fra"), validators=[Optional(), _in_the_registers_years])
    to_date = DateField(_l("Til"), validators=[Optional(), _in_the_registers_years])


class ImportForm(FlaskForm):
    file = FileField(_l("Fil (CSV eller XLSX)"),
                     description=_l("Semikolon- eller kommasepareret CSV (UTF-8 eller Windows-1252) eller Excel."),
                     validators=[FileRequired(_l("Vælg en fil."))])
