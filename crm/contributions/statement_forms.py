"""The forms of the bank statement pages: the upload, the CSV columns, and picking an invoice for a transaction."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from crm.contributions.statement_files import REQUIRED_FIELDS

INVOICE_LABEL = re.compile(r"\s*(\d{4})\s*-\s*(\d{1,10})\s*")


class StatementUploadForm(FlaskForm):
    file = FileField(_l("Kontoudskrift (camt.053 eller CSV)"),
                     description=_l("Bankens XML-fil (ISO 20022 camt.053) eller en CSV-eksport med semikolon."),
                     validators=[FileRequired(_l("Vælg en fil."))])


FIELD_LABELS = {"date": _l("Dato"), "amount": _l("Beløb"), "text": _l("Tekst"), "payer": _l("Betaler"),
                "reference": _l("Reference")}


def mapping_form(headers, guessed, formdata=None):
    """A form with one choice of column per field; the optional fields may be left out."""

    class MappingForm(FlaskForm):
        pass

    choices = [SelectChoice("", _l("(ingen)"))] + [SelectChoice(str(index), header or f"#{index + 1}")
                                                    for index, header in enumerate(headers)]
    for name, label in FIELD_LABELS.items():
        validators = [DataRequired(_l("Vælg en kolonne."))] if name in REQUIRED_FIELDS else []
        setattr(MappingForm, name, SelectField(label, choices=choices, validators=validators,
                                               default=str(guessed[name]) if name in guessed else ""))
    return MappingForm(formdata=formdata) if formdata is not None else MappingForm()


def chosen_mapping(form):
    return {name: int(form[name].data) for name in FIELD_LABELS if form[name].data not in (None, "")}


class AssignForm(FlaskForm):
    invoice = StringField(_l("Fakturanummer"), description=_l("Fx 2031-7"),
                          validators=[DataRequired(_l("Skriv fakturanummeret.")), Length(max=30)])

    def validate_invoice(self, field):
        match = INVOICE_LABEL.fullmatch(field.data or "")
        if not match:
            raise ValidationError(_l("Skriv fakturanummeret som år-nummer, fx 2031-7."))
        self.label = (int(match[1]), int(match[2]))
