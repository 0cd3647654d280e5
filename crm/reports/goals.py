"""The year's goals: kept by staff, measured against the report's figures, and said in the municipality's words
("målet om 10 er dermed overgået")."""

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from crm.audit.services import record
from crm.extensions import db
from crm.i18n import kroner, number
from crm.reports.figures import FIGURES_BY_KEY
from crm.reports.models import ReportGoal

FIELDS = ("text", "figure", "target", "manual_result", "manual_source", "narrative")
#: {figure_key} in a narrative: only these simple names are replaced, nothing else of the text is interpreted.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def year_goals(year):
    """The year's goals in the order they were set."""
    return db.session.scalars(select(ReportGoal).where(ReportGoal.year == year).order_by(ReportGoal.id)).all()


def save_goal(goal, year, values, *, by=None):
    """Create a goal for the year (goal None) or change one; values holds FIELDS."""
    if goal is None:
        goal = ReportGoal(year=year)
        db.session.add(goal)
    changes = {key: [str(getattr(goal, key)), str(values[key])] for key in FIELDS
               if getattr(goal, key) != values[key]}
    for key in FIELDS:
        setattr(goal, key, values[key])
    db.session.flush()
    if changes:
        record("report.goal_saved", actor=by, obj=goal, changes=changes)
    return goal


def delete_goal(goal, *, by=None):
    """Remove a goal."""
    record("report.goal_deleted", actor=by, obj=goal, changes={"text": goal.text, "year": goal.year})
    db.session.delete(goal)
    db.session.flush()


def shown(value, kind):
    """A figure's value as the report writes it in a sentence."""
    if value is None:
        return "–"
    if kind == "ore":
        return kroner(value)
    if kind in ("percent", "decimal", "days"):
        text = number(value, "#,##0.0")
        return {"percent": f"{text} %", "days": _("%(days)s dage", days=text)}.get(kind, text)
    return number(value)


def fill_narrative(text, values):
    """The narrative with {figure_key} replaced by the year's figure; an unknown name stays as written."""

    def replace(match):
        figure = FIGURES_BY_KEY.get(match.group(1))
        return shown(values.get(figure.key), figure.kind) if figure else match.group(0)

    return PLACEHOLDER.sub(replace, text or "")


@dataclass
class Measured:
    goal: ReportGoal
    #: The result in the target's unit (kroner for money), or None when there is none yet.
    result: Decimal | None
    result_text: str
    target_text: str
    #: True, False, or None without a target or a result.
    reached: bool | None
    verdict: str
    narrative: str


def _target_text(goal, figure):
    if figure and figure.kind == "ore":
        return kroner(goal.target * 100)
    return number(goal.target.normalize() if goal.target == goal.target.to_integral() else goal.target)


def measure(goal, values):
    """The goal against the year's figures: the result, whether it was reached, and the sentence saying so."""
    figure = FIGURES_BY_KEY.get(goal.figure) if goal.figure else None
    if figure:
        value = values.get(figure.key)
        result = None if value is None else Decimal(str(value)) / (100 if figure.kind == "ore" else 1)
        result_text = shown(value, figure.kind)
    else:
        result = goal.manual_result
        result_text = "–" if result is None else number(result.normalize() if result == result.to_integral()
                                                        else result)
    reached, verdict = None, ""
    target_text = "" if goal.target is None else _target_text(goal, figure)
    if goal.target is not None and result is None:
        verdict = _("Der er endnu intet resultat at måle målet på.")
    elif goal.target is not None:
        target = target_text
        if figure and figure.lower_is_better:
            reached = result <= goal.target
            verdict = (_("Målet om højst %(target)s er dermed nået.", target=target) if reached
                       else _("Målet om højst %(target)s er ikke nået.", target=target))
        else:
            reached = result >= goal.target
            if result > goal.target:
                verdict = _("Målet om %(target)s er dermed overgået.", target=target)
            elif reached:
                verdict = _("Målet om %(target)s er dermed nået.", target=target)
            else:
                verdict = _("Målet om %(target)s er ikke nået.", target=target)
    return Measured(goal, result, result_text, target_text, reached, verdict, fill_narrative(goal.narrative, values))
