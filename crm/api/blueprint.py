"""The API's frame: flask-smorest's Api on the app, token authentication and rate limit before every request,
ETags after, and the blueprints of the API's resources.

A request to /api/v1/ is authenticated by its bearer token alone: the session cookie is never read, so a browser's
login opens nothing here and no CSRF token is needed. The token's user is the request's user (crm.actor, the
audit and crm.security's company scoping see it), read through `current_user` like a page's.
"""

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_smorest import Api

from crm.api import tokens
from crm.api.errors import api_error
from crm.api.schemas import ErrorSchema
from crm.extensions import csrf, db, login_manager

PREFIX = "/api/v1"
#: The API's pages anyone may read: the document and its documentation.
OPEN_PATHS = frozenset({f"{PREFIX}/openapi.json", f"{PREFIX}/docs", f"{PREFIX}/"})


class HolmeApi(Api):
    """flask-smorest's Api, leaving the app's error pages alone: crm.errors answers JSON on the API's paths."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


def is_api_path(path):
    return path == PREFIX or path.startswith(PREFIX + "/")


def _authenticate():
    """Find the request's token and count it against the rate limit; answer 401 or 429 in JSON, or let it pass."""
    if not is_api_path(request.path):
        return None
    if request.path in OPEN_PATHS:  # the documentation is a page like others, with the visitor's menu
        return None
    login_manager._update_request_context_with_user()  # anonymous, whatever cookie came along
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return api_error(401, _("Giv et API-token i headeren Authorization: Bearer <token>."),
                         {"WWW-Authenticate": 'Bearer realm="holme-crm"'})
    token = tokens.token_for(secret.strip())
    if token is None:
        return api_error(401, _("API-tokenet er ukendt, udløbet eller tilbagekaldt."),
                         {"WWW-Authenticate": 'Bearer realm="holme-crm", error="invalid_token"'})
    use = tokens.count_use(token)
    db.session.commit()  # the use counts whatever the request's own outcome
    if not use.allowed:
        return api_error(429, _("For mange forespørgsler med dette token. Vent %(seconds)s sekunder.",
                                seconds=use.retry_after), {"Retry-After": str(use.retry_after)})
    g.api_token = token
    login_manager._update_request_context_with_user(token.user)
    return None


def _conditional(response):
    """An ETag on every successful read, and 304 Not Modified for a client that has the same already."""
    if not is_api_path(request.path) or request.method != "GET" or response.status_code != 200:
        return response
    if not response.is_json:
        return response
    response.add_etag()
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


def init_app(app):
    """Put the API on the app: its hooks first (before other areas' request hooks read the user), then the
    document and the resources' blueprints."""
    from crm.api import (  # noqa: PLC0415  (the views register on their blueprints when imported)
        companies_views,
        docs_views,
        groups_views,
        meetings_views,
        money_views,
        token_views,
    )

    app.before_request(_authenticate)
    app.after_request(_conditional)
    api = HolmeApi(app, spec_kwargs={
        "info": {"description": "Læseadgang til Holme CRM for kommunens andre systemer. Se /api/v1/docs."},
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
    })
    for blp in (companies_views.blp, meetings_views.blp, groups_views.blp, money_views.blp):
        api.register_blueprint(blp, url_prefix=PREFIX)
        csrf.exempt(blp)
    app.register_blueprint(docs_views.bp)
    app.register_blueprint(token_views.bp)
    app.extensions["holme-api"] = api
    return api


def current_api():
    return current_app.extensions["holme-api"]
