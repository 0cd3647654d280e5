"""Staff set the year's goals: the list, a new goal, a change, a removal."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.extensions import db
from crm.reports import goals
from crm.reports.blueprint import bp
from crm.reports.figures import FIGURES, year_report
from crm.reports.forms import GoalForm
from crm.reports.models import ReportGoal
from crm.reports.views import year_or_404
from crm.security import STAFF_ROLES, roles_required


def _goal_or_404(year, goal_id):
    goal = db.get_or_404(ReportGoal, goal_id)
    if goal.year != year:
        abort(404)
    return goal


@bp.get("/<int:year>/goals")
@roles_required(*STAFF_ROLES)
def goals_index(year):
    year_or_404(year)
    values = year_report(year).values
    measured = [goals.measure(goal, values) for goal in goals.year_goals(year)]
    return render_template("reports/goals.html", year=year, measured=measured)


def _goal_form(year, goal):
    """The form of a new goal (goal None) or of a goal to change: save it, or show it with its errors."""
    form = GoalForm(obj=goal)
    if form.validate_on_submit():
        goals.save_goal(goal, year, form.values(), by=current_user)
        db.session.commit()
        flash(_("Målet er gemt."), "success")
        return redirect(url_for(".goals_index", year=year))
    return render_template("reports/goal_form.html", year=year, form=form, goal=goal,
                           figure_keys=[figure.key for figure in FIGURES]), \
        422 if form.is_submitted() else 200


@bp.route("/<int:year>/goals/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new_goal(year):
    year_or_404(year)
    return _goal_form(year, None)


@bp.route("/<int:year>/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_goal(year, goal_id):
    return _goal_form(year, _goal_or_404(year, goal_id))


@bp.post("/<int:year>/goals/<int:goal_id>/delete")
@roles_required(*STAFF_ROLES)
def delete_goal(year, goal_id):
    goal = _goal_or_404(year, goal_id)
    goals.delete_goal(goal, by=current_user)
    db.session.commit()
    flash(_("Målet er slettet."), "success")
    return redirect(url_for(".goals_index", year=year))
