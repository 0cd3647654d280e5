"""Every connection of the app's pool is busy for longer than a request may wait: the request answers 503 with the
Danish page instead of hanging or failing with a 500, and is served as usual once a connection is free."""

from sqlalchemy import text

from crm.extensions import db
from crm.security import Role
from tests.conftest import make_app
from tests.faults.conftest import logged_in


def test_a_request_that_gets_no_connection_in_time_answers_503_and_the_next_is_served(fault_database_url):
    app = make_app(fault_database_url, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_pre_ping": True, "pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2})
    staff = logged_in(app, Role.STAFF, "travl@holme.example")
    with app.app_context():
        engine = db.engine
    try:
        with engine.connect() as busy:  # a long report, say, holds the only connection
            busy.execute(text("SELECT 1"))
            response = staff.get("/companies/")
            assert response.status_code == 503
            assert "Holme CRM er midlertidigt utilgængelig" in response.get_data(as_text=True)
            assert response.headers["Retry-After"] == "30"
        assert staff.get("/companies/").status_code == 200
    finally:
        engine.dispose()
