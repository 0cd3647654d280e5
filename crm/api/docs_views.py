"""The API's OpenAPI 3.1 document (written by flask-smorest from the views and schemas) and its documentation
page, drawn by our own template from that document (no external script: the CSP allows none)."""

from flask import Blueprint, current_app, jsonify, render_template, url_for

from crm.security import public

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")


def openapi_document():
    """The OpenAPI document of the API, as a dict."""
    return current_app.extensions["holme-api"].spec.to_dict()


@bp.get("/")
@public
def index():
    return jsonify({"openapi": url_for(".openapi_json", _external=True), "docs": url_for(".docs", _external=True)})


@bp.get("/openapi.json")
@public
def openapi_json():
    return jsonify(openapi_document())


def _operations(document):
    """(tag, [(method, path, operation), ...]) in the document's order, for the page."""
    by_tag = {tag["name"]: [] for tag in document.get("tags", [])}
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
                for tag in operation.get("tags", ["api"]):
                    by_tag.setdefault(tag, []).append((method.upper(), path, operation, parameters))
    return by_tag


@bp.get("/docs")
@public
def docs():
    document = openapi_document()
    return render_template("api/docs.html", document=document, tags=document.get("tags", []),
                           operations=_operations(document),
                           schemas=document.get("components", {}).get("schemas", {}),
                           rate_limit=current_app.config["API_RATE_LIMIT"])
