"""What happens when two staff act at once, on a database of its own (PostgreSQL: real row locks)."""

import os
import threading
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, select

from crm.companies.models import Company
from crm.contributions import billing, payments, schemes
from crm.contributions.models import Contribution, ContributionScheme, InvoiceSequence, Payment, TenantSplit, TierBasis
from crm.extensions import db
from tests.conftest import make_app, valid_cvr
from tests.databases import scratch_database

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="needs PostgreSQL: row locks between connections")
YEAR = 2032


@pytest.fixture(scope="module")
def shared_app():
    with scratch_database("contributions") as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def fresh(shared_app):
    with shared_app.app_context():
        for model in (Payment, Contribution, InvoiceSequence, ContributionScheme, Company):
            db.session.execute(delete(model))
        db.session.commit()
        yield shared_app


def in_threads(app, count, work):
    """Run work(index) in `count` threads at once, each with its own session; the errors they raised."""
    barrier, errors = threading.Barrier(count), []

    def run(index):
        with app.app_context():
            try:
                barrier.wait()
                work(index)
            except Exception as error:  # noqa: BLE001 - handed to the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_numbers_have_no_gaps_when_half_the_transactions_roll_back(fresh):
    db.session.add(InvoiceSequence(year=YEAR, last_number=0))
    db.session.commit()
    committed = []

    def take(index):
        number = billing.take_numbers(YEAR, 1)[0]  # waits for the row lock held by the others
        if index % 2:
            db.session.rollback()
        else:
            db.session.commit()
            committed.append(number)

    assert in_threads(fresh, 8, take) == []
    assert sorted(committed) == [1, 2, 3, 4]
    assert db.session.get(InvoiceSequence, YEAR).last_number == 4


def test_two_billing_runs_at_once_one_bills_and_the_other_is_told(fresh):
    for serial in range(20):
        db.session.add(Company(cvr=valid_cvr(9000 + serial * 7), name=f"Samtidig {serial} ApS", status="member"))
    scheme = schemes.save_scheme(ContributionScheme(), {
        "year": YEAR, "name": "Samtidig", "base_ore": 100_000, "tier_basis": TierBasis.NONE, "split_plots": False,
        "owner_share_pct": 100, "tenant_split": TenantSplit.AREA, "minimum_ore": None, "maximum_ore": None,
        "vat": True, "prorate": False, "due_days": 30, "reminder_1_days": 14, "reminder_2_days": 28}, ())
    schemes.adopt(scheme)
    db.session.commit()
    outcomes = []
    started = threading.Event()

    def run(index):
        if index:
            started.wait(10)  # the second starts while the first holds the lock
        try:
            result = billing.bill(YEAR, today=date(YEAR, 2, 1))
            started.set()
            threading.Event().wait(0.5)  # keep the lock a moment, as a real run of 394 would
            db.session.commit()
            outcomes.append(("billed", len(result.billed)))
        except billing.BillingRefused as refused:
            started.set()
            outcomes.append(("told", refused.reason))

    assert in_threads(fresh, 2, run) == []
    assert sorted(outcomes) == [("billed", 20), ("told", "in_progress")]
    numbers = db.session.scalars(select(Contribution.invoice_number).order_by(Contribution.invoice_number)).all()
    assert numbers == list(range(1, 21))


def test_two_payments_registered_at_once_both_count(fresh):
    company = Company(cvr=valid_cvr(9999), name="Betaler ApS", status="member")
    scheme = ContributionScheme(year=YEAR, name="Betaling")
    db.session.add_all([company, scheme])
    db.session.flush()
    contribution = Contribution(company_id=company.id, year=YEAR, scheme_id=scheme.id, invoice_number=1,
                                invoice_date=date(YEAR, 2, 1), due_date=date(YEAR, 3, 1), net_ore=80_000,
                                vat_ore=20_000, lines=[], state="sent")
    db.session.add(contribution)
    db.session.commit()
    contribution_id = contribution.id

    def pay(index):
        row = db.session.get(Contribution, contribution_id)  # both read "nothing paid yet"
        payments.register_payment(row, 50_000, date(YEAR, 2, 10), f"bank {index}")
        db.session.commit()

    assert in_threads(fresh, 2, pay) == []
    db.session.expire_all()
    row = db.session.get(Contribution, contribution_id)
    assert (row.paid_ore, row.state) == (100_000, "paid")
    assert len(row.payments) == 2
