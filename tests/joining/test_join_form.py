"""The public form at /join: what a company new to the area sees and sends, and what a robot or a flood gets."""

from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.companies.models import Company
from crm.joining.models import JoinRequest, JoinState
from crm.mail.models import OutboundEmail
from tests.conftest import csrf_token
from tests.joining.conftest import join_data, send_join


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_login_page_links_to_the_join_form_which_is_danish_and_needs_no_login(client):
    login = client.get("/login").get_data(as_text=True)
    assert 'href="/join"' in login and "Ny virksomhed på Avedøre Holme? Bliv en del af netværket" in login
    page = client.get("/join")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Bliv en del af netværket" in text and "postnummer 2650 Hvidovre" in text
    assert 'class="app-honeypot"' in text and 'style=' not in text.split("<body>")[1]


def test_a_good_request_is_stored_as_written_and_answered_with_a_thank_you_page(db, client):
    response = send_join(client, cvr="DK 29 91 04 13", contact_email="Pia.Ny@Holme-Firma.example")
    assert response.status_code == 302 and response.headers["Location"] == "/join/thanks"
    thanks = client.get("/join/thanks").get_data(as_text=True)
    assert "Tak for jeres anmodning" in thanks
    row = db.session.scalars(select(JoinRequest)).one()
    assert (row.cvr, row.state, row.role, row.postal_code) == ("29910413", JoinState.PENDING, "tenant", "2650")
    assert row.contact_email == "pia.ny@holme-firma.example"
    assert row.consent_at is not None and row.consent_text_version == "join-2024-1"
    assert row.address == "127.0.0.1"
    assert count(db, Company) == 0, "nothing is made before staff approve"
    assert count(db, OutboundEmail) == 0, "the form sends no mail: it cannot be used to mail strangers"


def test_a_bad_cvr_an_address_outside_the_area_and_no_consent_are_refused_in_danish(db, client):
    response = send_join(client, cvr="12345678", postal_code="2000", consent="")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "kontrolcifferet passer ikke" in text
    assert "Netværket er for virksomheder på Avedøre Holme, postnummer 2650 Hvidovre." in text
    assert "Sæt kryds, hvis sekretariatet må kontakte jer." in text
    assert count(db, JoinRequest) == 0


def test_too_long_and_multi_line_values_are_refused_never_cut(db, client):
    response = send_join(client, name="x" * 201, contact_name="Åse\r\nBcc: x@example.com", role="both")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Højst 200 tegn; der er 201." in text and "på én linje" in text and "Vælg en af mulighederne" in text
    assert count(db, JoinRequest) == 0


def test_the_answer_is_the_same_whether_or_not_the_cvr_is_known(db, client, make_company):
    known = make_company(cvr="29910413", name="Kendt Firma ApS")
    first = send_join(client, cvr=known.cvr)
    second = send_join(client, cvr="29910421")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == "/join/thanks"
    assert count(db, JoinRequest) == 2


def test_a_filled_honeypot_gets_the_same_thank_you_and_stores_nothing(db, client):
    response = send_join(client, homepage="https://spam.example")
    assert response.status_code == 302 and response.headers["Location"] == "/join/thanks"
    assert count(db, JoinRequest) == 0
    assert count(db, AuditEntry) == 0


def test_a_missing_csrf_token_is_refused_and_nothing_is_stored(db, client):
    response = client.post("/join", data=join_data())
    assert response.status_code == 400
    assert "Formularen er udløbet" in response.get_data(as_text=True)
    assert count(db, JoinRequest) == 0


def test_an_address_gets_five_requests_an_hour_then_a_danish_refusal_while_others_go_on(db, app, client):
    flooder = app.test_client()
    flooder.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    token = csrf_token(flooder)
    answers = [flooder.post("/join", data={"csrf_token": token, **join_data()}).status_code for _ in range(6)]
    assert answers == [302] * 5 + [429]
    sixth = flooder.post("/join", data={"csrf_token": token, **join_data()})
    assert "For mange anmodninger" in sixth.get_data(as_text=True)
    assert count(db, JoinRequest) == 5
    assert send_join(client).status_code == 302, "another address is not held back"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "join.throttled")) == 2
