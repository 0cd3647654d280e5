"""Forms of the meeting cycle.

Every form refuses what it cannot store instead of cutting it: a text over its limit is an error naming the
limit, a date outside crm.forms.FIRST_YEAR..LAST_YEAR is refused, and values that end up in a mail subject or a calendar
line (titles, places, names) must be one line.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, AnyOf, DataRequired, Email, NumberRange, Optional, ValidationError

from crm.companies.lookup import CompanyField
from crm.companies.models import CompanyRole, CompanyStatus
from crm.cvr import InvalidNumber, normalise_cvr
from crm.forms import (
    NOT_A_CHOICE,
    ChoiceField,
    DayField,
    IdListField,
    WholeNumberField,
    at_most,
    has_control_characters,
    normalised_with,
    plain_text,
    single_line,
    within_years,
)
from crm.http import whole_number
from crm.meetings.models import AttendanceStatus, MeetingKind, Rsvp

KIND_LABELS = {MeetingKind.NETWORK: _l("Netværksmøde"), MeetingKind.GROUP: _l("Arbejdsgruppemøde"),
               MeetingKind.SITE_VISIT: _l("Virksomhedsbesøg"), MeetingKind.EVENT: _l("Arrangement")}

#: The answers as the company gives them (the RSVP page, the portal).
RSVP_LABELS = {Rsvp.YES: _l("Ja, vi kommer"), Rsvp.NO: _l("Nej, vi kommer ikke"), Rsvp.MAYBE: _l("Måske")}

#: An agenda item's planned length, in minutes.
MAX_AGENDA_MINUTES = 600


_AGENDA_MINUTES = re.compile(r"[0-9]{1,3}")


def _group_id(value):
    return whole_number(value) if value else None


def parse_agenda(text):
    """Agenda lines `titel; oplægsholder; minutter` as ([(title, presenter, minutes or None)], problems): blank
    lines are left out, and each bad line gives a Danish problem naming its line number."""
    items, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(";")]
        while len(parts) > 3 and not parts[-1]:  # a semicolon too many at the end
            parts.pop()
        title, presenter, minutes = (parts + ["", ""])[:3]
        if len(parts) > 3:
            problems.append(_l("Linje %(n)d: højst tre dele adskilt af semikolon: titel; oplægsholder; minutter.",
                               n=number))
        elif has_control_characters(line):
            problems.append(_l("Linje %(n)d: fjern det usynlige kontroltegn.", n=number))
        elif not title:
            problems.append(_l("Linje %(n)d: skriv punktets titel først.", n=number))
        elif len(title) > 200:
            problems.append(_l("Linje %(n)d: titlen må højst have %(max)d tegn; den har %(length)d.", n=number,
                               max=200, length=len(title)))
        elif len(presenter) > 200:
            problems.append(_l("Linje %(n)d: oplægsholderen må højst have %(max)d tegn; der er %(length)d.",
                               n=number, max=200, length=len(presenter)))
        elif minutes and not (_AGENDA_MINUTES.fullmatch(minutes) and 1 <= int(minutes) <= MAX_AGENDA_MINUTES):
            problems.append(_l("Linje %(n)d: minutter skal være et helt tal fra 1 til %(max)d, ikke «%(text)s».",
                               n=number, max=MAX_AGENDA_MINUTES, text=minutes[:20]))
        else:
            items.append((title, presenter, int(minutes) if minutes else None))
    return items, problems


class MeetingForm(FlaskForm):
    """A meeting's details (the edit page); NewMeetingForm adds the agenda."""

    title = StringField(_l("Titel"), validators=[DataRequired(_l("Skriv mødets titel.")), at_most(200),
                                                 single_line()])
    kind = ChoiceField(_l("Type"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
                       default=MeetingKind.NETWORK.value)
    group_id = ChoiceField(_l("Arbejdsgruppe"), coerce=_group_id, validators=[Optional()])
    series = StringField(_l("Mødeserie"), description=_l("Møder i samme serie tager åbne opgaver med videre."),
                         validators=[Optional(), at_most(100), single_line()])
    day = DayField(_l("Dato"), validators=[DataRequired(_l("Vælg en dato.")), within_years])
    start = TimeField(_l("Starter kl."), validators=[DataRequired(_l("Skriv hvornår mødet starter."))])
    end = TimeField(_l("Slutter kl."), validators=[DataRequired(_l("Skriv hvornår mødet slutter."))])
    place = StringField(_l("Sted"), description=_l("Adresse eller lokale."),
                        validators=[Optional(), at_most(300), single_line()])
    online_url = StringField(_l("Link til onlinemøde"), validators=[
        Optional(), at_most(500), single_line(), URL(message=_l("Skriv en hel adresse, fx https://..."))])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), at_most(10_000), plain_text()])

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("Mødet skal slutte efter, at det starter."))


