"""The API's working groups and their members."""

from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from crm.api.access import log_persons_read, own_company_id, token_required
from crm.api.errors import refuse
from crm.api.paging import keyset_page
from crm.api.schemas import ID_MAX, GroupDetailSchema, GroupSchema, PageArgs, WithRows, page_of
from crm.extensions import db
from crm.groups.models import GroupMembership, WorkingGroup

blp = Blueprint("api_groups", __name__, description="Arbejdsgrupper og deres medlemmer.")


@blp.get("/groups")
@blp.arguments(PageArgs, location="query", as_kwargs=True)
@blp.response(200, page_of(GroupSchema))
@token_required()
def groups(limit, cursor=None):
    """Arbejdsgrupperne (netværket viser dem til alle medlemmer)."""
    return keyset_page(select(WorkingGroup), WorkingGroup.id, {"limit": limit, "cursor": cursor})


@blp.get(f"/groups/<int(max={ID_MAX}):group_id>")
@blp.response(200, GroupDetailSchema)
@token_required()
def group(group_id):
    """Én arbejdsgruppe med dens nuværende og tidligere medlemmer; et virksomheds-token ser kun sin egen
    virksomheds medlemskaber."""
    found = db.session.get(WorkingGroup, group_id)
    if found is None:
        refuse(404, _("Arbejdsgruppen findes ikke."))
    members = select(GroupMembership).where(GroupMembership.group_id == found.id).order_by(GroupMembership.id)
    own = own_company_id()
    if own is not None:
        members = members.where(GroupMembership.company_id == own)
    return WithRows(found, members=log_persons_read(db.session.scalars(members).all()))
