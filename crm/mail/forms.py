"""Forms of the mail area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm.forms import single_line


class NewsletterForm(FlaskForm):
    subject = StringField(_l("Emne"), validators=[DataRequired(_l("Skriv et emne.")), Length(max=300),
                                                  single_line(_l("Skriv emnet på én linje."))])
    body = TextAreaField(_l("Tekst"), validators=[DataRequired(_l("Skriv nyhedsbrevets tekst.")),
                                                  Length(max=50_000)])
    form_key = HiddenField()
