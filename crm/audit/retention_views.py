"""The admins' page of the retention rules: the settings, what a run would do now, and the latest runs."""

from flask import render_template

from crm.audit import retention
from crm.audit.blueprint import bp
from crm.security import Role, roles_required


@bp.get("/retention")
@roles_required(Role.ADMIN)
def retention_page():
    """Read-only: the preview counts what a run would do now and changes nothing."""
    due = retention.preview()
    labels = {task.kind: task.label for task, _count in due}
    rows = [{"task": task, "period": retention.period_text(task), "count": count} for task, count in due]
    runs = [(run, [(labels.get(kind, kind), count) for kind, count in (run.counts or {}).items() if count])
            for run in retention.recent_runs()]
    return render_template("audit/retention.html", rows=rows, runs=runs)
