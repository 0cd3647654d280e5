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
from sqlalchemy import insert
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
        _insert(_rows(reads, _reader()))
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


def _rows(reads, reader):
    at = utcnow()
    return [{**reader, "at": at, "kind": kind, "contact_id": contact_id, "company_id": company_id}
            for kind, contact_id, company_id in reads]


def _insert(rows):
    """The rows in as few statements as the database takes: the table's one cached INSERT, executed for many rows
    (SQLAlchemy writes them as multi-row VALUES in batches), not a statement compiled anew for each list of rows,
    which cost a list page more than its own queries."""
    db.session.execute(insert(AccessEntry.__table__), rows)


def recorded_reads():
    """The reads the current request has recorded and not yet written: [(kind, contact id, company id)]."""
    return list(g.get(_BUFFER, {}).get("reads", ()))


def _write_recorded_reads(response):
    """After the view: the request's reads in one transaction of their own (see the module's text)."""
    buffer = g.pop(_BUFFER, None)
    if not buffer:
        return response
    rows = _rows(buffer["reads"], buffer["reader"])
    try:
        db.session.rollback()  # nothing the view left uncommitted is kept, here or at the end of the request
        _insert(rows)
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
