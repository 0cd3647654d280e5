"""Forms of joining: the public request at /join, and staff's decline with a reason."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from crm.companies.forms import NAME_ON_ONE_LINE, PHONE_ON_ONE_LINE, ROLE_LABELS
from crm.companies.models import CompanyRole
from crm.cvr import normalise_cvr
from crm.forms import TOO_LONG, normalised_with, one_of, plain_text, single_line

#: Avedøre Holme lies in postal district 2650 Hvidovre. The form asks no more than that: the area has too many
#: streets and numbers to list, and staff see the address before they approve.
AREA_POSTAL_CODE = "2650"
#: The consent the contact person gives; its version is kept (crm.joining.services.CONSENT_TEXT_VERSION).
CONSENT_LABEL = _l("Ja, netværkets sekretariat må kontakte mig om optagelsen og netværkets arbejde "
                   "(på e-mail og telefon).")

#: A company on the form owns its plot or rents it; staff can record one that does both afterwards.
JOIN_ROLES = (CompanyRole.OWNER, CompanyRole.TENANT)


def _in_the_area(form, field):
    if (field.data or "").strip() != AREA_POSTAL_CODE:
        raise ValidationError(_l("Netværket er for virksomheder på Avedøre Holme, postnummer 2650 Hvidovre."))


def _line(limit, message=None):
    return [Length(max=limit, message=TOO_LONG), single_line(message)]


class JoinForm(FlaskForm):
    cvr = StringField(_l("CVR-nummer"), description=_l("8 cifre, fx 12345678 eller DK 12 34 56 78."),
                      validators=[DataRequired(_l("Skriv virksomhedens CVR-nummer.")), Length(max=20, message=TOO_LONG),
                                  normalised_with(normalise_cvr)])
    name = StringField(_l("Virksomhedens navn"), validators=[DataRequired(_l("Skriv virksomhedens navn.")),
                                                             *_line(200, NAME_ON_ONE_LINE)])
    street = StringField(_l("Adresse på Avedøre Holme"), description=_l("Vej og nummer, fx Stamholmen 151."),
                         validators=[DataRequired(_l("Skriv virksomhedens adresse.")), *_line(200)])
    postal_code = StringField(_l("Postnummer"),
                              description=_l("Netværket er for virksomheder på Avedøre Holme, som har postnummer "
                                             "2650 Hvidovre. Ligger I et andet sted, så kontakt Hvidovre Kommunes "
                                             "erhvervsteam."),
                              validators=[DataRequired(_l("Skriv postnummeret.")), *_line(10), _in_the_area])
    city = StringField(_l("By"), default="Hvidovre",
                       validators=[DataRequired(_l("Skriv byen.")), *_line(100)])
    role = RadioField(_l("Ejer eller lejer"), validate_choice=False,
                      choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in JOIN_ROLES],
                      validators=[DataRequired(_l("Vælg, om virksomheden ejer eller lejer sin grund.")),
                                  one_of(JOIN_ROLES)])
    contact_name = StringField(_l("Kontaktpersonens navn"), validators=[
        DataRequired(_l("Skriv kontaktpersonens navn.")), *_line(200, NAME_ON_ONE_LINE)])
    contact_email = EmailField(_l("Kontaktpersonens e-mail"),
                               description=_l("Invitationen til netværkets portal sendes hertil."),
                               validators=[DataRequired(_l("Skriv kontaktpersonens e-mail.")),
                                           Length(max=254, message=TOO_LONG),
                                           Email(_l("Skriv en gyldig e-mail."), check_deliverability=False)])
    contact_phone = StringField(_l("Telefon"), validators=[Optional(), *_line(50, PHONE_ON_ONE_LINE)])
    consent = BooleanField(CONSENT_LABEL, validators=[
        DataRequired(_l("Sæt kryds, hvis sekretariatet må kontakte jer. Uden det kan vi ikke behandle "
                        "anmodningen."))])
    #: The honeypot: hidden from people by CSS (app-honeypot) and from screen readers; a robot fills it in.
    homepage = StringField(_l("Lad dette felt være tomt"))

    def request_values(self):
        values = {name: (self[name].data or "").strip() for name in (
            "name", "street", "postal_code", "city", "contact_name", "contact_email", "contact_phone")}
        return {**values, "cvr": normalise_cvr(self.cvr.data), "role": CompanyRole(self.role.data)}


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Begrundelse"),
                           description=_l("Sendes til kontaktpersonen i mailen om afslaget. Skriv venligt og "
                                          "kort, fx at virksomheden ligger uden for Avedøre Holme."),
                           validators=[DataRequired(_l("Skriv en begrundelse.")),
                                       Length(max=2000, message=TOO_LONG), plain_text()])


class ApproveForm(FlaskForm):
    """Approving needs nothing but the button (and the CSRF token)."""
