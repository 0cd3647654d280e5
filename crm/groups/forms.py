"""Forms of the working groups.

A value the database cannot hold is refused with a Danish message naming the limit (and, for lines of figures,
the line), never cut or left to fail at the database.
"""

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from crm.companies.importer import parse_danish_number
from crm.companies.lookup import CompanyField
from crm.cvr import InvalidNumber, normalise_cvr
from crm.forms import at_most, has_control_characters, one_of, plain_text, single_line
from crm.groups.models import InitiativeStatus, MemberRole

ROLE_LABELS = {MemberRole.CHAIR: _l("Formand"), MemberRole.MEMBER: _l("Medlem")}
#: A chair beside the current one; "chair" alone takes over from the current chair (who becomes a member).
CO_CHAIR = "co_chair"
#: The roles one can give a company: the stored roles, and co-chair (stored as chair, the others stay chairs).
ROLE_CHOICES = [SelectChoice(MemberRole.MEMBER.value, _l("Medlem")),
                SelectChoice(MemberRole.CHAIR.value, _l("Formand (afløser den nuværende formand)")),
                SelectChoice(CO_CHAIR, _l("Medformand (ved siden af den nuværende formand)"))]
INITIATIVE_LABELS = {InitiativeStatus.PLANNED: _l("Planlagt"), InitiativeStatus.RUNNING: _l("I gang"),
                     InitiativeStatus.DONE: _l("Afsluttet")}


#: The largest figure a Numeric(14, 2) column holds, and its places after the decimal comma.
FIGURE_MAX = Decimal("999999999999.99")
FIGURE_PLACES = 2
FIGURE_LABEL_MAX, FIGURE_UNIT_MAX = 200, 30






def parse_figures(text):
    """Lines `betegnelse; tal; enhed` as ([(label, Decimal value, unit)], problems): blank lines are left out, each
    bad line gives a Danish problem naming its line number."""
    figures, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        while len(parts) > 3 and not parts[-1]:  # a semicolon too many at the end
            parts.pop()
        label, amount, unit = (parts + ["", ""])[:3]
        problem, value = None, None
        if len(parts) > 3:
            problem = _l("Linje %(n)d: højst tre dele adskilt af semikolon: betegnelse; tal; enhed.", n=number)
        elif has_control_characters(line):
            problem = _l("Linje %(n)d: fjern det usynlige kontroltegn.", n=number)
        elif not label:
            problem = _l("Linje %(n)d: skriv en betegnelse først, fx Vild natur; 15; ha.", n=number)
        elif len(label) > FIGURE_LABEL_MAX:
            problem = _l("Linje %(n)d: betegnelsen må højst have %(max)d tegn; den har %(length)d.", n=number,
                         max=FIGURE_LABEL_MAX, length=len(label))
        elif len(unit) > FIGURE_UNIT_MAX:
            problem = _l("Linje %(n)d: enheden må højst have %(max)d tegn; den har %(length)d.", n=number,
                         max=FIGURE_UNIT_MAX, length=len(unit))
        elif not amount:
            problem = _l("Linje %(n)d: tallet mangler.", n=number)
        elif len(amount) > 30:
            problem = _l("Linje %(n)d: tallet er for stort; højst 999.999.999.999,99.", n=number)
        else:
            try:
                value = parse_danish_number(amount)
            except ValueError as error:
                problem = _l("Linje %(n)d: %(error)s", n=number, error=str(error))
            else:
                if value.as_tuple().exponent < -FIGURE_PLACES:
                    problem = _l("Linje %(n)d: højst to decimaler, fx 12,5.", n=number)
                elif abs(value) > FIGURE_MAX:
                    problem = _l("Linje %(n)d: tallet er for stort; højst 999.999.999.999,99.", n=number)
        if problem:
            problems.append(problem)
        else:
            figures.append((label, value, unit))
    return figures, problems


