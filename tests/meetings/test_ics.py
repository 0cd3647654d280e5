"""crm.ics: what a calendar program reads from our invitations, cancellations and feeds.

Each message is parsed back with icalendar, the way a calendar program would read it, and checked field by field.
"""

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from crm.ics import CalendarEvent, cancellation, feed, invitation, per_attendee

STARTS = datetime(2025, 3, 4, 8, 0, tzinfo=UTC)  # 09:00 in Copenhagen
ENDS = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)
TRICKY_CN = 'Jensen, Søren; "Direktør"'


def a_meeting(**overrides) -> CalendarEvent:
    values = dict(
        uid="meeting-12@holme-crm",
        sequence=0,
        title="Netværksmøde: Fælles affaldsordning og bytteøkonomi",
        starts_at=STARTS,
        ends_at=ENDS,
        location="Avedøre Holme 97, 2650 Hvidovre, mødelokale Æblehaven",
        description="Dagsorden: 1. Velkomst 2. Grøn energi på taget 3. Næste møde i Nørrebro? Nej, på Holmen.",
        url="https://crm.example.dk/meetings/12",
        organizer_name="Erhvervsteamet, Hvidovre Kommune",
        organizer_email="erhverv@hvidovre.dk",
    )
    values.update(overrides)
    return CalendarEvent(**values)


def parse(data: bytes) -> Calendar:
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def the_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def attendees_of(event) -> list:
    value = event.get("ATTENDEE", [])
    return value if isinstance(value, list) else [value]


def unfolded(data: bytes) -> bytes:
    return data.replace(b"\r\n ", b"")


# -- invitation ---------------------------------------------------------------------------------------------------


def test_invitation_is_a_request_a_calendar_program_can_add():
    calendar = parse(invitation(a_meeting(), "Mette Ørsted", "mette@oersted-stål.dk"))

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["PRODID"] == "-//Holme CRM//Avedøre Holme//DA"
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    event = the_event(calendar)
    assert event["UID"] == "meeting-12@holme-crm"
    assert event.decoded("SEQUENCE") == 0
    assert event["STATUS"] == "CONFIRMED"


def test_invitation_shows_title_place_description_and_link_with_danish_letters():
    event = the_event(parse(invitation(a_meeting(), "Mette Ørsted", "mette@example.dk")))

    assert event["SUMMARY"] == "Netværksmøde: Fælles affaldsordning og bytteøkonomi"
    assert event["LOCATION"] == "Avedøre Holme 97, 2650 Hvidovre, mødelokale Æblehaven"
    assert event["DESCRIPTION"] == (
        "Dagsorden: 1. Velkomst 2. Grøn energi på taget 3. Næste møde i Nørrebro? Nej, på Holmen."
    )
    assert event["URL"] == "https://crm.example.dk/meetings/12"


def test_invitation_times_are_the_given_utc_times_written_with_z():
    data = invitation(a_meeting(), "Mette Ørsted", "mette@example.dk")
    event = the_event(parse(data))

    assert event.decoded("DTSTART") == STARTS
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == ENDS
    assert event.decoded("DTEND").utcoffset() == timedelta(0)
    assert b"DTSTART:20250304T080000Z\r\n" in data
    assert b"DTEND:20250304T103000Z\r\n" in data
    assert b"VTIMEZONE" not in data


