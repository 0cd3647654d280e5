"""Every table that points at a company or a contact is handled by the merge, the erasure and the data ZIP.

The areas declare what they handle (crm.signals.handles / declare). A table added later with a foreign key to
`companies.id` or `contacts.id` and no receiver or declaration fails here, before a merge cascades its rows away,
an erasure leaves a person in it or the data ZIP leaves it out.
"""

from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

from crm.extensions import db
from crm.signals import COVERAGE, company_export_parts, company_merged, contact_erased, contacts_merged

EVENTS = {
    "companies": (company_merged, contact_erased, company_export_parts),
    "contacts": (contacts_merged, contact_erased, company_export_parts),
}


def uncovered(metadata):
    """(event, "table.column") of every foreign key to companies or contacts that an event leaves unhandled."""
    missing = []
    for table in metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            target = foreign_key.column.table.name
            if target not in EVENTS or foreign_key.column.name != "id":
                continue
            column = f"{table.name}.{foreign_key.parent.name}"
            for event in EVENTS[target]:
                if column not in COVERAGE.get(event.name, {}):
                    missing.append((event.name, column))
    return missing


def test_every_foreign_key_to_a_company_or_contact_has_a_merge_an_erasure_and_an_export_handler(app):
    found = [f"{table.name}.{fk.parent.name}" for table in db.metadata.sorted_tables for fk in table.foreign_keys
             if fk.column.table.name in EVENTS]
    assert len(found) >= 20, "the walk must see the whole schema (crm.models imported by create_app)"
    assert uncovered(db.metadata) == [], (
        "connect a receiver with crm.signals.handles(...) or say why none is needed with crm.signals.declare(...)")


def test_a_table_added_without_handlers_is_found(app):
    metadata = MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table("listings", metadata, Column("id", Integer, primary_key=True),
          Column("company_id", ForeignKey("companies.id")), Column("contact_id", ForeignKey("contacts.id")))
    assert sorted(uncovered(metadata)) == sorted(
        (event.name, column) for column, events in (("listings.company_id", EVENTS["companies"]),
                                                    ("listings.contact_id", EVENTS["contacts"]))
        for event in events)


def test_every_declared_column_exists(app):
    """A declaration for a column that was renamed or dropped would hide the new one."""
    columns = {f"{table.name}.{column.name}" for table in db.metadata.sorted_tables for column in table.columns}
    declared = {column for handled in COVERAGE.values() for column in handled}
    assert declared - columns == set()
