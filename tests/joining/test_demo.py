"""The demo has companies waiting for an answer to their request to join, as staff meet them on the home page."""

from sqlalchemy import select

from crm.joining.demo import load_demo_join_requests
from crm.joining.models import JoinRequest, JoinState


def test_the_demo_has_two_pending_requests_once(db, staff_client):
    assert load_demo_join_requests() == 2
    assert load_demo_join_requests() == 0, "loading again adds none"
    db.session.commit()
    rows = db.session.scalars(select(JoinRequest)).all()
    assert [row.state for row in rows] == [JoinState.PENDING, JoinState.PENDING]
    assert all(row.postal_code == "2650" for row in rows)
    assert "<strong>2</strong> anmodninger om optagelse" in staff_client.get("/").get_data(as_text=True)
