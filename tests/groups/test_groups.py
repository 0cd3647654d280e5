"""Working groups as staff run them: members with history, chairs, initiatives, group mail."""

from datetime import date, timedelta

from sqlalchemy import func, select

from crm.companies import services as company_services
from crm.companies.models import Activity
from crm.groups import services
from crm.groups.models import GroupMembership, MemberRole, WorkingGroup
from crm.mail.models import OutboundEmail
from tests.confirming import post_confirmed
from tests.conftest import post


def group(db, slug):
    return db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == slug)).one()


def test_the_five_groups_exist_from_the_migration(db):
    names = db.session.scalars(select(WorkingGroup.name).order_by(WorkingGroup.id)).all()
    assert names == ["Affald & ressourcer", "Energi", "Vand", "Kommunikation", "Natur & biodiversitet"]


def test_add_several_companies_at_once_and_the_same_one_twice(staff_client, db, make_company):
    a, b, c = make_company(name="Akva ApS"), make_company(name="Bølge A/S"), make_company(name="Cirkel ApS")
    response = post(staff_client, "/groups/vand/members", {"cvrs": f"{a.cvr}, {b.cvr}\n{c.cvr}", "role": "member"})
    assert response.status_code == 302
    again = post(staff_client, "/groups/vand/members", {"cvrs": a.cvr, "role": "member"}, follow_redirects=True)
    assert "Allerede med: Akva ApS" in again.get_data(as_text=True)
    water = group(db, "vand")
    assert db.session.scalar(select(func.count()).select_from(GroupMembership).where(
        GroupMembership.group_id == water.id, GroupMembership.left_on.is_(None))) == 3
    page = staff_client.get("/groups/vand").get_data(as_text=True)
    assert "Akva ApS" in page and "Bølge A/S" in page and "Medlemmer (3)" in page
    company_page = staff_client.get(f"/companies/{a.id}").get_data(as_text=True)
    assert "Vand" in company_page and "Med i arbejdsgruppen Vand." in company_page


def test_unknown_and_invalid_cvrs_are_explained(staff_client, db):
    bad = post(staff_client, "/groups/vand/members", {"cvrs": "12345678"}, follow_redirects=True)
    assert "kontrolcifferet" in bad.get_data(as_text=True)
    unknown = post(staff_client, "/groups/vand/members", {"cvrs": "10150817"}, follow_redirects=True)
    assert "Ingen virksomhed med CVR-nummer 10150817" in unknown.get_data(as_text=True)


def test_removing_the_only_chair_is_warned_and_history_is_kept(staff_client, db, make_company):
    chair = make_company(name="Formand ApS")
    services.add_members(group(db, "vand"), [chair], role=MemberRole.CHAIR)
    db.session.commit()
    membership = db.session.scalars(select(GroupMembership)).one()
    warned = post(staff_client, f"/groups/vand/members/{membership.id}/remove")
    assert "eneste formand" in warned.get_data(as_text=True)
    assert db.session.get(GroupMembership, membership.id).left_on is None
    post(staff_client, f"/groups/vand/members/{membership.id}/remove", {"confirm": "1"})
    db.session.refresh(membership)
    assert membership.left_on == date.today()  # ended, not deleted
    assert "Medlemmer (0)" in staff_client.get("/groups/vand").get_data(as_text=True)


def test_make_a_member_chair(staff_client, db, make_company):
    company = make_company()
    services.add_members(group(db, "vand"), [company])
    db.session.commit()
    membership = db.session.scalars(select(GroupMembership)).one()
    post(staff_client, f"/groups/vand/members/{membership.id}/role", {"role": "chair"})
    db.session.refresh(membership)
    assert membership.role == MemberRole.CHAIR


def test_group_mail_goes_to_every_members_contact_with_a_timeline_line(staff_client, db, make_company):
    first, second = make_company(name="Første ApS"), make_company(name="Anden ApS")
    company_services.add_contact(first, {"name": "Ida", "email": "ida@forste.example"})
    company_services.add_contact(second, {"name": "Bo", "email": "bo@anden.example"})
    services.add_members(group(db, "vand"), [first, second])
    db.session.commit()
    response = post_confirmed(staff_client, "/groups/vand/mail", {"subject": "Møde om regnvand", "body": "Vi ses"})
    assert response.status_code == 302
    mails = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.to_address)).all()
    assert [m.to_address for m in mails] == ["bo@anden.example", "ida@forste.example"]
    assert all("Vi ses" in m.body_text and "Vand" in m.body_text for m in mails)
    assert db.session.scalar(select(func.count()).select_from(Activity).where(
        Activity.kind == "email", Activity.text.contains("Møde om regnvand"))) == 2


