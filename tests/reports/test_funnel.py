"""The engagement funnel on the hand-built network (now: 1 December 2024), and its pages."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from crm.companies.models import Company
from crm.meetings.models import Invitation, Meeting
from crm.reports import funnel
from tests.reports.conftest import NOW
from tests.reports.test_figures import firms, names


def step_names(step, now=NOW):
    return names(select(Company.id).where(funnel.step_companies(step, now)))


def test_each_step_counts_the_companies_that_took_it_and_every_step_before(built):
    # invited in the 12 months: everyone but H (C through January's minutes, G as a walk-in, F on 1 January);
    # a portal user: A, B, E (D's login is closed, G chose no password, C's is closed, F's came later);
    # came to a meeting: all three; pay: A (partly paid) and B (C's invoice was credited); in a group: A and B.
    assert step_names("invited") == firms("A", "B", "C", "D", "E", "F", "G")
    assert step_names("portal") == firms("A", "B", "E")
    assert step_names("came") == firms("A", "B", "E")
    assert step_names("pays") == firms("A", "B")
    assert step_names("group") == firms("A", "B")
    steps = funnel.funnel(NOW)
    assert [(step.key, step.total) for step in steps] == [("invited", 7), ("portal", 3), ("came", 3), ("pays", 2),
                                                          ("group", 2)]
    assert steps[0].by_role == {"owner": 2, "tenant": 4, "both": 1}
    assert steps[3].by_role == {"owner": 1, "tenant": 1}


def test_a_year_later_nobody_came_or_paid(built):
    later = NOW + timedelta(days=400)
    assert step_names("invited", later) == []
    assert [step.total for step in funnel.funnel(later)] == [0, 0, 0, 0, 0]


def test_the_funnel_page_its_lists_exports_and_the_invitation_aid(staff_client, db, make_company):
    starts = datetime.now(UTC) + timedelta(days=10)
    spring = Meeting(title="Forårsmøde", starts_at=starts, ends_at=starts + timedelta(hours=2))
    db.session.add(spring)
    db.session.flush()
    invited = make_company(name="Holme Rør ApS")
    db.session.add(Invitation(meeting_id=spring.id, company_id=invited.id))
    db.session.commit()
    page = staff_client.get("/reports/funnel").get_data(as_text=True)
    assert "Har en portalbruger" in page and 'href="/reports/funnel/pays"' in page
    step = staff_client.get("/reports/funnel/invited").get_data(as_text=True)
    assert "Holme Rør ApS" in step
    assert "Invitér virksomheden til Forårsmøde" in step
    assert f'href="/meetings/{spring.id}/invite?cvrs={invited.cvr}"' in step
    invite_page = staff_client.get(f"/meetings/{spring.id}/invite?cvrs={invited.cvr}").get_data(as_text=True)
    assert 'value="cvrs" checked' in invite_page and f"\n{invited.cvr}</textarea>" in invite_page
    lines = staff_client.get("/reports/funnel/invited.csv").data.decode("utf-8-sig").splitlines()
    assert lines[0] == "CVR-nr.;Navn;Rolle;Status;Indmeldt;Udmeldt"
    assert [line.split(";")[1] for line in lines[1:]] == ["Holme Rør ApS"]
    assert "Holme Rør ApS" not in staff_client.get("/reports/funnel/portal").get_data(as_text=True)
    assert staff_client.get("/reports/funnel/everything").status_code == 404