class NewMeetingForm(MeetingForm):
    agenda = TextAreaField(_l("Dagsorden"), description=_l("Ét punkt pr. linje: titel; oplægsholder; minutter."),
                           validators=[Optional(), at_most(10_000)])

    def validate_agenda(self, field):
        if not field.errors:
            field.errors.extend(parse_agenda(field.data)[1])

    def agenda_items(self):
        return parse_agenda(self.agenda.data)[0]


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Punkt"), validators=[DataRequired(_l("Skriv punktets titel.")), at_most(200),
                                                 single_line()])
    presenter = StringField(_l("Oplægsholder"), validators=[Optional(), at_most(200), single_line()])
    minutes_allotted = WholeNumberField(_l("Minutter"), validators=[
        Optional(), NumberRange(min=1, max=MAX_AGENDA_MINUTES,
                                message=_l("Skriv et antal minutter fra %(min)s til %(max)s."))])


class NextMeetingForm(FlaskForm):
    """The next meeting of a series: its own title and day (the page proposes none; the old title is not copied)."""

    next_title = StringField(_l("Titel på næste møde"), description=_l("Fx Netværksmøde marts 2027."),
                        validators=[DataRequired(_l("Skriv titlen på det næste møde.")), at_most(200), single_line()])
    day = DayField(_l("Dato for næste møde"), validators=[DataRequired(_l("Vælg en dato.")), within_years])
    start = TimeField(_l("Starter kl."), description=_l("Tom: samme tid som dette møde."), validators=[Optional()])


class WalkInForm(FlaskForm):
    """A person who came without an invitation, written in on the check-in page."""

    person_name = StringField(_l("Personens navn"), validators=[DataRequired(_l("Skriv personens navn.")),
                                                                at_most(200), single_line()])
    email = EmailField(_l("E-mail"), validators=[
        Optional(), at_most(254), Email(_l("Skriv en gyldig e-mail, fx navn@firma.dk."), check_deliverability=False)])
    cvr = StringField(_l("Virksomhedens CVR-nummer"), validators=[
        DataRequired(_l("Skriv virksomhedens CVR-nummer.")), at_most(20), normalised_with(normalise_cvr)])
    company_name = StringField(_l("Virksomhedens navn, hvis den er ny"),
                               validators=[Optional(), at_most(200), single_line()])


class MarkAttendanceForm(FlaskForm):
    """One tap on the check-in page."""

    contact_id = WholeNumberField(validators=[DataRequired()])
    status = ChoiceField(choices=[status.value for status in AttendanceStatus])


class AnswerForm(FlaskForm):
    """An answer to an invitation: the company's own on the answer page, or one staff note from a phone call."""

    rsvp = ChoiceField(choices=[answer.value for answer in Rsvp])


class RemindForm(FlaskForm):
    #: The chosen invitations; none means everyone who has not answered.
    invitation = IdListField()