def test_initiative_with_figures(staff_client, db):
    post(staff_client, "/groups/natur/initiatives", {
        "title": "Vild natur", "status": "running", "figures": "Vild natur; 15; ha\nArter talt på 100 m²; 105; arter"})
    page = staff_client.get("/groups/natur").get_data(as_text=True)
    assert "Vild natur" in page and "<strong>15 ha</strong>" in page and "<strong>105 arter</strong>" in page
    bad = post(staff_client, "/groups/natur/initiatives",
               {"title": "X", "status": "running", "figures": "Areal; mange"}, follow_redirects=True)
    assert "Linje 1" in bad.get_data(as_text=True)


def test_archived_group_takes_no_new_members(admin_client, db, make_company):
    company = make_company()
    response = post(admin_client, "/groups/energi/edit", {"name": "Energi", "slug": "energi", "purpose": ""})
    assert response.status_code == 302 and not group(db, "energi").active
    answer = post(admin_client, "/groups/energi/members", {"cvrs": company.cvr}, follow_redirects=True)
    assert "arkiveret" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(GroupMembership)) == 0


def test_admins_create_and_rename_groups_staff_cannot(admin_client, staff_client, db):
    created = post(admin_client, "/groups/new", {"name": "Mobilitet", "slug": "mobilitet", "active": "y"})
    assert created.status_code == 302 and group(db, "mobilitet").name == "Mobilitet"
    duplicate = post(admin_client, "/groups/new", {"name": "Vand", "slug": "vand2", "active": "y"})
    assert duplicate.status_code == 422
    assert post(staff_client, "/groups/new", {"name": "X", "slug": "x"}).status_code == 403


def test_company_list_filters_by_group_and_counts_change_over_the_year(staff_client, db, make_company):
    inside, outside = make_company(name="Indenfor ApS"), make_company(name="Udenfor ApS")
    services.add_members(group(db, "affald"), [inside])
    old = GroupMembership(group_id=group(db, "affald").id, company_id=outside.id,
                          joined_on=date(date.today().year - 1, 3, 1), left_on=date.today() - timedelta(days=1))
    db.session.add(old)
    db.session.commit()
    listing = staff_client.get("/companies/?group=affald").get_data(as_text=True)
    assert "Indenfor ApS" in listing and "Udenfor ApS" not in listing
    counts = services.member_counts()
    assert counts[group(db, "affald").id] == 1
    if date.today() > date(date.today().year, 1, 1):
        assert services.member_counts(date(date.today().year, 1, 1))[group(db, "affald").id] >= 1


def test_company_user_cannot_change_membership(company_client, db, make_company):
    other = make_company()
    assert post(company_client, "/groups/vand/members", {"cvrs": other.cvr}).status_code == 403
    assert company_client.get("/groups/vand").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(GroupMembership)) == 0


def test_group_page_shows_its_meetings_and_open_action_items(staff_client, db):
    from datetime import UTC, datetime

    from crm.meetings import services as meeting_services
    from crm.meetings.models import ActionItem

    water = group(db, "vand")
    soon = datetime.now(UTC) + timedelta(days=9)
    before = datetime.now(UTC) - timedelta(days=30)
    meeting_services.create_meeting({"title": "Vandgruppen mødes", "group_id": water.id, "starts_at": soon,
                                     "ends_at": soon + timedelta(hours=1)})
    held = meeting_services.create_meeting({"title": "Vandgruppen i oktober", "group_id": water.id,
                                            "starts_at": before, "ends_at": before + timedelta(hours=1)})
    db.session.add(ActionItem(meeting_id=held.id, title="Mål regnvandet"))
    db.session.commit()
    page = staff_client.get("/groups/vand").get_data(as_text=True)
    assert "Vandgruppen mødes" in page and "Vandgruppen i oktober" in page and "Mål regnvandet" in page
    assert "Vandgruppen mødes" not in staff_client.get("/groups/energi").get_data(as_text=True)


def test_group_documents_are_checked_and_downloaded_as_attachments(staff_client, db):
    import io

    from crm.groups.models import GroupDocument

    exe = post(staff_client, "/groups/natur/documents", {"file": (io.BytesIO(b"MZ\x90\x00binary"), "kort.pdf")},
               content_type="multipart/form-data", follow_redirects=True)
    assert "kan ikke vedhæftes" in exe.get_data(as_text=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
    post(staff_client, "/groups/natur/documents", {"file": (io.BytesIO(png), "Naturkort.png")},
         content_type="multipart/form-data")
    document = db.session.scalars(select(GroupDocument)).one()
    assert document.content_type == "image/png"
    assert "Naturkort.png" in staff_client.get("/groups/natur").get_data(as_text=True)
    download = staff_client.get(f"/groups/natur/documents/{document.id}")
    assert download.data == png and download.headers["Content-Disposition"].startswith("attachment;")
    assert staff_client.get(f"/groups/vand/documents/{document.id}").status_code == 404
