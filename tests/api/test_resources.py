"""What each API resource answers: content, pages walked to the end, filters, ETags, a company token's reach."""

import pytest
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from sqlalchemy import select

from crm.api.models import TokenScope
from crm.companies.models import Activity
from crm.security import Role
from tests.api.conftest import bearer
from tests.api.world import build_network


@pytest.fixture
def network(db, make_company):
    return build_network(db, make_company)


def walk(client, url, secret, limit, cursor=None):
    """Every item of a list, page by page (from the cursor); the number of pages."""
    items, pages = [], 0
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(f"{url}?{query}", headers=bearer(secret))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items.extend(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


def test_walking_the_company_pages_gives_every_company_once(client, make_token, make_company, db):
    made = {make_company(name=f"Side {n} A/S").id for n in range(7)}
    items, pages = walk(client, "/api/v1/companies", make_token(), limit=3)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) and made <= set(ids) and ids == sorted(ids)
    assert pages == -(-len(ids) // 3)


def test_a_company_added_between_pages_is_neither_skipped_nor_repeated(client, make_token, make_company):
    secret = make_token()
    first = [make_company().id for _ in range(4)]
    page = client.get("/api/v1/companies?limit=2", headers=bearer(secret)).get_json()
    added = make_company().id
    rest, _pages = walk(client, "/api/v1/companies", secret, limit=2, cursor=page["next_cursor"])
    seen = [item["id"] for item in page["items"] + rest]
    assert len(seen) == len(set(seen)) and {*first, added} <= set(seen)


def test_the_companies_are_filtered_like_the_list(client, make_token, network, make_company):
    make_company(name="Gamma Udmeldt ApS", status="left")
    secret = make_token()
    members = client.get("/api/v1/companies?status=member&limit=200", headers=bearer(secret)).get_json()
    assert {item["name"] for item in members["items"]} >= {"Alfa Holme A/S", "Beta Holme ApS"}
    assert all(item["status"] == "member" for item in members["items"])
    found = client.get("/api/v1/companies?q=beta holme", headers=bearer(secret)).get_json()["items"]
    assert [item["name"] for item in found] == ["Beta Holme ApS"]
    in_water = client.get("/api/v1/companies?group=vand", headers=bearer(secret)).get_json()["items"]
    assert {item["id"] for item in in_water} == {network["a"].id, network["b"].id}
    refused = client.get("/api/v1/companies?status=sleeping", headers=bearer(secret))
    assert refused.status_code == 422 and "status" in refused.get_json()["errors"]["query"]


def test_an_unchanged_answer_is_304_with_its_etag(client, make_token, network, db):
    secret = make_token()
    for url in ("/api/v1/companies", f"/api/v1/companies/{network['a'].id}",
                f"/api/v1/meetings/{network['meeting'].id}"):
        first = client.get(url, headers=bearer(secret))
        etag = first.headers["ETag"]
        again = client.get(url, headers={**bearer(secret), "If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
    network["a"].name = "Alfa Holme Omdøbt A/S"
    db.session.commit()
    changed = client.get(f"/api/v1/companies/{network['a'].id}", headers={**bearer(secret), "If-None-Match": etag})
    assert changed.status_code == 200


def test_a_company_token_reaches_only_its_own_company(client, make_token, network):
    a, b = network["a"], network["b"]
    secret = make_token(Role.COMPANY, company=a)
    companies = client.get("/api/v1/companies", headers=bearer(secret)).get_json()["items"]
    assert [item["id"] for item in companies] == [a.id]
    assert client.get(f"/api/v1/companies/{b.id}", headers=bearer(secret)).status_code == 404
    assert client.get(f"/api/v1/contributions/{network['invoice_b'].id}", headers=bearer(secret)).status_code == 404
    invoices = client.get("/api/v1/contributions", headers=bearer(secret)).get_json()["items"]
    assert [item["company_id"] for item in invoices] == [a.id]
    meeting = client.get(f"/api/v1/meetings/{network['meeting'].id}", headers=bearer(secret)).get_json()
    assert {row["company_id"] for row in meeting["invitations"] + meeting["attendance"]} == {a.id}
    group = client.get(f"/api/v1/groups/{network['group'].id}", headers=bearer(secret)).get_json()
    assert {row["company_id"] for row in group["members"]} == {a.id}
    plots = {item["cadastral_number"]: item for item in
             client.get("/api/v1/plots", headers=bearer(secret)).get_json()["items"]}
    rented = plots["7b Avedøre By, Avedøre"]
    assert rented["owner_id"] is None and [row["company_id"] for row in rented["tenancies"]] == [a.id]
    assert plots["8c Avedøre By, Avedøre"]["owner_id"] == a.id and plots["8c Avedøre By, Avedøre"]["tenancies"] == []
    for url in ("/api/v1/contacts", f"/api/v1/contacts/{network['contact_a'].id}"):
        refused = client.get(url, headers=bearer(secret))
        assert refused.status_code == 403 and "erhvervsteamets" in refused.get_json()["message"]


def test_staff_read_the_meeting_with_every_invitation_and_attendance(client, make_token, network):
    secret = make_token()
    meetings = client.get("/api/v1/meetings?year=2031", headers=bearer(secret)).get_json()["items"]
    assert [item["title"] for item in meetings] == ["Netværksmøde marts"]
    meeting = client.get(f"/api/v1/meetings/{network['meeting'].id}", headers=bearer(secret)).get_json()
    assert meeting["starts_at"] == "2031-03-04T15:00:00+00:00"
    assert {(row["company_id"], row["rsvp"]) for row in meeting["invitations"]} == {
        (network["a"].id, "yes"), (network["b"].id, "yes")}
    assert {row["contact_id"] for row in meeting["attendance"]} == {network["contact_a"].id, network["contact_b"].id}


def test_staff_read_contacts_groups_and_contributions(client, make_token, network):
    secret = make_token()
    contacts = client.get(f"/api/v1/contacts?company={network['b'].id}", headers=bearer(secret)).get_json()
    assert [(row["name"], row["email"]) for row in contacts["items"]] == [("Kontakt B", "b@firma.example")]
    groups = client.get("/api/v1/groups", headers=bearer(secret)).get_json()["items"]
    assert "vand" in {group["slug"] for group in groups}
    invoice = client.get(f"/api/v1/contributions/{network['invoice_b'].id}", headers=bearer(secret)).get_json()
    assert (invoice["total_ore"], invoice["paid_ore"]) == (125_000, 50_000)
    assert [(row["paid_on"], row["amount_ore"]) for row in invoice["payments"]] == [("2031-02-10", 50_000)]
    by_year = client.get("/api/v1/contributions?year=2031&limit=200", headers=bearer(secret)).get_json()["items"]
    assert {network["invoice_a"].id, network["invoice_b"].id} <= {row["id"] for row in by_year}


def test_a_staff_read_write_token_writes_a_timeline_entry(client, make_token, network, db):
    secret = make_token(scope=TokenScope.READ_WRITE)
    company = network["a"]
    response = client.post(f"/api/v1/companies/{company.id}/activities", headers=bearer(secret),
                           json={"kind": "call", "text": "Ringede om fælles affaldsordning",
                                 "occurred_at": "2031-03-01T09:30:00+01:00"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["occurred_at"] == "2031-03-01T08:30:00+00:00" and body["author_id"] == secret.user.id
    activity = db.session.get(Activity, body["id"])
    assert activity.company_id == company.id and activity.text == "Ringede om fælles affaldsordning"
    for bad in ({"kind": "change", "text": "x"}, {"kind": "note", "text": ""}, {"kind": "note", "text": "a\x00b"},
                {"kind": "note"}, {"kind": "note", "text": "x", "occurred_at": "2031-03-01T09:30:00"}):
        refused = client.post(f"/api/v1/companies/{company.id}/activities", headers=bearer(secret), json=bad)
        assert refused.status_code == 422 and refused.is_json, bad
    assert client.post("/api/v1/companies/999999/activities", headers=bearer(secret),
                       json={"kind": "note", "text": "x"}).status_code == 404


def test_a_company_token_cannot_write_on_the_timeline(client, make_token, network, db):
    secret = make_token(Role.COMPANY, company=network["a"], scope=TokenScope.READ_WRITE)
    response = client.post(f"/api/v1/companies/{network['a'].id}/activities", headers=bearer(secret),
                           json={"kind": "note", "text": "Vi vil gerne med i energigruppen"})
    assert response.status_code == 403
    assert db.session.scalars(select(Activity).where(Activity.company_id == network["a"].id)).first() is None


def test_a_session_cookie_does_not_open_the_api(staff_client):
    response = staff_client.get("/api/v1/companies")
    assert response.status_code == 401 and response.is_json
    assert "Bearer" in response.get_json()["message"]


def test_bad_input_is_answered_in_json_never_html_or_5xx(client, make_token):
    secret = make_token()
    for url, status in (("/api/v1/companies?limit=100000", 422), ("/api/v1/companies?cursor=%%%", 422),
                        ("/api/v1/companies?cursor=YWZ0ZXI6LTE", 422),
                        ("/api/v1/contacts?company=99999999999999999999", 422),
                        ("/api/v1/companies/99999999999999999999", 404), ("/api/v1/nothing-here", 404),
                        ("/api/v1/companies?q=a%00b", 400)):
        response = client.get(url, headers=bearer(secret))
        assert response.status_code == status and response.is_json, url
        assert response.get_json()["message"]
    assert client.post("/api/v1/companies", headers=bearer(secret), json={}).status_code == 405


def test_the_openapi_document_is_valid_3_1_and_the_docs_page_lists_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(document).validate()
    assert {"/api/v1/companies", "/api/v1/contacts", "/api/v1/plots", "/api/v1/meetings/{meeting_id}",
            "/api/v1/groups/{group_id}", "/api/v1/contributions", "/api/v1/companies/{company_id}/activities"} \
        <= set(document["paths"])
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for path in document["paths"]:
        assert path in text
    assert "Authorization: Bearer" in text and "<script src=\"http" not in text


def test_every_person_an_answer_shows_is_in_the_access_log_with_the_tokens_owner(client, db, make_token, network):
    from crm.audit.access_models import AccessEntry

    secret = make_token()
    a, b = network["contact_a"], network["contact_b"]
    for url in ("/api/v1/contacts?limit=200", f"/api/v1/contacts/{a.id}", f"/api/v1/meetings/{network['meeting'].id}",
                f"/api/v1/groups/{network['group'].id}"):
        assert client.get(url, headers=bearer(secret)).status_code == 200

    reads = select(AccessEntry.endpoint, AccessEntry.contact_id).where(AccessEntry.user_id == secret.user.id,
                                                                       AccessEntry.kind == "api")
    seen = {}
    for endpoint, contact_id in db.session.execute(reads):
        seen.setdefault(endpoint, set()).add(contact_id)
    assert {a.id, b.id} <= seen["api_companies.contacts"]
    assert seen["api_companies.contact"] == {a.id}
    assert {a.id, b.id} <= seen["api_meetings.meeting"], "the attendance names the persons who came"
    assert {a.id, b.id} <= seen["api_groups.group"], "the members of the group"
    assert "api_companies.companies" not in seen
