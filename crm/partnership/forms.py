"""Forms of the partnership: a new version of the agreement (admin), and the portal's figures, sign-up, acceptance
and notice."""

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from crm.companies.forms import AREA_RANGE, EMPLOYEES_RANGE, DanishDecimalField
from crm.forms import plain_text, single_line


class AgreementForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Skriv aftalens titel.")), Length(max=200),
                                                  single_line()])
    takes_effect_on = DateField(_l("Gælder fra"), validators=[DataRequired(_l("Vælg en dato."))])
    notice_months = IntegerField(_l("Opsigelsesvarsel (måneder før et kalenderårs udgang)"), default=3,
                                 validators=[InputRequired(_l("Skriv et antal måneder.")),
                                             NumberRange(0, 24, _l("Skriv et helt tal mellem 0 og 24."))])
    body = TextAreaField(_l("Aftalens tekst"), description=_l("Markdown, som i referater. Højst 50.000 tegn."),
                         validators=[DataRequired(_l("Skriv aftalens tekst.")), Length(max=50_000), plain_text()])

    def validate_takes_effect_on(self, field):
        if field.data and not date(2000, 1, 1) <= field.data <= date(2100, 12, 31):
            raise ValidationError(_l("Vælg en dato mellem år 2000 og 2100."))

    def values(self):
        return {"title": self.title.data.strip(), "takes_effect_on": self.takes_effect_on.data,
                "notice_months": self.notice_months.data, "body": self.body.data}


class FiguresForm(FlaskForm):
    """The registered figures the contribution is computed from, as the company corrects them."""

    employees = IntegerField(_l("Antal ansatte"), validators=[Optional(), EMPLOYEES_RANGE])
    area_m2 = DanishDecimalField(_l("Grundareal (m²)"), places=2, validators=[Optional(), AREA_RANGE])


class SignUpForm(FlaskForm):
    starts_on = SelectField(_l("Medlem fra"), validators=[DataRequired()])
    accept = BooleanField(_l("Jeg har læst partnerskabsaftalen og accepterer den og årets bidrag på vegne af "
                             "virksomheden"), validators=[DataRequired(_l("Sæt kryds for at acceptere aftalen."))])

    def __init__(self, months, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.starts_on.choices = [(month.isoformat(), format_date(month, "LLLL y")) for month in months]

    @property
    def start(self):
        return date.fromisoformat(self.starts_on.data)


class AcceptForm(FlaskForm):
    accept = BooleanField(_l("Jeg accepterer den nye version af aftalen på vegne af virksomheden"),
                          validators=[DataRequired(_l("Sæt kryds for at acceptere aftalen."))])


class NoticeForm(FlaskForm):
    confirm = BooleanField(_l("Jeg melder virksomheden ud af partnerskabet"),
                           validators=[DataRequired(_l("Sæt kryds for at bekræfte udmeldelsen."))])
