"""Groups are below meetings: the group page gets its meetings from the meetings area through a signal, and no
module of the groups area imports meetings (not even inside a function)."""

import ast
from pathlib import Path

from sqlalchemy import select

from crm.groups.models import WorkingGroup
from crm.signals import collect, group_page_panels

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_module_of_the_groups_area_imports_meetings():
    upward = {f"{path.relative_to(ROOT)}: {module}" for path in (ROOT / "crm" / "groups").rglob("*.py")
              for module in imported_modules(path) if module.split(".")[:2] == ["crm", "meetings"]}
    assert upward == set()


def test_no_group_template_reaches_into_meetings():
    for path in (ROOT / "templates" / "groups").rglob("*.html"):
        assert "meetings" not in path.read_text(encoding="utf-8"), path.name


def test_the_meetings_area_adds_the_group_meetings_panel(db):
    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    panels = collect(group_page_panels, water)
    assert [panel.template for panel in panels] == ["meetings/_group_panel.html"]
    assert set(panels[0].context) == {"upcoming", "past", "open_items"}
