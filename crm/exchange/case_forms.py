"""Forms of the green-transition cases and their partners."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from crm.exchange.case_models import CaseKind, CaseOutcome
from crm.forms import ChoiceField, DayField, at_most, plain_text, single_line, within_years
from crm.http import whole_number

KIND_LABELS = {
    CaseKind.ADVICE: _l("Rådgivning om grøn omstilling"),
    CaseKind.SCREENING: _l("Screening af affald og ressourcer (symbiose)"),
    CaseKind.ENERGY: _l("Energiscreening"),
    CaseKind.OTHER: _l("Andet"),
}
OUTCOME_LABELS = {
    CaseOutcome.OPEN: _l("Åben"),
    CaseOutcome.WENT_ON: _l("Gik videre med en ny løsning"),
    CaseOutcome.NOT_ON: _l("Gik ikke videre"),
}


def optional_id(value):
    """A chosen id, or None for the empty choice ("none")."""
    if isinstance(value, int) or value is None:
        return value
    return whole_number(value) if value not in ("", "None") else None


class CaseForm(FlaskForm):
    """A case on a company. The partner's and the contact's choices are set by the view (partner_choices,
    contact_choices): the active partners and the company's contacts, with the case's own kept."""

    kind = ChoiceField(_l("Slags forløb"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
                       default=CaseKind.ADVICE.value, validators=[DataRequired(_l("Vælg hvilken slags forløb."))])
    partner_id = ChoiceField(_l("Partner"), coerce=optional_id, validators=[Optional()],
                             description=_l("Hvem rådgiver sammen med netværket. Listen holdes under Partnere."))
    contact_id = ChoiceField(_l("Kontaktperson hos virksomheden"), coerce=optional_id, validators=[Optional()])
    started_on = DayField(_l("Startet"), validators=[DataRequired(_l("Vælg datoen, forløbet startede.")),
                                                     within_years])
    ended_on = DayField(_l("Afsluttet"), validators=[Optional(), within_years],
                        description=_l("Udfyldes, når forløbet er slut. Et udfald kræver en slutdato."))
    outcome = ChoiceField(_l("Udfald"), choices=[SelectChoice(o.value, label) for o, label in OUTCOME_LABELS.items()],
                          default=CaseOutcome.OPEN.value, validators=[DataRequired(_l("Vælg et udfald."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), at_most(10_000), plain_text()],
                         description=_l("Kommer med, når virksomheden henter sine data; skriv den, så "
                                        "virksomheden kan læse den."))

    def partner_choices(self, partners, keep=None):
        """The active partners, and the case's own partner even if retired."""
        shown = [partner for partner in partners if partner.active or partner.id == keep]
        self.partner_id.choices = [("", _l("Ingen (netværkets egne folk)"))] + [
            (str(partner.id), partner.name) for partner in shown]

    def contact_choices(self, contacts):
        self.contact_id.choices = [("", _l("Ingen bestemt"))] + [(str(contact.id), contact.name)
                                                                for contact in contacts]

    def validate_ended_on(self, field):
        if field.data and self.started_on.data and field.data < self.started_on.data:
            raise ValidationError(_l("Slutdatoen kan ikke ligge før startdatoen."))

    def validate_outcome(self, field):
        if field.data != CaseOutcome.OPEN and not self.ended_on.data and not self.ended_on.errors:
            raise ValidationError(_l("Skriv datoen, forløbet sluttede, når det har et udfald."))

    def case_values(self):
        return {"kind": CaseKind(self.kind.data), "partner_id": self.partner_id.data,
                "contact_id": self.contact_id.data, "started_on": self.started_on.data,
                "ended_on": self.ended_on.data, "outcome": CaseOutcome(self.outcome.data),
                "note": (self.note.data or "").strip()}


class PartnerForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv partnerens navn.")), at_most(100),
                                               single_line()])
    active = BooleanField(_l("Aktiv (fjern fluebenet for at trække partneren tilbage)"), default=True)
