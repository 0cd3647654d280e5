"""A newcomer's demo logins after `make run`: staff and company with their password, the admin with a code."""

from crm.demo import DEMO_ADMIN_TWO_FACTOR_SECRET, load_demo_logins
from tests.conftest import login, post


def test_the_demo_admin_logs_in_with_the_code_of_demo_code_and_the_others_with_a_password(app, db, make_company):
    make_company()
    load_demo_logins()
    db.session.commit()
    for email, password, home in (("staff@holme.example", "holme-demo-staff", "/"),
                                  ("firma@holme.example", "holme-demo-firma", "/portal/")):
        client = app.test_client()
        answer = login(client, email, password, second_step=False)
        assert answer.status_code == 302 and answer.location == home, email
    admin = app.test_client()
    assert login(admin, "admin@holme.example", "holme-demo-admin", second_step=False).location \
        == "/login/two-factor"
    code = app.test_cli_runner().invoke(args=["demo", "code"])
    assert code.exit_code == 0 and code.output.strip().isdigit()
    assert post(admin, "/login/two-factor", {"code": code.output.strip()}).location == "/"
    assert admin.get("/audit/").status_code == 200


def test_demo_code_refuses_in_production(app, monkeypatch):
    monkeypatch.setenv("HOLME_ENV", "production")
    answer = app.test_cli_runner().invoke(args=["demo", "code"])
    assert answer.exit_code != 0 and "produktion" in answer.output
    assert DEMO_ADMIN_TWO_FACTOR_SECRET not in answer.output