class InviteForm(FlaskForm):
    """Whom to invite: the whole network, a group's members, a search like the company list's, or CVR numbers."""

    source = RadioField(choices=[SelectChoice("all", _l("Alle virksomheder i netværket")),
                                 SelectChoice("group", _l("En arbejdsgruppes medlemmer")),
                                 SelectChoice("filter", _l("Virksomheder fundet med søgning")),
                                 SelectChoice("cvrs", _l("Udvalgte virksomheder (CVR-numre)"))],
                        validate_choice=False,
                        validators=[AnyOf(("all", "group", "filter", "cvrs"),
                                          message=_l("Vælg hvem der skal inviteres."))])
    group = ChoiceField(_l("Arbejdsgruppe"), coerce=_group_id, validate_choice=False)
    q = StringField(_l("Søg"), default="", validators=[at_most(200), single_line()])
    role = StringField(_l("Ejer eller lejer"), default="", validators=[AnyOf(["", *CompanyRole], NOT_A_CHOICE)])
    status = StringField(_l("Status"), default="", validators=[AnyOf(["", *CompanyStatus], NOT_A_CHOICE)])
    tag = StringField(_l("Mærke"), default="", validators=[at_most(50), single_line()])
    cvrs = TextAreaField(_l("CVR-numre"), description=_l("Adskilt af linjeskift, komma eller mellemrum."),
                         default="", validators=[at_most(20_000)])

    def validate_group(self, field):
        if self.source.data == "group" and field.data is None:
            raise ValidationError(_l("Vælg en arbejdsgruppe."))

    def validate_cvrs(self, field):
        if self.source.data != "cvrs" or field.errors:
            return
        numbers, refused = self.cvr_numbers()
        field.errors.extend(refused)
        if not numbers and not refused:
            field.errors.append(_l("Skriv mindst ét CVR-nummer."))

    def cvr_numbers(self):
        """The CVR numbers written, and a Danish message for each that is not one."""
        numbers, refused = [], []
        for word in re.split(r"[\s,;]+", self.cvrs.data or ""):
            if word:
                try:
                    numbers.append(normalise_cvr(word))
                except InvalidNumber as error:
                    refused.append(str(error))
        return numbers, refused


def minutes_form(meeting, suggested_writer="", **kwargs):
    """The minutes page's form: the minutes and decisions of each agenda item, `minutes-<id>` and `decisions-<id>`,
    and who wrote them (the stored name, else the suggested one), filled with what is stored (on a GET, or with
    formdata=None) or what was typed (on a POST)."""

    class MinutesForm(FlaskForm):
        writer = StringField(_l("Referent"), description=_l("Hvem skrev referatet; står i referatet og i PDF'en."),
                             default=meeting.minutes_writer or suggested_writer,
                             validators=[Optional(), at_most(200), single_line()])

    for item in meeting.agenda:
        setattr(MinutesForm, f"minutes-{item.id}", TextAreaField(
            _l("Referat"), default=item.minutes, validators=[Optional(), at_most(50_000), plain_text()]))
        setattr(MinutesForm, f"decisions-{item.id}", TextAreaField(
            _l("Beslutninger"), default=item.decisions, validators=[Optional(), at_most(10_000), plain_text()]))
    return MinutesForm(**kwargs)


class MinutesPreviewForm(FlaskForm):
    """The text of one agenda item's minutes, sent as typed for a preview (nothing is stored)."""

    text = TextAreaField(validators=[Optional(), at_most(50_000), plain_text()])


class ActionItemForm(FlaskForm):
    title = StringField(_l("Opgave"), validators=[DataRequired(_l("Skriv hvad opgaven går ud på.")), at_most(500),
                                                  single_line()])
    owner = CompanyField(_l("Ansvarlig virksomhed"), validators=[Optional(), at_most(300), single_line()])
    owner_name = StringField(_l("Ansvarlig person"), validators=[Optional(), at_most(200), single_line()])
    due_on = DayField(_l("Frist"), validators=[Optional(), within_years])


class ActionStatusForm(FlaskForm):
    done = HiddenField()
    #: Where to go afterwards: a page of the meetings (the next meeting's follow-up list), else the minutes.
    back = HiddenField(validators=[Optional(), at_most(200)])


class PublishForm(FlaskForm):
    audience = RadioField(_l("Send til"), choices=[SelectChoice("invited", _l("Alle inviterede")),
                                                   SelectChoice("present", _l("Kun de fremmødte"))],
                          default="invited")


class CalendarFeedForm(FlaskForm):
    action = ChoiceField(choices=["create", "revoke"])
