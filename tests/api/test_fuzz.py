"""Schemathesis against the API, in-process (WSGI), with a staff token and with a company token: no answer is a
server error, every answer matches the OpenAPI document (status, content type, body), and the company token never
reaches another company.

The examples per operation are few (FUZZ_EXAMPLES), so the run takes a minute or two per database; raise it with
the environment variable API_FUZZ_EXAMPLES for a longer hunt.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm.api.models import TokenScope
from crm.security import Role
from tests.api.conftest import bearer
from tests.api.world import build_network, company_ids_in

FUZZ_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def network(app, db, make_company, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 10_000)  # the rate limit has its own test
    return build_network(db, make_company)


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13, "every API operation is in the document"
    return operations


def _fuzz(app, operation, secret, *, own_company=None):
    @given(case=operation.as_strategy())
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=bearer(secret))
        case.validate_response(response, checks=CHECKS)
        if own_company is not None and response.status_code == 200:
            reached = company_ids_in(case.formatted_path, response.json())
            assert reached <= {own_company}, f"{case.method} {case.formatted_path} reached companies {reached}"

    run()


def test_fuzz_with_a_staff_token(app, db, network, make_token):
    secret = make_token(Role.STAFF, scope=TokenScope.READ_WRITE)
    for operation in _operations(app):
        _fuzz(app, operation, secret)


def test_fuzz_with_a_company_token(app, db, network, make_token):
    secret = make_token(Role.COMPANY, company=network["a"], scope=TokenScope.READ_WRITE)
    for operation in _operations(app):
        _fuzz(app, operation, secret, own_company=network["a"].id)
