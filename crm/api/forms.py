"""The form that creates a personal API token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange

from crm.api.models import TokenScope
from crm.api.tokens import DEFAULT_DAYS, MAX_DAYS
from crm.forms import at_most, single_line

SCOPE_LABELS = {TokenScope.READ: _l("Læse"), TokenScope.READ_WRITE: _l("Læse og skrive (noter på tidslinjen)")}


class TokenForm(FlaskForm):
    name = StringField(_l("Navn"), description=_l("Hvad tokenet bruges til, fx ESDH-integration."),
                       validators=[DataRequired(_l("Giv tokenet et navn.")), at_most(100), single_line()])
    scope = SelectField(_l("Adgang"), choices=[SelectChoice(scope.value, label)
                                               for scope, label in SCOPE_LABELS.items()],
                        default=TokenScope.READ.value)
    days = IntegerField(_l("Gyldigt i dage"), default=DEFAULT_DAYS,
                        description=_l("Fra 1 til %(max)d dage.", max=MAX_DAYS),
                        validators=[InputRequired(_l("Skriv et antal dage.")),
                                    NumberRange(1, MAX_DAYS, _l("Fra 1 til %(max)d dage.", max=MAX_DAYS))])