def test_aware_times_in_copenhagen_are_written_as_the_same_instant_in_utc():
    copenhagen = ZoneInfo("Europe/Copenhagen")
    meeting = a_meeting(
        starts_at=datetime(2025, 6, 10, 9, 0, tzinfo=copenhagen),  # summer time, UTC+2
        ends_at=datetime(2025, 6, 10, 11, 0, tzinfo=copenhagen),
    )
    data = invitation(meeting, "Mette Ørsted", "mette@example.dk")
    event = the_event(parse(data))

    assert b"DTSTART:20250610T070000Z\r\n" in data
    assert event.decoded("DTSTART") == datetime(2025, 6, 10, 7, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2025, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def server_in_copenhagen_time(monkeypatch):
    """The process's local zone is Copenhagen, as on a server set up in Denmark."""
    monkeypatch.setenv("TZ", "Europe/Copenhagen")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("server_in_copenhagen_time")
def test_dtstamp_is_the_moment_of_sending_in_utc_whatever_the_servers_zone():
    before = datetime.now(UTC).replace(microsecond=0)
    data = invitation(a_meeting(), "Mette Ørsted", "mette@example.dk")
    after = datetime.now(UTC)

    stamp = the_event(parse(data)).decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= after
    assert b"DTSTAMP:" + stamp.strftime("%Y%m%dT%H%M%SZ").encode() + b"\r\n" in data


def test_invitation_names_the_organizer():
    event = the_event(parse(invitation(a_meeting(), "Mette Ørsted", "mette@example.dk")))

    organizer = event["ORGANIZER"]
    assert organizer == "mailto:erhverv@hvidovre.dk"
    assert organizer.params["CN"] == "Erhvervsteamet, Hvidovre Kommune"


def test_invitation_asks_only_this_attendee_to_answer():
    event = the_event(parse(invitation(a_meeting(), "Mette Ørsted", "mette@example.dk")))

    [attendee] = attendees_of(event)
    assert attendee == "mailto:mette@example.dk"
    assert attendee.params["CN"] == "Mette Ørsted"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"


def test_invitation_without_a_link_has_no_url_and_empty_place_is_left_out():
    event = the_event(parse(invitation(a_meeting(url="", location="", description=""), "Mette", "m@example.dk")))

    assert "URL" not in event
    assert "LOCATION" not in event
    assert "DESCRIPTION" not in event
    assert event["SUMMARY"] == "Netværksmøde: Fælles affaldsordning og bytteøkonomi"


def test_an_update_keeps_the_uid_and_carries_sequence_1_and_the_new_time():
    first = the_event(parse(invitation(a_meeting(), "Mette Ørsted", "mette@example.dk")))
    moved = a_meeting(
        sequence=1,
        starts_at=STARTS + timedelta(days=7),
        ends_at=ENDS + timedelta(days=7),
        location="Hvidovre Rådhus, Byrådssalen",
    )
    update = parse(invitation(moved, "Mette Ørsted", "mette@example.dk"))
    second = the_event(update)

    assert update["METHOD"] == "REQUEST"
    assert second["UID"] == first["UID"] == "meeting-12@holme-crm"
    assert first.decoded("SEQUENCE") == 0
    assert second.decoded("SEQUENCE") == 1
    assert second.decoded("DTSTART") == datetime(2025, 3, 11, 8, 0, tzinfo=UTC)
    assert second["LOCATION"] == "Hvidovre Rådhus, Byrådssalen"
    assert second["STATUS"] == "CONFIRMED"


# -- cancellation -------------------------------------------------------------------------------------------------


def test_cancellation_removes_the_same_meeting_from_the_attendees_calendar():
    invited = the_event(parse(invitation(a_meeting(), "Mette Ørsted", "mette@example.dk")))
    calendar = parse(cancellation(a_meeting(sequence=1, cancelled=True), "Mette Ørsted", "mette@example.dk"))

    assert calendar["METHOD"] == "CANCEL"
    event = the_event(calendar)
    assert event["UID"] == invited["UID"]
    assert event.decoded("SEQUENCE") == 1
    assert event["STATUS"] == "CANCELLED"
    assert event.decoded("DTSTART") == STARTS
    assert event["ORGANIZER"] == "mailto:erhverv@hvidovre.dk"
    [attendee] = attendees_of(event)
    assert attendee == "mailto:mette@example.dk"
    assert attendee.params["CN"] == "Mette Ørsted"


def test_an_invitation_for_a_cancelled_meeting_is_refused():
    with pytest.raises(ValueError, match="cancellation"):
        invitation(a_meeting(cancelled=True), "Mette Ørsted", "mette@example.dk")


@pytest.mark.parametrize("build", [invitation, cancellation])
def test_invitations_and_cancellations_need_an_organizer_and_an_attendee_address(build):
    with pytest.raises(ValueError, match="organizer"):
        build(a_meeting(organizer_email=""), "Mette Ørsted", "mette@example.dk")
    with pytest.raises(ValueError, match="attendee"):
        build(a_meeting(), "Mette Ørsted", "")


# -- feed ---------------------------------------------------------------------------------------------------------


def test_feed_publishes_every_meeting_without_attendees():
    meetings = [
        a_meeting(
            uid=f"meeting-{n}@holme-crm",
            title=f"Netværksmøde nr. {n} på Holmen",
            starts_at=STARTS + timedelta(days=30 * n),
            ends_at=ENDS + timedelta(days=30 * n),
        )
        for n in range(1, 4)
    ]
    meetings[1] = replace(meetings[1], cancelled=True, sequence=2)
    data = feed(meetings, "Netværksmøder på Avedøre Holme")
    calendar = parse(data)

    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Netværksmøder på Avedøre Holme"
    assert calendar["PRODID"] == "-//Holme CRM//Avedøre Holme//DA"
    events = calendar.walk("VEVENT")
    assert [event["UID"] for event in events] == ["meeting-1@holme-crm", "meeting-2@holme-crm", "meeting-3@holme-crm"]
    assert [event["SUMMARY"] for event in events] == [f"Netværksmøde nr. {n} på Holmen" for n in range(1, 4)]
    assert [event["STATUS"] for event in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert events[1].decoded("SEQUENCE") == 2
    assert [event.decoded("DTSTART") for event in events] == [STARTS + timedelta(days=30 * n) for n in range(1, 4)]
    assert all(event.decoded("DTSTAMP").utcoffset() == timedelta(0) for event in events)
    assert not any("ATTENDEE" in event for event in events)
    assert b"ATTENDEE" not in data


def test_an_empty_feed_is_still_a_calendar_to_subscribe_to():
    calendar = parse(feed([], "Netværksmøder"))

    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Netværksmøder"
    assert calendar.walk("VEVENT") == []


# -- wire format --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda meeting: invitation(meeting, "Mette Ørsted", "mette@example.dk"),
        lambda meeting: cancellation(meeting, "Mette Ørsted", "mette@example.dk"),
        lambda meeting: feed([meeting, meeting], "Netværksmøder på Avedøre Holme"),
    ],
    ids=["invitation", "cancellation", "feed"],
)
def test_lines_end_in_crlf_and_long_lines_are_folded_at_75_octets_between_characters(build):
    long_text = "Æblehaven og Østre Gård, ét langt sted på Avedøre Holme; Søren fører ordet. " * 6
    data = build(a_meeting(description=long_text, location=long_text))

    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert not any(b"\n" in line or b"\r" in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long text really was folded
    for line in lines:
        line.decode("utf-8")  # a fold never splits an æ, ø or å in two
    for event in parse(data).walk("VEVENT"):
        assert event["DESCRIPTION"] == long_text
        assert event["LOCATION"] == long_text


def test_names_with_comma_semicolon_and_quotes_round_trip_as_one_quoted_cn():
    meeting = a_meeting(organizer_name=TRICKY_CN, organizer_email="soeren@jensen-direktion.dk")
    data = invitation(meeting, TRICKY_CN, "soeren@example.dk")
    event = the_event(parse(data))

    [attendee] = attendees_of(event)
    assert attendee == "mailto:soeren@example.dk"
    assert attendee.params["CN"] == TRICKY_CN
    # the ; and , inside the name did not cut the parameters short
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"
    assert event["ORGANIZER"] == "mailto:soeren@jensen-direktion.dk"
    assert event["ORGANIZER"].params["CN"] == TRICKY_CN
    # on the wire: one quoted value, the inner double quotes written as ^' (RFC 6868)
    assert "CN=\"Jensen, Søren; ^'Direktør^'\"".encode() in unfolded(data)


# -- refused input ------------------------------------------------------------------------------------------------

NAIVE = datetime(2025, 3, 4, 9, 0)


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
@pytest.mark.parametrize(
    "build",
    [
        lambda meeting: invitation(meeting, "Mette Ørsted", "mette@example.dk"),
        lambda meeting: cancellation(meeting, "Mette Ørsted", "mette@example.dk"),
        lambda meeting: feed([meeting], "Netværksmøder"),
    ],
    ids=["invitation", "cancellation", "feed"],
)
def test_naive_datetimes_are_refused(build, field):
    with pytest.raises(ValueError, match=f"{field} must be timezone-aware"):
        build(a_meeting(**{field: NAIVE}))


@pytest.mark.parametrize("ends_at", [STARTS, STARTS - timedelta(minutes=1)])
def test_a_meeting_that_ends_before_it_starts_is_refused(ends_at):
    with pytest.raises(ValueError, match="ends_at"):
        invitation(a_meeting(ends_at=ends_at), "Mette Ørsted", "mette@example.dk")


def test_one_calendar_built_for_many_attendees_names_each_only_once():
    message = per_attendee(a_meeting(), "REQUEST")
    first, second = parse(message(TRICKY_CN, "soren@firma.example")), parse(message("Åse", "aase@firma.example"))
    for calendar, address, name in ((first, "soren@firma.example", TRICKY_CN), (second, "aase@firma.example", "Åse")):
        event = calendar.walk("VEVENT")[0]
        attendee = event["ATTENDEE"]
        assert not isinstance(attendee, list), "each message names its own attendee and no other"
        assert str(attendee) == f"mailto:{address}" and attendee.params["CN"] == name
        assert str(event["UID"]) == "meeting-12@holme-crm" and calendar["METHOD"] == "REQUEST"
    assert per_attendee(a_meeting(), "CANCEL")("Åse", "aase@firma.example").count(b"STATUS:CANCELLED") == 1


# -- as the standard writes it ------------------------------------------------------------------------------------


def property_names(data: bytes) -> list[str]:
    names = []
    for line in unfolded(data).decode("utf-8").split("\r\n")[:-1]:
        names.append(min((line.split(sep, 1)[0] for sep in (";", ":")), key=len))
    return names


@pytest.mark.parametrize(
    "build",
    [
        lambda meeting: invitation(meeting, "Mette Ørsted", "mette@example.dk"),
        lambda meeting: cancellation(replace(meeting, cancelled=True, sequence=3), "Mette Ørsted", "mette@example.dk"),
        lambda meeting: per_attendee(meeting, "REQUEST")("Åse", "aase@firma.example"),
        lambda meeting: feed([meeting], "Netværksmøder"),
    ],
    ids=["invitation", "cancellation", "per-attendee", "feed"],
)
def test_every_property_name_is_written_in_upper_case_as_the_standard_writes_it(build):
    data = build(a_meeting())
    names = property_names(data)
    assert "BEGIN" in names and "UID" in names
    assert [name for name in names if name != name.upper()] == []


def test_the_attendee_line_of_each_message_is_upper_case_and_parses_with_the_rest():
    message = per_attendee(a_meeting(sequence=2), "REQUEST")
    data = message("Søren Ørsted", "soren@firma.example")
    assert b"\r\nATTENDEE;" in data and b"\r\nattendee" not in data
    calendar = parse(data)
    assert calendar["METHOD"] == "REQUEST"
    event = the_event(calendar)
    assert event["UID"] == "meeting-12@holme-crm" and event.decoded("SEQUENCE") == 2
    assert event["ORGANIZER"] == "mailto:erhverv@hvidovre.dk"
    [attendee] = attendees_of(event)
    assert attendee == "mailto:soren@firma.example" and attendee.params["CN"] == "Søren Ørsted"
    cancel = parse(per_attendee(a_meeting(cancelled=True, sequence=3), "CANCEL")("Åse", "aase@firma.example"))
    assert cancel["METHOD"] == "CANCEL" and the_event(cancel).decoded("SEQUENCE") == 3
    assert attendees_of(the_event(cancel)) == ["mailto:aase@firma.example"]


# -- stored values with line breaks -------------------------------------------------------------------------------

BROKEN = "Netværksmøde\r\nBcc: x@example.com"


@pytest.mark.parametrize(
    "build",
    [
        lambda meeting: invitation(meeting, "Bo\r\nBcc: y@example.com", "bo@firma.example"),
        lambda meeting: cancellation(replace(meeting, cancelled=True), "Bo", "bo@firma.example"),
        lambda meeting: feed([meeting], BROKEN),
    ],
    ids=["invitation", "cancellation", "feed"],
)
def test_a_stored_title_place_or_name_with_a_line_break_still_makes_a_valid_calendar_on_one_line(build):
    meeting = a_meeting(title=BROKEN, location="Stamholmen 5\nHvidovre", organizer_name="Erhverv\rsteamet",
                        description="Dagsorden:\r\n1. Velkomst\r2. Affald\x00", url="https://x.example/\n")
    data = build(meeting)
    lines = data.split(b"\r\n")[:-1]
    assert not any(b"\n" in line or b"\r" in line or b"\x00" in line for line in lines)
    assert not any(line.startswith(b"Bcc") for line in lines)
    calendar = parse(data)
    event = the_event(calendar)
    assert event["SUMMARY"] == "Netværksmøde Bcc: x@example.com"
    assert event["LOCATION"] == "Stamholmen 5 Hvidovre"
    assert event["DESCRIPTION"] == "Dagsorden:\n1. Velkomst\n2. Affald"
    assert event["ORGANIZER"].params["CN"] == "Erhverv steamet"
    if "X-WR-CALNAME" in calendar:
        assert calendar["X-WR-CALNAME"] == "Netværksmøde Bcc: x@example.com"
    for attendee in attendees_of(event):
        assert "\n" not in attendee.params["CN"] and "\r" not in attendee.params["CN"]


def test_an_attendee_address_with_a_line_break_does_not_break_the_calendar():
    data = invitation(a_meeting(), "Bo", "bo@firma.example\r\nBcc: y@example.com")
    assert not any(b"\r" in line or b"\n" in line for line in data.split(b"\r\n"))
    parse(data)
