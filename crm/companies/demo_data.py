"""A fictional but plausible Avedøre Holme network: companies, contacts, plots, tenancies, tags and activities.

Used by `flask demo load` (394 companies) and by the benchmark (scale 100: 39,400 companies).

`generate_network()` (crm.companies.demo_generate, its words in crm.companies.demo_words) is pure: the same
count, seed and `as_of` give the same network, as plain dicts ready for a bulk insert. Ids are local to the
generated network: companies and plots carry an `id` counted from 1, and the contacts, tags, activities, plots
and tenancies refer to those. `insert_network()` (and `load_network()`, which generates and inserts) lets the
database assign the real ids and rewrites the references, so a network loads into a database that already holds
companies; companies whose CVR is already there are skipped with everything of theirs.

Every name, CVR number and cadastral number is made up. E-mail addresses and websites use the reserved `.example`
top-level domain, so nothing can be mailed or visited for real.
"""

from sqlalchemy import insert, select

from crm.companies.demo_generate import NetworkData, generate_network
from crm.companies.models import Activity, Company, CompanyTag, Contact, Plot, Tenancy
from crm.extensions import db

__all__ = ["NetworkData", "generate_network", "insert_network", "load_network"]


def load_network(count=394, seed=2024, *, activities_per_company=0, as_of=None):
    """Generate the network and insert what the database lacks; return the number of companies created."""
    network = generate_network(count, seed, activities_per_company=activities_per_company, as_of=as_of)
    return insert_network(network)


def insert_network(network):
    """Bulk-insert a generated network, skipping companies whose CVR exists; flush, never commit.

    Returns the number of companies created. The database assigns the ids; the rows' references are mapped.
    """
    session = db.session
    session.flush()
    existing_cvrs = _existing(Company.cvr, [company["cvr"] for company in network.companies])
    new_companies = [company for company in network.companies if company["cvr"] not in existing_cvrs]
    company_ids = _insert_and_map_ids(Company, Company.cvr, new_companies)

    existing_plots = _existing(Plot.cadastral_number, [plot["cadastral_number"] for plot in network.plots])
    new_plots = [plot for plot in network.plots
                 if plot["owner_id"] in company_ids and plot["cadastral_number"] not in existing_plots]
    plot_ids = _insert_and_map_ids(Plot, Plot.cadastral_number,
                                   [{**plot, "owner_id": company_ids[plot["owner_id"]]} for plot in new_plots])

    _insert(Tenancy, [{**tenancy, "plot_id": plot_ids[tenancy["plot_id"]],
                       "company_id": company_ids[tenancy["company_id"]]}
                      for tenancy in network.tenancies
                      if tenancy["plot_id"] in plot_ids and tenancy["company_id"] in company_ids])
    for model, rows in ((Contact, network.contacts), (CompanyTag, network.tags), (Activity, network.activities)):
        _insert(model, [{**row, "company_id": company_ids[row["company_id"]]}
                        for row in rows if row["company_id"] in company_ids])
    session.flush()
    return len(new_companies)


_CHUNK = 500  # values per IN (...) list


def _existing(column, values):
    """Which of `values` the column already holds."""
    found = set()
    for start in range(0, len(values), _CHUNK):
        found.update(db.session.scalars(select(column).where(column.in_(values[start:start + _CHUNK]))))
    return found


def _insert_and_map_ids(model, key, rows):
    """Insert rows carrying a network-local `id`; return {local id: database id}, matched by a unique key.

    (Matched afterwards rather than through INSERT ... RETURNING, which SQLite runs row by row when the
    order must be kept: ten times slower at 39,400 companies.)
    """
    _insert(model, [{name: value for name, value in row.items() if name != "id"} for row in rows])
    local_ids = {row[key.key]: row["id"] for row in rows}
    values = list(local_ids)
    ids = {}
    for start in range(0, len(values), _CHUNK):
        chunk = values[start:start + _CHUNK]
        for database_id, value in db.session.execute(select(model.id, key).where(key.in_(chunk))):
            ids[local_ids[value]] = database_id
    return ids


def _insert(model, rows):
    if rows:
        db.session.execute(insert(model), rows)
