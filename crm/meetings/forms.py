"""Forms of the meeting cycle."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from crm.meetings.models import MeetingKind, Rsvp

KIND_LABELS = {MeetingKind.NETWORK: _l("Netværksmøde"), MeetingKind.GROUP: _l("Arbejdsgruppemøde"),
               MeetingKind.SITE_VISIT: _l("Virksomhedsbesøg"), MeetingKind.EVENT: _l("Arrangement")}

#: The answers as the company gives them (the RSVP page, the portal).
RSVP_LABELS = {Rsvp.YES: _l("Ja, vi kommer"), Rsvp.NO: _l("Nej, vi kommer ikke"), Rsvp.MAYBE: _l("Måske")}


class MeetingForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Skriv mødets titel.")), Length(max=200)])
    kind = SelectField(_l("Type"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
                       default=MeetingKind.NETWORK.value)
    group_id = SelectField(_l("Arbejdsgruppe"), coerce=lambda value: int(value) if value else None,
                           validators=[Optional()])
    series = StringField(_l("Mødeserie"), description=_l("Møder i samme serie tager åbne opgaver med videre."),
                         validators=[Optional(), Length(max=100)])
    day = DateField(_l("Dato"), validators=[DataRequired(_l("Vælg en dato."))])
    start = TimeField(_l("Starter kl."), validators=[DataRequired(_l("Skriv hvornår mødet starter."))])
    end = TimeField(_l("Slutter kl."), validators=[DataRequired(_l("Skriv hvornår mødet slutter."))])
    place = StringField(_l("Sted"), description=_l("Adresse eller lokale."), validators=[Optional(), Length(max=300)])
    online_url = StringField(_l("Link til onlinemøde"), validators=[
        Optional(), Length(max=500), URL(message=_l("Skriv en hel adresse, fx https://..."))])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), Length(max=10_000)])
    agenda = TextAreaField(_l("Dagsorden"), description=_l("Ét punkt pr. linje: titel; oplægsholder; minutter."),
                           validators=[Optional(), Length(max=10_000)])

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("Mødet skal slutte efter, at det starter."))

    def agenda_items(self):
        items = []
        for line in (self.agenda.data or "").splitlines():
            parts = [part.strip() for part in line.split(";")]
            if not parts[0]:
                continue
            presenter = parts[1] if len(parts) > 1 else ""
            minutes = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
            items.append((parts[0][:200], presenter[:200], minutes))
        return items


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Punkt"), validators=[DataRequired(_l("Skriv punktets titel.")), Length(max=200)])
    presenter = StringField(_l("Oplægsholder"), validators=[Optional(), Length(max=200)])
    minutes_allotted = IntegerField(_l("Minutter"), validators=[Optional(), NumberRange(min=1, max=600)])


class NextMeetingForm(FlaskForm):
    day = DateField(_l("Dato for næste møde"), validators=[DataRequired(_l("Vælg en dato."))])
