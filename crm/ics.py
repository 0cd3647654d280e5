"""iCalendar (RFC 5545) data for network meetings: invitations, cancellations and subscription feeds.

Plain values in, bytes out: no Flask, no database. Stored text is cleaned on the way out, so no value can break
the file: a title, place or name becomes one line (a line break in old data turns into a space), a description
keeps its lines, and other control characters are left out. Times go out in UTC ("Z"), so every calendar program shows
them in its own zone (Europe/Copenhagen for the network) without a VTIMEZONE block. Invitations and cancellations
follow iTIP (RFC 5546): the same UID for every message about a meeting, SEQUENCE raised by the caller on each
change of time or place, so a calendar program updates or removes the entry it already has.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress
from icalendar.parser import Contentlines

PRODID = "-//Holme CRM//Avedøre Holme//DA"

#: Line breaks: CR, LF and what Python's splitlines() also breaks on.
_LINE_BREAK = re.compile(r"\r\n?|[\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_LINE_BREAKS = re.compile(r"[ \t]*(?:" + _LINE_BREAK.pattern + r")+[ \t]*")
#: The other control characters; RFC 5545 TEXT allows none of them but tab.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f]")


def one_line(text: str) -> str:
    """A value as one line: each run of line breaks becomes one space, other control characters are left out."""
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", text or ""))


def _lines(text: str) -> str:
    """A text of several lines with LF line breaks (the library writes them as \\n) and no control characters."""
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text or ""))


@dataclass
class CalendarEvent:
    """One meeting as a calendar program sees it."""

    #: stable per meeting, e.g. "meeting-12@holme-crm"; every message about the meeting carries it
    uid: str
    #: 0 for the first invitation, +1 per change of time or place (and for the cancellation)
    sequence: int
    title: str
    #: timezone-aware (naive is refused); written as UTC
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    description: str = ""
    #: optional link, e.g. the meeting page or the online meeting
    url: str = ""
    organizer_name: str = ""
    organizer_email: str = ""
    cancelled: bool = False


def invitation(event: CalendarEvent, attendee_name: str, attendee_email: str) -> bytes:
    """Build the METHOD:REQUEST message inviting one attendee to a meeting (or telling them it changed)."""
    return per_attendee(event, "REQUEST")(attendee_name, attendee_email)


def cancellation(event: CalendarEvent, attendee_name: str, attendee_email: str) -> bytes:
    """Build the METHOD:CANCEL message removing a meeting from one attendee's calendar."""
    return per_attendee(event, "CANCEL")(attendee_name, attendee_email)


def per_attendee(event: CalendarEvent, method: str) -> Callable[[str, str], bytes]:
    """The invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) of a meeting, built once; the returned
    function adds one attendee's own ATTENDEE line, for mailing many at a time.
    """
    if method == "REQUEST" and event.cancelled:
        raise ValueError("a cancelled meeting cannot be sent as an invitation; use cancellation()")
    _require_organizer(event)
    vevent = _vevent(event, status="CANCELLED" if method == "CANCEL" else "CONFIRMED")
    head, end, tail = _calendar(method, [vevent]).to_ical().partition(b"END:VEVENT\r\n")

    def message(attendee_name: str, attendee_email: str) -> bytes:
        # The library makes the line (name, parameters, escaping, folding), as it would inside the event.
        line = vevent.content_line("ATTENDEE", _attendee(attendee_name, attendee_email))
        return head + Contentlines([line, ""]).to_ical() + end + tail

    return message


def feed(events: Iterable[CalendarEvent], name: str) -> bytes:
    """Build a METHOD:PUBLISH calendar of many meetings for subscription; cancelled ones stay, marked CANCELLED."""
    vevents = [_vevent(event, status="CANCELLED" if event.cancelled else "CONFIRMED") for event in events]
    calendar = _calendar("PUBLISH", vevents)
    calendar.add("x-wr-calname", one_line(name))
    return calendar.to_ical()


def _calendar(method: str, vevents: list[Event]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar


def _vevent(event: CalendarEvent, status: str) -> Event:
    if not event.uid:
        raise ValueError("a calendar event needs a UID")
    if event.sequence < 0:
        raise ValueError(f"SEQUENCE cannot be negative, got {event.sequence}")
    starts_at = _utc(event.starts_at, "starts_at")
    ends_at = _utc(event.ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ValueError(f"ends_at ({ends_at.isoformat()}) must be after starts_at ({starts_at.isoformat()})")

    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", datetime.now(UTC))
    vevent.add("dtstart", starts_at)
    vevent.add("dtend", ends_at)
    vevent.add("summary", one_line(event.title))
    if one_line(event.location):
        vevent.add("location", one_line(event.location))
    if _lines(event.description).strip():
        vevent.add("description", _lines(event.description))
    if one_line(event.url):
        vevent.add("url", one_line(event.url))
    if event.organizer_email:
        vevent.add("organizer", _address(event.organizer_email, event.organizer_name))
    vevent.add("status", status)
    return vevent


def _attendee(name: str, email: str) -> vCalAddress:
    if not email:
        raise ValueError("an attendee needs an e-mail address")
    return _address(email, name, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=True)


def _address(email: str, name: str, **params) -> vCalAddress:
    # vCalAddress quotes CN values holding , ; or : and encodes a double quote as ^' (RFC 6868).
    return vCalAddress.new(one_line(email), cn=one_line(name) or None, **params)


def _require_organizer(event: CalendarEvent) -> None:
    # RFC 5546 requires ORGANIZER in REQUEST and CANCEL; without it programs show no invitation to answer.
    if not event.organizer_email:
        raise ValueError("an invitation or cancellation needs organizer_email")


def _utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(UTC)
