"""Importing a parsed company file: one clean record per CVR, contacts by (company, e-mail), in bulk.

Rules: the same CVR twice updates, never makes a second company (a later row in the same file updates the
earlier one); an empty cell leaves the stored value as it is (lists from other systems are often partial);
re-importing the same file changes nothing. A company the file marks as left (udmeldt) gets the import's day as
its left_on, unless a date is stored already, as staff's "Marker som fraflyttet" does. Everything happens in the
caller's transaction.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select, update

from crm.audit.services import record
from crm.companies.models import Company, CompanyRole, CompanyStatus, Contact
from crm.companies.services import search_text_for
from crm.db import utcnow
from crm.extensions import db

#: The file's column -> the Company attribute it sets.
COMPANY_COLUMNS = {column: column for column in ("name", "street", "postal_code", "city", "role", "employees",
                                                 "area_m2", "industry", "status")} | {"member_since": "joined_on"}
#: What the import reads and writes of a company.
COMPANY_ATTRIBUTES = (*COMPANY_COLUMNS.values(), "left_on")
CHUNK = 500


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    #: (row number, [reasons]) of every rejected row
    rejected_rows: list = field(default_factory=list)
    #: row number -> "new" | "updated" | "unchanged" | "rejected"
    outcomes: dict = field(default_factory=dict)
    written: bool = False

    def counts(self):
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged, "rejected": self.rejected}


@dataclass
class _Contact:
    id: int | None
    name: str
    email: str | None
    phone: str
    is_primary: bool
    changed: bool = False


@dataclass
class _Company:
    id: int | None
    values: dict
    contacts: list
    changed: bool = False


def _load_existing(cvrs):
    state = {}
    cvrs = list(cvrs)
    for start in range(0, len(cvrs), CHUNK):
        chunk = cvrs[start:start + CHUNK]
        rows = db.session.execute(select(Company.id, Company.cvr, *(getattr(Company, c) for c in COMPANY_ATTRIBUTES))
                                  .where(Company.cvr.in_(chunk))).all()
        for row in rows:
            state[row.cvr] = _Company(row.id, {attribute: getattr(row, attribute) for attribute in COMPANY_ATTRIBUTES},
                                      [])
    by_id = {company.id: company for company in state.values()}
    ids = list(by_id)
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            select(Contact.id, Contact.company_id, Contact.name, Contact.email, Contact.phone, Contact.is_primary)
            .where(Contact.company_id.in_(ids[start:start + CHUNK])).order_by(Contact.id)
        ).all()
        for row in rows:
            by_id[row.company_id].contacts.append(_Contact(row.id, row.name, row.email, row.phone, row.is_primary))
    return state


def _apply_contact(company, values):
    name, email, phone = values.get("contact_name"), values.get("contact_email"), values.get("contact_phone")
    if not (name or email):
        return False
    if email:
        contact = next((c for c in company.contacts if c.email == email), None)
    else:
        contact = next((c for c in company.contacts if c.name == name and not c.email), None)
    if contact is None:
        is_primary = not any(c.is_primary for c in company.contacts)
        company.contacts.append(_Contact(None, name or email, email, phone or "", is_primary, changed=True))
        return True
    changed = False
    if name and contact.name != name:
        contact.name, changed = name, True
    if phone and contact.phone != phone:
        contact.phone, changed = phone, True
    contact.changed = contact.changed or changed
    return changed


def import_parsed(parsed, *, by=None, dry_run=False, strict=False, filename=""):
    """Import the valid rows of a parsed file; with strict, nothing at all when any row is bad."""
    result = ImportResult()
    valid = []
    for row in parsed.rows:
        if row.errors:
            result.rejected += 1
            result.rejected_rows.append((row.number, list(row.errors)))
            result.outcomes[row.number] = "rejected"
        else:
            valid.append(row)
    state = _load_existing({row.values["cvr"] for row in valid})
    created = set()
    today = date.today()
    for row in valid:
        values = row.values
        cvr = values["cvr"]
        company = state.get(cvr)
        if company is None:
            company = state[cvr] = _Company(None, {"role": CompanyRole.TENANT, "status": CompanyStatus.INVITED}, [],
                                            changed=True)
            created.add(cvr)
            outcome = "new"
        else:
            outcome = "unchanged"
        changed = False
        for column, attribute in COMPANY_COLUMNS.items():
            value = values.get(column)
            if value not in (None, "") and company.values.get(attribute) != value:
                company.values[attribute] = value
                changed = True
        if company.values["status"] == CompanyStatus.LEFT and not company.values.get("left_on"):
            company.values["left_on"] = today
            changed = True
        changed = _apply_contact(company, values) or changed
        if changed:
            company.changed = True
            if outcome == "unchanged":
                outcome = "updated"
        result.outcomes[row.number] = outcome
        if outcome == "new":
            result.new += 1
        elif outcome == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
    if dry_run or (strict and result.rejected):
        return result
    _write(state, created)
    result.written = True
    record("company.import", actor=by,
           changes={"file": filename, **result.counts(), "rejected_rows": [n for n, _ in result.rejected_rows][:100]})
    db.session.flush()
    return result


def _search_text(cvr, company):
    holder = Company(cvr=cvr, name=company.values.get("name", ""), street=company.values.get("street") or "",
                     postal_code=company.values.get("postal_code") or "", city=company.values.get("city") or "")
    return search_text_for(holder, company.contacts)


def _write(state, created):
    now = utcnow()
    new_rows, update_rows = [], []
    for cvr, company in state.items():
        if not company.changed:
            continue
        row = {attribute: company.values.get(attribute) for attribute in COMPANY_ATTRIBUTES}
        for column in ("street", "postal_code", "city", "industry"):
            row[column] = row[column] or ""
        row["search_text"] = _search_text(cvr, company)
        row["updated_at"] = now
        if cvr in created:
            new_rows.append({**row, "cvr": cvr, "created_at": now})
        else:
            update_rows.append({**row, "id": company.id})
    # A plain executemany, then the ids by CVR: SQLite runs INSERT ... RETURNING row by row.
    for start in range(0, len(new_rows), CHUNK):
        db.session.execute(insert(Company), new_rows[start:start + CHUNK])
    new_cvrs = [row["cvr"] for row in new_rows]
    for start in range(0, len(new_cvrs), CHUNK):
        for company_id, cvr in db.session.execute(
            select(Company.id, Company.cvr).where(Company.cvr.in_(new_cvrs[start:start + CHUNK]))
        ):
            state[cvr].id = company_id
    for start in range(0, len(update_rows), CHUNK):
        db.session.execute(update(Company), update_rows[start:start + CHUNK])
    new_contacts, changed_contacts = [], []
    for company in state.values():
        for contact in company.contacts:
            if contact.id is None:
                new_contacts.append({
                    "company_id": company.id, "name": contact.name, "email": contact.email, "phone": contact.phone,
                    "is_primary": contact.is_primary, "source": "import", "title": "", "created_at": now,
                })
            elif contact.changed:
                changed_contacts.append({"id": contact.id, "name": contact.name, "phone": contact.phone})
    for start in range(0, len(new_contacts), CHUNK):
        db.session.execute(insert(Contact), new_contacts[start:start + CHUNK])
    for start in range(0, len(changed_contacts), CHUNK):
        db.session.execute(update(Contact), changed_contacts[start:start + CHUNK])
