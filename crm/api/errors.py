"""The API's refusals: JSON with a clear message (crm.errors.json_error), raised from anywhere in a view."""

from werkzeug.exceptions import HTTPException, default_exceptions

from crm.errors import json_error


def api_error(status, message, headers=None):
    """The JSON answer of a refusal, for a request hook to return."""
    return json_error(status, message, headers)


def refuse(status, message, headers=None):
    """Stop the view with a JSON refusal: its status and a message saying what to do."""
    error = default_exceptions.get(status, HTTPException)()
    error.api_message = message
    error.api_headers = headers
    raise error
