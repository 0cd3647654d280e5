from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import format_datetime

from crm.i18n import NUMERIC_PATTERNS, day, localtime
from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]


def test_danish_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="da">' in page and "Glemt adgangskode?" in page


def test_english_from_the_browser(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Forgot your password?" in page


def test_the_users_choice_beats_the_browser(client, staff_client, db):
    response = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/login"
    assert "Forgot your password?" in client.get("/login", headers={"Accept-Language": "da"}).get_data(as_text=True)
    staff_client.post("/language", data={"lang": "en", "csrf_token": csrf_token(staff_client)})
    assert staff_client.user.locale == "en"


def _source_messages():
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for folder, method_map in (
        ("crm", [("**.py", "python")]),
        ("templates", [("**.html", "jinja2.ext:babel_extract"), ("**.txt", "jinja2.ext:babel_extract")]),
    ):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, keywords=keywords, directory_filter=lambda path: True
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_text_is_translated(language):
    path = ROOT / "crm" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    translated = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and all(strings):
            translated.add(message.id if isinstance(message.id, str) else message.id[0])
    missing = _source_messages() - translated
    assert not missing, f"untranslated in {language}: {sorted(missing)[:10]}"


@pytest.mark.parametrize("moment", [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
                                    datetime(2026, 10, 25, 0, 59, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
                                    datetime(2026, 12, 31, 23, 15, tzinfo=UTC)])
def test_the_quick_time_format_shows_copenhagen_time_as_babel_does_across_summer_time(app, moment):
    with app.test_request_context():
        for pattern in NUMERIC_PATTERNS:
            assert localtime(moment, pattern) == format_datetime(moment, pattern)
        assert localtime(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == "29.03.2026 03:30"  # summer time has begun


def test_a_day_is_written_one_way_for_dates_and_times(app):
    with app.test_request_context():
        assert day(date(2026, 12, 2)) == "02.12.2026"
        assert day(datetime(2026, 12, 31, 23, 15, tzinfo=UTC)) == "01.01.2027", "the day in Copenhagen"
        assert day(None) == ""
