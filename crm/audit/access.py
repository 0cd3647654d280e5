"""Recording who read a person's data: views call record_access(); the request writes what they recorded.

A view names what it shows (`record_access(AccessKind.COMPANY_CONTACTS, contacts=company.contacts,
company_ids=[company.id])`); the reads are kept on the request (flask.g) and written at its end, whatever the view
committed or rolled back, in one short transaction of their own:

- What the view left uncommitted is rolled back first, as the end of the request would have done anyway, so the
  log's commit never carries a half-done change of a failed form.
- On SQLite every transaction takes the write lock (BEGIN IMMEDIATE, crm.db); the read's own transaction has ended
  by then, so the log's insert waits its turn like any write (at most the busy timeout) and holds the lock only while
  its rows go in.
- When the log cannot be written, a page that would show the data answers 500 instead: the data does not leave
  without its row. An error page keeps its answer (the failure is logged).
"""

from flask import current_app, g, has_request_context, make_response, request
from flask_login import current_user
from sqlalchemy import Integer, String, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError

from crm.actor import current_actor
from crm.audit.access_models import AccessEntry, AccessKind
from crm.db import utcnow
from crm.errors import database_error_answer, database_unavailable
from crm.extensions import db

_BUFFER = "access_reads"


def record_access(kind, *, contacts=(), company_ids=()):
    """Note that the current request (or command) shows these persons and companies; the rows are written at the
    end of the request. `contacts`: Contact rows, or anything with `.id` and `.company_id` (a row of
    `select(Contact.id, Contact.company_id)`); `company_ids`: ids of companies read as a whole. A company with
    persons among `contacts` needs no row of its own. With neither, one row names the kind and the page alone
    (a mail to a user)."""
    kind = AccessKind(kind)
    reads = [(kind, contact.id, contact.company_id) for contact in contacts if contact is not None]
    covered = {company_id for _kind, _contact, company_id in reads}
    reads += [(kind, None, company_id) for company_id in dict.fromkeys(company_ids)
              if company_id is not None and company_id not in covered]
    if not reads:
        reads = [(kind, None, None)]
    if not has_request_context():  # a command: its own transaction carries the rows
        _insert(reads, _reader())
        return
    buffer = g.setdefault(_BUFFER, {"reader": _reader(), "reads": {}})
    buffer["reads"].update(dict.fromkeys(reads))


def _reader():
    """(user id, e-mail, role, address) of whoever reads now, as they are at this moment."""
    if has_request_context():
        user = current_user._get_current_object() if current_user.is_authenticated else None
        address = request.remote_addr or "unknown"
        endpoint, path = request.endpoint, request.path[:255]
    else:
        actor = current_actor()
        user, address, endpoint, path = actor.user, actor.address, None, None
    return {"user_id": getattr(user, "id", None), "user_email": getattr(user, "email", None),
            "user_role": str(user.role) if user is not None else None, "address": (address or "")[:64] or None,
            "endpoint": (endpoint or "")[:128] or None, "path": path}


def _insert(reads, reader):
    """The reads as rows of the log, with the reader's columns and one time for them all.

    PostgreSQL gets one statement whatever the number of rows: the three columns that differ travel as arrays and
    come back as rows through unnest, the rest are single values. Sent as one value per column and row, a list page's
    50 persons were 500 parameters to bind and cast, which cost the page more than its own queries. SQLite takes
    the one cached INSERT run for every row (executemany), which costs it next to nothing.
    """
    table = AccessEntry.__table__
    shared = {**reader, "at": utcnow()}
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(insert(table), [{**shared, "kind": kind, "contact_id": contact_id,
                                            "company_id": company_id} for kind, contact_id, company_id in reads])
        return
    kinds, contact_ids, company_ids = zip(*reads, strict=True)
    given = func.unnest(
        bindparam("kinds", [kind.value for kind in kinds], type_=ARRAY(String)),
        bindparam("contact_ids", list(contact_ids), type_=ARRAY(Integer)),
        bindparam("company_ids", list(company_ids), type_=ARRAY(Integer)),
    ).table_valued("kind", "contact_id", "company_id").render_derived(name="given")
    values = [bindparam(f"shared_{name}", value, type_=table.c[name].type) for name, value in shared.items()]
    db.session.execute(insert(table).from_select(
        [*shared, "kind", "contact_id", "company_id"],
        select(*values, given.c.kind, given.c.contact_id, given.c.company_id),
    ))


def recorded_reads():
    """The reads the current request has recorded and not yet written: [(kind, contact id, company id)]."""
    return list(g.get(_BUFFER, {}).get("reads", ()))


def _write_recorded_reads(response):
    """After the view: the request's reads in one transaction of their own (see the module's text)."""
    buffer = g.pop(_BUFFER, None)
    if not buffer:
        return response
    try:
        db.session.rollback()  # nothing the view left uncommitted is kept, here or at the end of the request
        _insert(list(buffer["reads"]), buffer["reader"])
        db.session.commit()
    except SQLAlchemyError as error:
        try:
            db.session.rollback()
        except SQLAlchemyError:
            current_app.logger.exception("Rollback after the access log failed")
        if response.status_code < 400:
            if database_unavailable(error):  # the database went away after the page was made: 503, as any page
                return make_response(database_error_answer(error))
            raise  # the error page answers instead: the data does not leave without its row
        current_app.logger.exception("The access log could not record the reads of a refused request")
    return response


def init_app(app):
    """Write each request's reads at its end. Registered before the other after-request functions, so that it
    runs after them (Flask runs them in reverse): nothing reads the expired session after its commit."""
    app.after_request(_write_recorded_reads)