def parse_cvrs(text):
    """CVR numbers written one or more a line (or comma-separated) as ([numbers], [Danish problems])."""
    numbers, problems = [], []
    for word in re.split(r"[\s,;]+", text or ""):
        if word:
            try:
                numbers.append(normalise_cvr(word))
            except InvalidNumber as error:
                problems.append(str(error))
    return numbers, problems


class GroupForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv gruppens navn.")), at_most(100),
                                               single_line()])
    slug = StringField(_l("Kort navn til adresser"), description=_l("Små bogstaver, tal og bindestreg, fx natur."),
                       validators=[DataRequired(_l("Skriv et kort navn.")), at_most(50),
                                   Regexp(r"[a-z0-9-]+\Z", message=_l("Kun små bogstaver a-z, tal og bindestreg."))])
    purpose = TextAreaField(_l("Formål"), validators=[Optional(), at_most(5000), plain_text()])
    active = BooleanField(_l("Aktiv (fjern fluebenet for at arkivere gruppen)"), default=True)


class AddMembersForm(FlaskForm):
    """Companies to add: one picked by name, and/or several by CVR number."""

    company = CompanyField(_l("Virksomhed"), validators=[Optional(), at_most(300), single_line()])
    cvrs = TextAreaField(_l("Eller flere CVR-numre"),
                         description=_l("Ét eller flere, adskilt af linjeskift, komma eller mellemrum."),
                         validators=[Optional(), at_most(20_000)])
    role = SelectField(_l("Rolle"), choices=ROLE_CHOICES, default=MemberRole.MEMBER.value, validate_choice=False,
                       validators=[one_of([choice.value for choice in ROLE_CHOICES])])

    def validate_cvrs(self, field):
        if not field.errors:
            field.errors.extend(parse_cvrs(field.data)[1])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and self.company.company is None and not self.cvr_numbers():
            self.cvrs.errors.append(_l("Vælg en virksomhed, eller skriv mindst ét CVR-nummer."))
            return False
        return valid

    def validate_role(self, field):
        several = len(set(self.cvr_numbers())) + bool(self.company.company) > 1
        if field.data == MemberRole.CHAIR and several:
            raise ValidationError(_l("Kun én virksomhed kan afløse formanden. Vælg medformand for at tilføje flere "
                                     "formænd."))

    def cvr_numbers(self):
        return parse_cvrs(self.cvrs.data)[0]


class MemberRoleForm(FlaskForm):
    """A button on the member list: make a member chair, or a chair member again (confirmed for the only chair)."""

    role = SelectField(choices=[choice.value for choice in ROLE_CHOICES], validate_choice=False,
                       validators=[one_of([choice.value for choice in ROLE_CHOICES])])
    confirm = HiddenField()


class RemoveMemberForm(FlaskForm):
    """A button on the member list; removing the only chair is confirmed on a page of its own."""

    confirm = HiddenField()


class GroupMailForm(FlaskForm):
    subject = StringField(_l("Emne"), validators=[DataRequired(_l("Skriv et emne.")), at_most(300), single_line()])
    body = TextAreaField(_l("Tekst"), validators=[DataRequired(_l("Skriv en tekst.")), at_most(20_000), plain_text()])


class InitiativeForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Skriv en titel.")), at_most(200), single_line()])
    status = SelectField(_l("Status"), choices=[SelectChoice(s.value, label) for s, label in INITIATIVE_LABELS.items()],
                         default=InitiativeStatus.RUNNING.value, validate_choice=False,
                         validators=[one_of(InitiativeStatus)])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), at_most(10_000), plain_text()])
    figures = TextAreaField(_l("Tal"), description=_l("Ét pr. linje: betegnelse; tal; enhed. Fx Vild natur; 15; ha"),
                            default="", validators=[at_most(5000)])

    def validate_figures(self, field):
        if not field.errors:
            field.errors.extend(parse_figures(field.data)[1])

    def figure_rows(self):
        """The figures as [(label, value, unit)] (the form is valid)."""
        return parse_figures(self.figures.data)[0]
