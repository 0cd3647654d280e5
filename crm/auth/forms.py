"""Forms of login, password reset and password change."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from crm.auth.passwords import password_problem


def _policy(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(str(problem))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Skriv din e-mail.")), Length(max=254)])
    password = PasswordField(_l("Adgangskode"), validators=[DataRequired(_l("Skriv din adgangskode.")),
                                                            Length(max=1024)])
    remember = BooleanField(_l("Husk mig på denne computer"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Skriv din e-mail.")), Email(_l("Skriv en gyldig e-mail."), check_deliverability=False),
        Length(max=254),
    ])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Ny adgangskode"),
        description=_l("Mindst 12 tegn. Brug gerne en sætning, du kan huske."),
        validators=[DataRequired(_l("Skriv en ny adgangskode.")), _policy],
    )
    confirm = PasswordField(_l("Gentag ny adgangskode"), validators=[
        DataRequired(_l("Gentag den nye adgangskode.")),
        EqualTo("password", _l("De to adgangskoder er ikke ens.")),
    ])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Nuværende adgangskode"),
                            validators=[DataRequired(_l("Skriv din nuværende adgangskode."))])


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()
