"""The swap centre's words for stored values, for every template (staff and portal)."""

from crm.exchange.blueprint import bp
from crm.exchange.forms import KIND_LABELS, STATE_LABELS, UNIT_LABELS


@bp.app_template_global()
def kind_label(kind):
    return KIND_LABELS.get(kind, kind)


@bp.app_template_global()
def unit_label(unit):
    return UNIT_LABELS.get(unit, unit)


@bp.app_template_global()
def state_label(state):
    return STATE_LABELS.get(state, state)


@bp.app_template_global()
def kind_choices():
    return [(kind.value, label) for kind, label in KIND_LABELS.items()]
