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


def _check(case, secret, own_company):
    response = case.call(headers=bearer(secret))
    case.validate_response(response, checks=CHECKS)
    if own_company is not None and response.status_code == 200:
        reached = company_ids_in(case.formatted_path, response.json())
        assert reached <= {own_company}, f"{case.method} {case.formatted_path} reached companies {reached}"


def _known_ids(network):
    """The ids of the network's rows, both companies', for each path parameter: random ids seldom hit a row."""
    return {"company_id": [network["a"].id, network["b"].id],
            "contact_id": [network["contact_a"].id, network["contact_b"].id],
            "plot_id": [network["plot_of_a"].id, network["plot_of_b"].id],
            "meeting_id": [network["meeting"].id], "group_id": [network["group"].id],
            "contribution_id": [network["invoice_a"].id, network["invoice_b"].id]}


def _fuzz(app, operation, secret, network, *, own_company=None):
    @given(case=operation.as_strategy())
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        _check(case, secret, own_company)

    run()
    names = [parameter.name for parameter in operation.path_parameters]
    for name in names:  # the same checks on the rows that exist, the other company's included
        for value in _known_ids(network)[name]:
            extra = {"body": {"kind": "note", "text": "Fra fuzz-testen"}, "media_type": "application/json"} \
                if operation.method.upper() == "POST" else {}
            _check(operation.Case(path_parameters={name: value}, **extra), secret, own_company)


def test_fuzz_with_a_staff_token(app, db, network, make_token):
    secret = make_token(Role.STAFF, scope=TokenScope.READ_WRITE)
    for operation in _operations(app):
        _fuzz(app, operation, secret, network)


def test_fuzz_with_a_company_token(app, db, network, make_token):
    secret = make_token(Role.COMPANY, company=network["a"], scope=TokenScope.READ_WRITE)
    for operation in _operations(app):
        _fuzz(app, operation, secret, network, own_company=network["a"].id)
