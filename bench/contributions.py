"""The contributions section: a billing run for 394 companies, one invoice PDF, a bank statement of 5,000
transactions matched against those invoices (bench/statements.py), and the calculator at scale 100.

Targets (issue "Contributions"): billing run (rows, numbers, queued mails; PDFs are made when sent) under 2 s;
one invoice PDF under 300 ms; the scenario calculator for 39,400 companies under 1 s.
"""

import statistics
import sys
from datetime import date
from time import perf_counter

from sqlalchemy import func, select, update

from bench import statements
from bench.datasets import bench_app, dataset

BILL_COMPANIES = 394
ROUNDS = 3
TARGETS = {"billing_s": 2.0, "pdf_s": 0.3, "statement_s": statements.TARGET_S, "calculator_s": 1.0}


def _scheme(year, adopt):
    """Base fee, tiers by plot area split 40/60 between owner and tenants by area: the heaviest calculation."""
    from crm.contributions import calculation, schemes
    from crm.contributions.models import ContributionScheme, ContributionTier, TenantSplit, TierBasis

    values = {"year": year, "name": "Bench", "base_ore": 150_000, "tier_basis": TierBasis.AREA,
              "split_plots": True, "owner_share_pct": 40, "tenant_split": TenantSplit.AREA, "minimum_ore": 100_000,
              "maximum_ore": 5_000_000, "vat": True, "prorate": True, "due_days": 30, "reminder_1_days": 14,
              "reminder_2_days": 28}
    tiers = (calculation.Tier(0, 2_000, 100_000), calculation.Tier(2_000, 10_000, 400_000),
             calculation.Tier(10_000, 50_000, 1_200_000), calculation.Tier(50_000, None, 3_000_000))
    if not adopt:  # a scenario on screen, never written: the cached dataset stays as it is
        scheme = ContributionScheme(**values)
        scheme.tiers = [ContributionTier(lower=t.lower, upper=t.upper, amount_ore=t.amount_ore) for t in tiers]
        scheme.adjustments = []
        return scheme
    scheme = schemes.save_scheme(ContributionScheme(), values, tiers)
    schemes.adopt(scheme)
    return scheme


def _time_billing(database):
    from crm.companies.demo_data import load_network
    from crm.companies.models import Company, CompanyStatus
    from crm.contributions import billing, invoices
    from crm.contributions.models import Contribution
    from crm.extensions import db
    from crm.mail.models import OutboundEmail

    year = date.today().year + 1
    with database.scratch("billing") as app, app.app_context():
        load_network(BILL_COMPANIES)
        db.session.execute(update(Company).values(status=CompanyStatus.MEMBER))  # all 394 pay
        _scheme(year, adopt=True)
        db.session.commit()
        with app.test_request_context():  # a worker that has served a page has its templates compiled
            pass
        started = perf_counter()
        result = billing.bill(year)
        db.session.commit()
        billed_s = perf_counter() - started
        mails = db.session.scalar(select(func.count()).select_from(OutboundEmail))
        numbers = db.session.scalars(select(Contribution.invoice_number).order_by(Contribution.invoice_number)).all()
        contribution = db.session.scalars(select(Contribution).order_by(Contribution.id)).first()
        pdf_times = []
        for _ in range(6):
            started = perf_counter()
            pdf = invoices.invoice_pdf(contribution)
            pdf_times.append(perf_counter() - started)
        statement_s, statement_confirm_s, _counts = statements.time_statement()
    if len(result.billed) != BILL_COMPANIES or numbers != list(range(1, BILL_COMPANIES + 1)):
        raise RuntimeError(f"billed {len(result.billed)}, numbers {numbers[:3]}...{numbers[-3:]}")
    return {"billing_s": billed_s, "mails": mails, "pdf_first_s": pdf_times[0],
            "pdf_s": statistics.median(pdf_times[1:]), "pdf_bytes": len(pdf), "statement_s": statement_s,
            "statement_confirm_s": statement_confirm_s}


def _time_calculator(database, scale):
    from crm.contributions import schemes
    from crm.extensions import db

    built = dataset(database, scale, log=lambda line: print(line, file=sys.stderr))
    app = bench_app(built.url)
    try:
        with app.app_context():
            scheme = _scheme(date.today().year + 1, adopt=False)
            times, amounts = [], []
            for _ in range(ROUNDS):
                started = perf_counter()
                amounts = schemes.calculate(scheme)
                times.append(perf_counter() - started)
            db.session.rollback()
    finally:
        with app.app_context():
            db.engine.dispose()
    return {"calculator_s": statistics.median(times), "calculator_all_s": [round(t, 3) for t in times],
            "payers": len(amounts), "companies": built.companies}


def time_contributions(databases, scale=100):
    """Billing (median of ROUNDS fresh databases), the PDF, and the calculator at `scale`, per database."""
    results = []
    for database in databases:
        print(f"  {database.kind}: billing {BILL_COMPANIES} companies, invoice PDF, calculator at scale {scale}",
              file=sys.stderr)
        rounds = [_time_billing(database) for _ in range(ROUNDS)]
        result = {"database": database.kind,
                  "billing_s": statistics.median(r["billing_s"] for r in rounds),
                  "billing_all_s": [round(r["billing_s"], 3) for r in rounds], "mails": rounds[0]["mails"],
                  "pdf_first_s": statistics.median(r["pdf_first_s"] for r in rounds),
                  "pdf_s": statistics.median(r["pdf_s"] for r in rounds), "pdf_bytes": rounds[0]["pdf_bytes"],
                  "statement_s": statistics.median(r["statement_s"] for r in rounds),
                  "statement_confirm_s": statistics.median(r["statement_confirm_s"] for r in rounds),
                  **_time_calculator(database, scale)}
        result["misses"] = [f"{key} {result[key]:.2f}s" for key, limit in TARGETS.items() if result[key] >= limit]
        results.append(result)
    return results


def contributions_table(results):
    lines = ["Contributions: billing run (394 companies, fresh database, median of 3), one invoice PDF (WeasyPrint; "
             "first call and median of the next 5), calculator (split plots) at scale 100",
             f"{'database':<11} {'billing ms':>10} {'mails':>5} {'PDF first ms':>12} {'PDF ms':>6} "
             f"{'5,000 bank lines: match ms':>26} {'confirm ms':>10} {'calc ms':>7} {'payers':>6} {'companies':>9}"
             "  verdict"]
    for r in results:
        verdict = "OK" if not r["misses"] else "MISS: " + ", ".join(r["misses"])
        lines.append(f"{r['database']:<11} {r['billing_s'] * 1000:>10.0f} {r['mails']:>5} "
                     f"{r['pdf_first_s'] * 1000:>12.0f} {r['pdf_s'] * 1000:>6.0f} {r['statement_s'] * 1000:>26.0f} "
                     f"{r['statement_confirm_s'] * 1000:>10.0f} {r['calculator_s'] * 1000:>7.0f} "
                     f"{r['payers']:>6} {r['companies']:>9}  {verdict}")
    return "\n".join(lines)
