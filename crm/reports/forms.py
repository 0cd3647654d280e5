"""The form of a year's goal."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from crm.companies.forms import DanishDecimalField
from crm.forms import at_most, one_of, plain_text, single_line
from crm.reports.figures import FIGURES, SECTIONS

#: What a Numeric(14, 2) column holds.
LARGEST = Decimal("999999999999.99")
NUMBER_RANGE = NumberRange(min=0, max=LARGEST, message=_l("Skriv et tal mellem 0 og 999.999.999.999."))


def _two_decimals(form, field):
    if field.data is not None and field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError(_l("Skriv tallet med højst to decimaler."))


def figure_choices():
    return [("", _l("Intet tal fra CRM'et: resultatet skrives ind nedenfor"))] + [
        (figure.key, f"{SECTIONS[figure.section]}: {figure.label}") for figure in FIGURES]


class GoalForm(FlaskForm):
    text = TextAreaField(_l("Mål"), description=_l("Som strategien skriver det, fx «Mindst 90 virksomheder bruger "
                                                   "portalen»."),
                         validators=[DataRequired(message=_l("Skriv målet.")), at_most(1000), plain_text()])
    figure = SelectField(_l("Tal fra rapporten"), validate_choice=False,
                         validators=[one_of(["", *(figure.key for figure in FIGURES)])])
    target = DanishDecimalField(_l("Måltal"), places=None,
                                description=_l("Fx 90 portalaktive virksomheder. Beløb i kroner."),
                                validators=[Optional(), NUMBER_RANGE, _two_decimals])
    manual_result = DanishDecimalField(_l("Resultat skrevet ind"), places=None,
                                       description=_l("Kun når tallet ikke kommer fra CRM'et, fx arter talt."),
                                       validators=[Optional(), NUMBER_RANGE, _two_decimals])
    manual_source = StringField(_l("Kilde til resultatet"), description=_l("Fx «Biologisk optælling, juni»."),
                                validators=[Optional(), at_most(300), single_line()])
    narrative = TextAreaField(_l("Tekst til rapporten"),
                              description=_l("Skriv {tal} for at få årets tal sat ind, fx {portal_active} eller "
                                             "{network_meetings}."),
                              validators=[Optional(), at_most(10000), plain_text()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.figure.choices = figure_choices()

    def validate_manual_result(self, field):
        if field.data is not None and self.figure.data:
            raise ValidationError(_l("CRM'et tæller resultatet for det valgte tal. Lad feltet stå tomt, eller vælg "
                                     "«Intet tal fra CRM'et»."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.manual_result.data is not None and not (self.manual_source.data or "").strip():
            self.manual_source.errors = [*self.manual_source.errors, _l("Skriv, hvor resultatet kommer fra.")]
            valid = False
        return valid

    def values(self):
        """The goal's values as the service takes them."""
        return {"text": self.text.data.strip(), "figure": self.figure.data or None, "target": self.target.data,
                "manual_result": self.manual_result.data, "manual_source": (self.manual_source.data or "").strip(),
                "narrative": (self.narrative.data or "").strip()}
