"""Merging two records of one company: every area moves its rows to the survivor, then the duplicate goes."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from crm.audit.services import record
from crm.companies.models import ActivityKind, CompanyTag
from crm.companies.services import log_activity, refresh_search_text, set_tags
from crm.extensions import db
from crm.signals import collect, company_merge_conflicts, company_merged, contacts_merged


class MergeRefused(ValueError):
    """Rows of the two companies cannot both survive a merge; `problems` are Danish messages naming them."""

    def __init__(self, problems):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def merge_conflicts(survivor, duplicate):
    """Danish messages naming the rows that cannot both survive a merge (two invoices for one year, ...)."""
    return collect(company_merge_conflicts, survivor, duplicate=duplicate)


COMPANY_FIELDS_FILLED_BY_MERGE = ("p_number", "ean", "street", "postal_code", "city", "employees", "area_m2",
                                  "industry", "website", "description", "joined_on")
CONSENT_FIELDS = ("newsletter_consent", "consent_at", "consent_text_version", "consent_channel")


def _join_contact(survivor_contact, duplicate_contact):
    """One person on both companies: the areas repoint the duplicate's rows, then it goes. A consent given on
    either row is the person's consent."""
    contacts_merged.send(survivor_contact, duplicate=duplicate_contact)
    if duplicate_contact.newsletter_consent and not survivor_contact.newsletter_consent:
        for field in CONSENT_FIELDS:
            setattr(survivor_contact, field, getattr(duplicate_contact, field))
    for field in ("title", "phone"):
        if not getattr(survivor_contact, field) and getattr(duplicate_contact, field):
            setattr(survivor_contact, field, getattr(duplicate_contact, field))
    survivor_contact.receives_meeting_mail = survivor_contact.receives_meeting_mail or \
        duplicate_contact.receives_meeting_mail


def _rows_still_pointing_at(table_name, row_id):
    """(table.column, count) of rows that still refer to the row: after a merge, none may be left to cascade."""
    left = []
    for table in db.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table.name == table_name and foreign_key.column.name == "id":
                count = db.session.scalar(select(func.count()).select_from(table)
                                          .where(foreign_key.parent == row_id))
                if count:
                    left.append((f"{table.name}.{foreign_key.parent.name}", count))
    return left


def merge_companies(survivor, duplicate, *, by=None):
    """Move everything of the duplicate to the survivor, then delete the duplicate; audited.

    Contacts move, a person on both is joined into one (contacts_merged); each area moves its own rows
    (company_merged). Rows that cannot both survive refuse the merge (MergeRefused) before anything changes.
    """
    if survivor.id == duplicate.id:
        raise ValueError("a company cannot be merged with itself")
    problems = merge_conflicts(survivor, duplicate)
    if problems:
        raise MergeRefused(problems)
    moved = {"contacts": 0, "joined_contacts": 0}
    by_email = {contact.email: contact for contact in survivor.contacts if contact.email}
    for contact in list(duplicate.contacts):
        same = by_email.get(contact.email) if contact.email else None
        if same is not None:
            _join_contact(same, contact)
            duplicate.contacts.remove(contact)
            db.session.delete(contact)
            moved["joined_contacts"] += 1
            continue
        duplicate.contacts.remove(contact)
        contact.is_primary = contact.is_primary and survivor.primary_contact is None
        survivor.contacts.append(contact)
        moved["contacts"] += 1
    db.session.flush()
    for result in collect(company_merged, survivor, duplicate=duplicate):
        moved.update(result)
    set_tags(survivor, survivor.tag_names + duplicate.tag_names)
    for field in COMPANY_FIELDS_FILLED_BY_MERGE:
        if not getattr(survivor, field) and getattr(duplicate, field):
            setattr(survivor, field, getattr(duplicate, field))
    db.session.execute(delete(CompanyTag).where(CompanyTag.company_id == duplicate.id))
    db.session.flush()
    left = _rows_still_pointing_at("companies", duplicate.id)
    if left:  # an area forgot its rows: deleting would cascade them away
        raise RuntimeError(f"merge left rows pointing at the duplicate: {left}")
    details = {"survivor": [survivor.id, survivor.cvr], "merged": [duplicate.id, duplicate.cvr, duplicate.name],
               **moved}
    db.session.expire(survivor)
    db.session.delete(duplicate)
    db.session.flush()
    refresh_search_text(survivor)
    log_activity(survivor.id, ActivityKind.CHANGE,
                 _l("%(name)s (CVR %(cvr)s) blev lagt sammen med denne virksomhed.", name=duplicate.name,
                   cvr=duplicate.cvr), author=by)
    record("company.merge", actor=by, obj=survivor, changes=details)
    db.session.flush()
    return moved
