"""Helpers for the join tests: a filled-in /join form as a person sends it."""

from itertools import count

import pytest

from tests.conftest import csrf_token, valid_cvr

_serial = count(1)


def join_data(**overrides):
    """What a person types into /join: a valid CVR (with DK and spaces), an address in 2650, a tenant, consent."""
    serial = next(_serial)
    cvr = valid_cvr(810_000 + serial * 11)
    values = {
        "cvr": f"DK {cvr[:2]} {cvr[2:4]} {cvr[4:6]} {cvr[6:]}", "name": f"Holmens Nye Værksted {serial} ApS",
        "street": "Stamholmen 173", "postal_code": "2650", "city": "Hvidovre", "role": "tenant",
        "contact_name": "Åse Ny-Østergaard", "contact_email": f"Aase.{serial}@Nyt-Vaerksted.example",
        "contact_phone": "+45 20 30 40 50", "consent": "y", "homepage": "",
    }
    values.update(overrides)
    return values


def send_join(client, **overrides):
    """POST /join with the page's CSRF token."""
    return client.post("/join", data={"csrf_token": csrf_token(client), **join_data(**overrides)})


@pytest.fixture
def join_request(db, client):
    """A pending request, sent through the form."""
    from sqlalchemy import select

    from crm.joining.models import JoinRequest

    response = send_join(client)
    assert response.status_code == 302
    return db.session.scalars(select(JoinRequest).order_by(JoinRequest.id.desc())).first()
