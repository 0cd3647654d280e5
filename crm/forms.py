"""Small helpers shared by the areas' forms."""


def errors_text(form):
    """Every error message of a form as one line, for a flash message after a redirect."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
