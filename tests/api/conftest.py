"""Fixtures of the API tests: tokens for users of each role, and requests that carry them."""

import pytest

from crm.api import tokens
from crm.api.models import TokenScope
from crm.security import Role


@pytest.fixture
def make_token(db, make_user):
    """A token (the secret) for a new user of the role, or for the given user; the user is on `.user`."""

    def make(role=Role.STAFF, *, user=None, scope=TokenScope.READ, days=30, name="Integration", **user_values):
        user = user or make_user(role, **user_values)
        token, secret = tokens.create_token(user, name, scope, days)
        db.session.commit()
        return Secret(secret, user, token)

    return make


class Secret(str):
    """The token as the client sends it, knowing its user and its row."""

    def __new__(cls, secret, user, token):
        value = super().__new__(cls, secret)
        value.user, value.token = user, token
        return value


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api(client):
    """GET/POST through the API with a token: api.get(url, token), api.post(url, token, json=...)."""

    class Api:
        def get(self, url, secret, **kwargs):
            return client.get(url, headers={**bearer(secret), **kwargs.pop("headers", {})}, **kwargs)

        def post(self, url, secret, **kwargs):
            return client.post(url, headers={**bearer(secret), **kwargs.pop("headers", {})}, **kwargs)

    return Api()
