"""Forms of login, password reset and change, and two-factor login."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
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


class TwoFactorCodeForm(FlaskForm):
    code = StringField(_l("Kode"), description=_l("De 6 cifre fra din app, eller en af dine gendannelseskoder."),
                       validators=[DataRequired(_l("Skriv koden fra din app.")), Length(max=40)])


class EnrolmentCodeForm(FlaskForm):
    code = StringField(_l("Kode fra appen"), description=_l("De 6 cifre, appen viser nu."),
                       validators=[DataRequired(_l("Skriv koden fra din app.")), Length(max=40)])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
