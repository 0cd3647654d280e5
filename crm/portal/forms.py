"""Forms of the portal."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, Length, Optional

from crm.auth.forms import NewPasswordForm
from crm.companies.forms import EMPLOYEES_RANGE, ContactForm
from crm.forms import plain_text, single_line

#: The consent text a contact agrees to in the portal (its version is stored with the consent).
CONSENT_LABEL = _l("Ja tak, send netværkets nyhedsbrev til personen (kan altid afmeldes)")


class ChoosePasswordForm(NewPasswordForm):
    """The password chosen when an invitation to the portal is accepted; the policy of crm/auth applies."""


class OurCompanyForm(FlaskForm):
    street = StringField(_l("Adresse"), validators=[Optional(), Length(max=200), single_line()])
    postal_code = StringField(_l("Postnummer"), validators=[Optional(), Length(max=10), single_line()])
    city = StringField(_l("By"), validators=[Optional(), Length(max=100), single_line()])
    employees = IntegerField(_l("Antal ansatte"), validators=[Optional(), EMPLOYEES_RANGE])
    website = StringField(_l("Hjemmeside"), validators=[
        Optional(), Length(max=300), single_line(),
        URL(require_tld=True, message=_l("Skriv en hel adresse, fx https://firma.dk"))])
    # The same limit as on the staff's form, so a text staff wrote never blocks the company's own save.
    description = TextAreaField(_l("Kort beskrivelse"), description=_l("Hvad laver virksomheden? Højst 5000 tegn."),
                                validators=[Optional(), Length(max=5000), plain_text()])
    directory_listed = BooleanField(_l("Vis virksomheden i netværkets oversigt (navn, branche, beskrivelse og "
                                       "hjemmeside)"))

    def company_values(self):
        values = {name: self[name].data for name in (
            "street", "postal_code", "city", "employees", "website", "description", "directory_listed")}
        for key in ("street", "postal_code", "city", "website", "description"):
            values[key] = (values[key] or "").strip()
        return values


class OurContactForm(ContactForm):
    """A contact person as the company keeps it: the lawful basis stays with staff."""

    lawful_basis = None
    may_sign = None
    newsletter_consent = BooleanField(CONSENT_LABEL)

    def contact_values(self):
        return {
            "name": self.name.data.strip(), "title": (self.title.data or "").strip(), "email": self.email.data,
            "phone": (self.phone.data or "").strip(), "is_primary": self.is_primary.data,
            "receives_meeting_mail": self.receives_meeting_mail.data,
            "newsletter_consent": self.newsletter_consent.data,
        }


class MembershipRequestForm(FlaskForm):
    kind = RadioField(choices=[SelectChoice("join", _l("Bed om at komme med")),
                               SelectChoice("leave", _l("Bed om at melde jer ud"))])
