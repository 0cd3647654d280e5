"""The API in the benchmark: a staff user's token on every dataset, and the floor of the API's company list.

The token is a fixed text (the datasets are throwaway databases), stored hashed like any other. The floor runs
the API's own queries (find the token, count its use, one page of companies by id with their tags) and writes the
rows with json.dumps, without flask-smorest and marshmallow.
"""

import json
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import selectinload

from bench.scenarios import API_TOKEN
from crm.api import tokens
from crm.companies.models import Company
from crm.extensions import db

#: The benchmark asks far more than a minute's allowance; the use is still counted on every request.
RATE_LIMIT = "1000000000"


def ensure_api_token(url, email):
    """Give the dataset's staff user (email) the benchmark's API token when it is missing."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.scalar(text("SELECT id FROM api_tokens WHERE token_hash = :hash"),
                                 {"hash": tokens.hash_token(API_TOKEN)}):
                return
            now = datetime.now(UTC)
            connection.execute(text(
                "INSERT INTO api_tokens (user_id, name, scope, prefix, token_hash, created_at, expires_at, "
                "window_count) SELECT id, 'Benchmark', 'read', :prefix, :hash, :now, :expires, 0 FROM users "
                "WHERE email = :email"),
                {"prefix": API_TOKEN[:tokens.PREFIX_LENGTH], "hash": tokens.hash_token(API_TOKEN), "now": now,
                 "expires": now + timedelta(days=3650), "email": email})
    finally:
        engine.dispose()


def _iso(value):
    return value.isoformat() if value is not None else None


def api_company_list():
    """The API's first page of companies (50), as the API finds and counts its token."""
    current_app.config.setdefault("API_RATE_LIMIT", int(RATE_LIMIT))
    token = tokens.token_for(API_TOKEN)
    tokens.count_use(token)
    db.session.commit()
    rows = db.session.scalars(select(Company).options(selectinload(Company.tags)).where(Company.id > 0)
                              .order_by(Company.id).limit(51)).all()
    items = [{"id": c.id, "cvr": c.cvr, "name": c.name, "p_number": c.p_number, "ean": c.ean, "street": c.street,
              "postal_code": c.postal_code, "city": c.city, "role": c.role.value, "status": c.status.value,
              "employees": c.employees, "area_m2": float(c.area_m2) if c.area_m2 is not None else None,
              "industry": c.industry, "joined_on": _iso(c.joined_on), "left_on": _iso(c.left_on),
              "website": c.website, "advertising_protected": c.advertising_protected,
              "directory_listed": c.directory_listed, "description": c.description, "tags": c.tag_names,
              "created_at": _iso(c.created_at), "updated_at": _iso(c.updated_at)} for c in rows[:50]]
    body = json.dumps({"items": items, "next_cursor": str(rows[49].id) if len(rows) > 50 else None})
    return current_app.response_class(body, mimetype="application/json")


FLOOR_ROUTES = {
    "api_company_list": ("/api/v1/companies", api_company_list, ""),
}
