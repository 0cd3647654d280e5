"""Forms of the working groups."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from crm.companies.importer import parse_danish_number
from crm.cvr import InvalidNumber, normalise_cvr
from crm.groups.models import InitiativeStatus, MemberRole

ROLE_LABELS = {MemberRole.CHAIR: _l("Formand"), MemberRole.MEMBER: _l("Medlem")}
INITIATIVE_LABELS = {InitiativeStatus.PLANNED: _l("Planlagt"), InitiativeStatus.RUNNING: _l("I gang"),
                     InitiativeStatus.DONE: _l("Afsluttet")}


class GroupForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv gruppens navn.")), Length(max=100)])
    slug = StringField(_l("Kort navn til adresser"), description=_l("Små bogstaver, tal og bindestreg, fx natur."),
                       validators=[DataRequired(_l("Skriv et kort navn.")), Length(max=50),
                                   Regexp(r"^[a-z0-9-]+$", message=_l("Kun små bogstaver a-z, tal og bindestreg."))])
    purpose = TextAreaField(_l("Formål"), validators=[Optional(), Length(max=5000)])
    active = BooleanField(_l("Aktiv (fjern fluebenet for at arkivere gruppen)"), default=True)


class AddMembersForm(FlaskForm):
    cvrs = TextAreaField(_l("CVR-numre"),
                         description=_l("Ét eller flere, adskilt af linjeskift, komma eller mellemrum."),
                         validators=[DataRequired(_l("Skriv mindst ét CVR-nummer."))])
    role = SelectField(_l("Rolle"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
                       default=MemberRole.MEMBER.value)

    def validate_cvrs(self, field):
        numbers = []
        for word in re.split(r"[\s,;]+", field.data or ""):
            if word:
                try:
                    numbers.append(normalise_cvr(word))
                except InvalidNumber as error:
                    raise ValidationError(str(error)) from None
        field.data = numbers


class GroupMailForm(FlaskForm):
    subject = StringField(_l("Emne"), validators=[DataRequired(_l("Skriv et emne.")), Length(max=300)])
    body = TextAreaField(_l("Tekst"), validators=[DataRequired(_l("Skriv en tekst.")), Length(max=20_000)])


class InitiativeForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Skriv en titel.")), Length(max=200)])
    status = SelectField(_l("Status"), choices=[SelectChoice(s.value, label) for s, label in INITIATIVE_LABELS.items()],
                         default=InitiativeStatus.RUNNING.value)
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), Length(max=10_000)])
    figures = TextAreaField(_l("Tal"), description=_l("Ét pr. linje: betegnelse; tal; enhed. Fx Vild natur; 15; ha"),
                            validators=[Optional(), Length(max=5000)])

    def validate_figures(self, field):
        figures = []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) < 2 or not parts[0]:
                raise ValidationError(_l("Linje %(n)d: skriv betegnelse; tal; enhed.", n=number))
            try:
                value = parse_danish_number(parts[1])
            except ValueError as error:
                raise ValidationError(_l("Linje %(n)d: %(error)s", n=number, error=str(error))) from None
            if value is None:
                raise ValidationError(_l("Linje %(n)d: tallet mangler.", n=number))
            figures.append((parts[0][:200], value, (parts[2] if len(parts) > 2 else "")[:30]))
        field.data = figures
