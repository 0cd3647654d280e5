"""Timing the company import against a bulk insert of the same rows, each into a fresh empty database."""

import statistics
import sys
from datetime import UTC, datetime
from time import perf_counter
from types import SimpleNamespace

from sqlalchemy import insert, select

#: Rows in the file -> how many times it is timed (the median counts).
SIZES = {394: 3, 40_000: 1}
#: Rows -> (seconds the import must stay under, most times the bulk insert it may take).
TARGETS = {394: (1.0, None), 40_000: (20.0, 3.0)}
SEED = 7
FILENAME = "virksomheder.csv"


def import_file(network):
    """The network as the CRM's own export writes it: canonical columns, one row per company, primary contact."""
    from crm.companies.exporting import write_csv

    contacts = {contact["company_id"]: contact for contact in network.contacts if contact["is_primary"]}
    rows = []
    for company in network.companies:
        contact = contacts[company["id"]]
        rows.append({**{column: company[column] for column in ("cvr", "name", "street", "postal_code", "city",
                                                               "employees", "area_m2", "industry")},
                     "role": str(company["role"]), "contact_name": contact["name"],
                     "contact_email": contact["email"], "contact_phone": contact["phone"]})
    return write_csv(rows)


def bulk_rows(network):
    """The rows an import of import_file(network) writes: (company rows, (cvr, contact row) pairs)."""
    from crm.companies.services import search_text_for

    now = datetime.now(UTC)
    contacts = {contact["company_id"]: contact for contact in network.contacts if contact["is_primary"]}
    companies, company_contacts = [], []
    for company in network.companies:
        contact = contacts[company["id"]]
        row = {column: company[column] for column in ("cvr", "name", "street", "postal_code", "city", "role",
                                                      "employees", "area_m2", "industry")}
        row["search_text"] = search_text_for(SimpleNamespace(**row), [SimpleNamespace(**contact)])
        companies.append({**row, "created_at": now, "updated_at": now})
        company_contacts.append((company["cvr"], {
            "name": contact["name"], "email": contact["email"], "phone": contact["phone"], "is_primary": True,
            "source": "import", "title": "", "created_at": now,
        }))
    return companies, company_contacts


def _time_import(database, data, size):
    from crm.companies.importer import parse_file
    from crm.companies.importing import import_parsed
    from crm.extensions import db

    with database.scratch(f"import-{size}") as app, app.app_context():
        started = perf_counter()
        result = import_parsed(parse_file(data, FILENAME), filename=FILENAME)
        db.session.commit()
        seconds = perf_counter() - started
    if result.new != size:
        raise RuntimeError(f"the import of {size} rows made {result.new} companies: {result.counts()}")
    return seconds


def _time_bulk(database, rows, size):
    from crm.companies.models import Company, Contact
    from crm.extensions import db

    companies, contacts = rows
    with database.scratch(f"bulk-{size}") as app, app.app_context():
        started = perf_counter()
        with db.engine.begin() as connection:
            connection.execute(insert(Company.__table__), companies)
            ids = dict(connection.execute(select(Company.cvr, Company.id)).all())
            connection.execute(insert(Contact.__table__), [{**row, "company_id": ids[cvr]} for cvr, row in contacts])
        return perf_counter() - started


def time_imports(databases):
    """Import time and bulk-insert time per file size and database, with the ratio and the targets."""
    from crm.companies.demo_data import generate_network

    results = []
    for size, repeats in SIZES.items():
        network = generate_network(size, SEED)
        data, rows = import_file(network), bulk_rows(network)
        for database in databases:
            print(f"  {database.kind}: importing {size:,} rows", file=sys.stderr)
            imported = statistics.median(_time_import(database, data, size) for _ in range(repeats))
            bulk = statistics.median(_time_bulk(database, rows, size) for _ in range(repeats))
            max_seconds, max_ratio = TARGETS[size]
            misses = []
            if imported >= max_seconds:
                misses.append(f"{imported:.2f}s")
            if max_ratio is not None and imported / bulk > max_ratio:
                misses.append(f"{imported / bulk:.1f}x bulk")
            target = f"<{max_seconds:g}s" + (f", <={max_ratio:g}x bulk" if max_ratio else "")
            results.append({"database": database.kind, "rows": size, "repeats": repeats, "file_bytes": len(data),
                            "import_s": imported, "bulk_s": bulk, "ratio": imported / bulk, "target": target,
                            "misses": misses})
    return results
