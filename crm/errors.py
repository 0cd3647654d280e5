"""Danish error pages: nothing of the inside leaks out."""

from http import HTTPStatus

from flask import current_app, has_request_context, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from crm.extensions import db, login_manager

#: Seconds a client is told to wait before trying again while the database is away (Retry-After).
RETRY_AFTER_SECONDS = 30

TEXTS = {
    401: (_l("Log ind for at se siden."), _l("Forespørgslen kræver, at du er logget ind.")),
    400: (_l("Forespørgslen kunne ikke behandles"),
          _l("Siden fik noget, den ikke kunne bruge. Gå tilbage og prøv igen.")),
    403: (_l("Du har ikke adgang til siden"),
          _l("Din bruger har ikke ret til at se eller ændre dette. Kontakt erhvervsteamet, hvis du mener, "
             "det er en fejl.")),
    404: (_l("Siden findes ikke"),
          _l("Vi kunne ikke finde siden. Tjek adressen, eller gå til forsiden.")),
    405: (_l("Handlingen er ikke tilladt"), _l("Siden kan ikke bruges på den måde.")),
    413: (_l("Filen er for stor"), _l("Det, du sendte, er større end grænsen. Vælg en mindre fil.")),
    409: (_l("Konflikt"), _l("Det sendte strider mod det, der allerede er gemt.")),
    422: (_l("Forespørgslen kunne ikke behandles"), _l("Noget af det sendte er ikke gyldigt.")),
    429: (_l("For mange forsøg"),
          _l("Der har været for mange forsøg på kort tid. Vent et kvarter, og prøv så igen.")),
    500: (_l("Der skete en fejl"),
          _l("Der skete en fejl hos os. Prøv igen om lidt. Fejlen er registreret.")),
    503: (_l("Holme CRM er midlertidigt utilgængelig"),
          _l("Systemet kan ikke nå sin database lige nu. Vent et øjeblik, og prøv igen. Tjek bagefter, om det, "
             "du sendte, er gemt.")),
}


FALLBACK_PAGE = (
    '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Der skete en fejl</title></head>'
    "<body><main><h1>Der skete en fejl</h1><p>Prøv igen om lidt.</p></main></body></html>"
)


#: Paths whose answers are JSON, errors included: the API (crm.api), read by programs.
JSON_PATH_PREFIX = "/api/"


def json_error(status, message=None, headers=None, errors=None):
    """An error as the API gives it: {"code", "status", "message"} (and "errors", field by field), never HTML."""
    text = message or TEXTS.get(status, TEXTS[500])[1]
    payload = {"code": status, "status": HTTPStatus(status).phrase, "message": str(text)}
    if errors:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def render_error(status, message=None):
    if has_request_context() and request.path.startswith(JSON_PATH_PREFIX):
        return json_error(status, message), status
    title, text = TEXTS.get(status, TEXTS[500])
    try:
        page = render_template("errors/error.html", status=status, title=title, text=message or text)
    except Exception:  # the layout itself needs the database; never fail twice
        current_app.logger.exception("Error page could not be rendered")
        db.session.rollback()
        page = FALLBACK_PAGE
    return page, status


def _csrf_error(error):
    return render_error(
        400, _l("Formularen er udløbet eller blev ikke sendt fra Holme CRM. Genindlæs siden, og prøv igen.")
    )


def _http_error(error):
    if request.path.startswith(JSON_PATH_PREFIX) and error.code is not None:
        data = getattr(error, "data", None) or {}  # webargs' validation errors (422), field by field
        return json_error(error.code, data.get("message") or getattr(error, "api_message", None),
                          data.get("headers") or getattr(error, "api_headers", None),
                          data.get("errors") or data.get("messages"))
    return render_error(error.code if error.code in TEXTS else 500)


def _unexpected_error(error):
    current_app.logger.exception("Unhandled error: %s", error)
    db.session.rollback()
    return render_error(500)


def database_unavailable(error):
    """Whether the error says the database cannot be reached now (down, restarting, the connection lost, every
    pooled connection busy) rather than that the request or the code was wrong."""
    if isinstance(error, PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and (
        error.connection_invalidated or isinstance(error, OperationalError | InterfaceError))


def database_error_answer(error):
    """The answer to a database error: 503 with the Danish page when the database is unavailable, else 500."""
    if not database_unavailable(error):
        return _unexpected_error(error)
    reason = str(getattr(error, "orig", None) or error).partition("\n")[0]
    current_app.logger.error("The database is unavailable (%s: %s): answering 503", error.__class__.__name__, reason)
    try:
        db.session.rollback()  # nothing of the request is kept; the pool reconnects on the next checkout
    except SQLAlchemyError:
        current_app.logger.exception("Rollback after losing the database failed")
    # The layout asks who is logged in, which needs the database: the page is drawn for nobody.
    login_manager._update_request_context_with_user()  # anonymous
    page, status = render_error(503)
    return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _end_session_without_the_database(error=None):
    """End the request's session; when the database went away after the view had its answer, the rollback of its
    open transaction fails: drop the dead connection instead of failing a request that is answered already.
    (Runs before Flask-SQLAlchemy's own teardown, which then finds the session closed.)"""
    try:
        db.session.close()
    except SQLAlchemyError as failure:
        current_app.logger.warning("The database went away before the request's session ended: %s",
                                   failure.__class__.__name__)
        db.session().invalidate()


def _refuse_nul_characters():
    """A NUL character is never typed and can be stored nowhere (PostgreSQL refuses it, exports break on it):
    a request that carries one in its path, query or form is refused before any view reads it."""
    texts = [request.path, *(text for pair in request.args.lists() for text in (pair[0], *pair[1]))]
    if request.method in ("POST", "PUT", "PATCH"):
        texts.extend(text for pair in request.form.lists() for text in (pair[0], *pair[1]))
    if any("\x00" in text for text in texts):
        return render_error(400, _l("Det sendte indeholder et usynligt nul-tegn, som ikke kan gemmes. Gå tilbage, "
                                    "fjern det (skriv eller indsæt teksten igen), og prøv igen."))
    return None


def init_app(app):
    app.before_request(_refuse_nul_characters)
    app.teardown_appcontext(_end_session_without_the_database)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, database_error_answer)
    app.register_error_handler(PoolTimeout, database_error_answer)
    app.register_error_handler(Exception, _unexpected_error)
