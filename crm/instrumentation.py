"""Optional request instrumentation for the benchmark: the number of SQL statements each request ran.

Off unless SQL_COUNT_HEADER is set (environment HOLME_SQL_COUNT=1); then every response carries
`X-SQL-Statements`. Costs one counter increment per statement.
"""

from flask import g, has_request_context
from sqlalchemy import event

from crm.db import SQLITE_BEGIN
from crm.extensions import db

HEADER = "X-SQL-Statements"


def _count_statement(conn, cursor, statement, parameters, context, executemany):
    if has_request_context() and statement != SQLITE_BEGIN:  # SQLite's explicit BEGIN is not a query
        g.sql_statements = g.get("sql_statements", 0) + 1


def _add_header(response):
    response.headers[HEADER] = str(g.get("sql_statements", 0))
    return response


def init_app(app):
    if not app.config.get("SQL_COUNT_HEADER"):
        return
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count_statement)
    app.after_request(_add_header)
