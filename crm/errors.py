"""Danish error pages: nothing of the inside leaks out."""

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from crm.extensions import db

TEXTS = {
    400: (_l("Forespørgslen kunne ikke behandles"),
          _l("Siden fik noget, den ikke kunne bruge. Gå tilbage og prøv igen.")),
    403: (_l("Du har ikke adgang til siden"),
          _l("Din bruger har ikke ret til at se eller ændre dette. Kontakt erhvervsteamet, hvis du mener, "
             "det er en fejl.")),
    404: (_l("Siden findes ikke"),
          _l("Vi kunne ikke finde siden. Tjek adressen, eller gå til forsiden.")),
    405: (_l("Handlingen er ikke tilladt"), _l("Siden kan ikke bruges på den måde.")),
    413: (_l("Filen er for stor"), _l("Det, du sendte, er større end grænsen. Vælg en mindre fil.")),
    429: (_l("For mange forsøg"),
          _l("Der har været for mange forsøg på kort tid. Vent et kvarter, og prøv så igen.")),
    500: (_l("Der skete en fejl"),
          _l("Der skete en fejl hos os. Prøv igen om lidt. Fejlen er registreret.")),
}


FALLBACK_PAGE = (
    '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Der skete en fejl</title></head>'
    "<body><main><h1>Der skete en fejl</h1><p>Prøv igen om lidt.</p></main></body></html>"
)


def render_error(status, message=None):
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
    return render_error(error.code if error.code in TEXTS else 500)


def _unexpected_error(error):
    current_app.logger.exception("Unhandled error: %s", error)
    db.session.rollback()
    return render_error(500)


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
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
