"""What the API answers and accepts, as marshmallow schemas: flask-smorest checks the input with them, writes the
output with them, and writes the OpenAPI document from them."""

import re

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from crm.companies.models import ActivityKind, CompanyRole, CompanyStatus, LawfulBasis
from crm.contributions.models import ContributionState
from crm.groups.models import MemberRole
from crm.meetings.models import AttendanceStatus, MeetingKind, MeetingStatus, Rsvp

#: The largest id: the tables' ids are INTEGER, which PostgreSQL holds up to 2^31 - 1 (a larger one in a path is a
#: 404, in a query string a 422, never an error of the database).
ID_MAX = 2**31 - 1
ID_RANGE = validate.Range(min=1, max=ID_MAX)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain_text(value):
    """Text a person could have typed: no NUL or other control characters (line breaks and tabs are fine)."""
    if _CONTROL.search(value):
        raise ValidationError(str(_l("Teksten indeholder usynlige kontroltegn. Fjern dem, og prøv igen.")))


class ErrorSchema(Schema):
    """Every refusal: the HTTP status as a number and as words, a message saying what to do, and, for invalid
    input, the errors field by field."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict()


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200),
                           metadata={"description": "Rækker pr. side (1-200)."})
    cursor = fields.String(validate=validate.Length(max=100),
                           metadata={"description": "next_cursor fra den forrige side; udelades på den første."})


class CompanyArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=1000),
                      metadata={"description": "Søg i navn, CVR, adresse og kontaktpersoner (som firmalisten)."})
    status = fields.Enum(CompanyStatus, by_value=True)
    role = fields.Enum(CompanyRole, by_value=True)
    tag = fields.String(validate=validate.Length(max=1000))
    group = fields.String(validate=validate.Length(max=1000), metadata={"description": "En arbejdsgruppes slug."})


class CompanySchema(Schema):
    id = fields.Integer(required=True)
    cvr = fields.String(required=True)
    name = fields.String(required=True)
    p_number = fields.String(allow_none=True)
    ean = fields.String(allow_none=True)
    street = fields.String()
    postal_code = fields.String()
    city = fields.String()
    role = fields.Enum(CompanyRole, by_value=True)
    status = fields.Enum(CompanyStatus, by_value=True)
    employees = fields.Integer(allow_none=True)
    area_m2 = fields.Float(allow_none=True, metadata={"description": "Grundareal i m²."})
    industry = fields.String()
    joined_on = fields.Date(allow_none=True)
    left_on = fields.Date(allow_none=True)
    website = fields.String()
    advertising_protected = fields.Boolean(metadata={"description": "Reklamebeskyttet i CVR."})
    directory_listed = fields.Boolean()
    description = fields.String()
    tags = fields.List(fields.String(), attribute="tag_names")
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ContactArgs(PageArgs):
    company = fields.Integer(validate=ID_RANGE, metadata={"description": "Kun denne virksomheds kontakter."})


class ContactSchema(Schema):
    id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)
    name = fields.String()
    title = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String()
    is_primary = fields.Boolean()
    receives_meeting_mail = fields.Boolean()
    lawful_basis = fields.Enum(LawfulBasis, by_value=True)
    newsletter_consent = fields.Boolean()
    consent_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class PlotArgs(PageArgs):
    company = fields.Integer(validate=ID_RANGE, metadata={"description": "Kun grunde, virksomheden ejer eller lejer."})


class TenancySchema(Schema):
    company_id = fields.Integer(required=True)
    from_date = fields.Date(allow_none=True)
    to_date = fields.Date(allow_none=True)


class PlotSchema(Schema):
    id = fields.Integer(required=True)
    cadastral_number = fields.String()
    address = fields.String()
    area_m2 = fields.Float(allow_none=True)
    owner_id = fields.Integer(allow_none=True, metadata={"description": "Ejeren (for et virksomheds-token kun, "
                                                                         "når det er virksomheden selv)."})
    tenancies = fields.List(fields.Nested(TenancySchema))


class ActivityInput(Schema):
    kind = fields.Enum(ActivityKind, by_value=True, required=True,
                       validate=validate.OneOf([ActivityKind.NOTE, ActivityKind.CALL, ActivityKind.VISIT]))
    text = fields.String(required=True, validate=[validate.Length(min=1, max=5000), _plain_text])
    occurred_at = fields.AwareDateTime(metadata={"description": "Hvornår (med tidszone); udeladt: nu."})


class ActivitySchema(Schema):
    id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)
    kind = fields.Enum(ActivityKind, by_value=True)
    text = fields.String()
    author_id = fields.Integer(allow_none=True)
    occurred_at = fields.DateTime()
    created_at = fields.DateTime()


class MeetingArgs(PageArgs):
    status = fields.Enum(MeetingStatus, by_value=True)
    kind = fields.Enum(MeetingKind, by_value=True)
    group = fields.Integer(validate=ID_RANGE, metadata={"description": "Kun denne arbejdsgruppes møder (id)."})
    year = fields.Integer(validate=validate.Range(min=1900, max=2200))


class MeetingSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String()
    kind = fields.Enum(MeetingKind, by_value=True)
    group_id = fields.Integer(allow_none=True)
    series = fields.String()
    status = fields.Enum(MeetingStatus, by_value=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    place = fields.String()
    online_url = fields.String()
    description = fields.String()
    minutes_published_at = fields.DateTime(allow_none=True)


class InvitationSchema(Schema):
    id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)
    rsvp = fields.Enum(Rsvp, by_value=True, allow_none=True)
    rsvp_at = fields.DateTime(allow_none=True)
    invited_at = fields.DateTime()


class AttendanceSchema(Schema):
    id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)
    contact_id = fields.Integer(allow_none=True)
    status = fields.Enum(AttendanceStatus, by_value=True)
    walk_in = fields.Boolean()
    checked_in_at = fields.DateTime()


class MeetingDetailSchema(MeetingSchema):
    invitations = fields.List(fields.Nested(InvitationSchema))
    attendance = fields.List(fields.Nested(AttendanceSchema))


class GroupSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String()
    slug = fields.String()
    purpose = fields.String()
    active = fields.Boolean()


class MembershipSchema(Schema):
    id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)
    contact_id = fields.Integer(allow_none=True)
    role = fields.Enum(MemberRole, by_value=True)
    joined_on = fields.Date()
    left_on = fields.Date(allow_none=True)


class GroupDetailSchema(GroupSchema):
    members = fields.List(fields.Nested(MembershipSchema))


class ContributionArgs(PageArgs):
    year = fields.Integer(validate=validate.Range(min=1900, max=2200))
    company = fields.Integer(validate=ID_RANGE)
    state = fields.Enum(ContributionState, by_value=True)


class PaymentSchema(Schema):
    id = fields.Integer(required=True)
    paid_on = fields.Date()
    amount_ore = fields.Integer(metadata={"description": "Beløb i øre."})
    reference = fields.String()


class ContributionSchema(Schema):
    id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)
    year = fields.Integer()
    invoice_number = fields.Integer()
    invoice_date = fields.Date()
    due_date = fields.Date()
    net_ore = fields.Integer()
    vat_ore = fields.Integer()
    total_ore = fields.Integer(metadata={"description": "Netto plus moms, i øre."})
    paid_ore = fields.Integer()
    state = fields.Enum(ContributionState, by_value=True)
    sent_at = fields.DateTime(allow_none=True)
    credited_on = fields.Date(allow_none=True)
    payments = fields.List(fields.Nested(PaymentSchema))


class WithRows:
    """A row with more to show than its columns (a meeting with its invitations): reads as the row, plus these."""

    def __init__(self, row, **more):
        self._row, self._more = row, more

    def __getattr__(self, name):
        return self._more[name] if name in self._more else getattr(self._row, name)


def page_of(item_schema):
    """The schema of one page of a list: its items and the cursor of the next page (null on the last)."""
    return type(f"{item_schema.__name__.removesuffix('Schema')}PageSchema", (Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": fields.String(required=True, allow_none=True),
    })
