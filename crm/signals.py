"""Signals between areas: a lower area announces what happens to a company or a person, and each area above it
moves, scrubs or reports its own rows (as indico's `signals.users.merged` lets every module move a merged user's
data). Blinker ships with Flask.

Each area connects its receivers in its own `signals.py`, which create_app imports. A receiver states the
foreign-key columns it takes care of with `@handles(...)`; a column handled by the sender itself, or needing
nothing, is declared with `declare(...)` and how. A test walks every foreign key to `companies.id` and
`contacts.id` and fails on one that the merge, the erasure or the data ZIP leaves uncovered.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from blinker import Namespace

_signals = Namespace()

#: Before a merge changes anything. sender: the surviving Company; kwargs: duplicate (the Company that goes).
#: A receiver returns a list of Danish messages naming its rows that cannot both survive (two invoices for one
#: year); any message refuses the whole merge before anything has changed.
company_merge_conflicts = _signals.signal("company-merge-conflicts")

#: Move everything of the duplicate company to the survivor. sender: survivor; kwargs: duplicate.
#: Runs after the contacts have moved (see contacts_merged) and before the duplicate is deleted.
#: A receiver returns {"what moved (Danish)": count}.
company_merged = _signals.signal("company-merged")

#: Two contact persons are one person (a merge of their companies found the same e-mail on both).
#: sender: the surviving Contact; kwargs: duplicate (the Contact that goes). A receiver repoints its rows.
contacts_merged = _signals.signal("contacts-merged")

#: A contact person leaves the register (removed by staff or in the portal). sender: the Contact, still loaded
#: and not yet deleted; kwargs: by (the acting User or None). A receiver ends what the person could still do.
contact_removed = _signals.signal("contact-removed")

#: A contact person's e-mail changed. sender: the Contact; kwargs: old_email, by.
contact_email_changed = _signals.signal("contact-email-changed")

#: A person is anonymised at their request. sender: the Contact (already renamed); kwargs: old_name, old_email,
#: words (the texts to scrub, as whole words), by. A receiver removes the person from its rows, keeping counts.
contact_erased = _signals.signal("contact-erased")

#: The company's data ZIP ("download our data"). sender: the Company. A receiver returns a list of ExportPart.
company_export_parts = _signals.signal("company-export-parts")

#: The staff company page. sender: the Company. A receiver returns a Panel or a list of them.
company_page_panels = _signals.signal("company-page-panels")

#: The staff page of a working group. sender: the WorkingGroup. A receiver returns a Panel (as on the company
#: page) or a list of them: the group's meetings come from meetings, which builds on groups.
group_page_panels = _signals.signal("group-page-panels")

#: A filter of the company list that another area answers (the working group a company takes part in).
#: sender: the filter's name, e.g. "group"; kwargs: value. A receiver returns a SQL condition on companies.
company_filter = _signals.signal("company-filter")

#: The choices of such a filter in the list's form. sender: the filter's name. A receiver returns
#: [(value, label), ...].
company_filter_choices = _signals.signal("company-filter-choices")

#: The staff home page: what needs doing today. sender: the logged-in User. A receiver returns a Panel (as on the
#: company page) or a list of them: the reports area, which builds on every other, gathers the day's work.
staff_home_panels = _signals.signal("staff-home-panels")

#: The retention run (crm.audit.retention, `flask retention run`) gathers what may be removed when past its period.
#: sender: the app. A receiver returns a RetentionTask or a list of them; each area names its own rows.
retention_tasks = _signals.signal("retention-tasks")

#: Which contact persons showed a sign of life at or after a moment (the retention of inactive persons).
#: sender: the moment (UTC). A receiver returns a select of one column, contact ids (NULLs are left out).
contacts_active_since = _signals.signal("contacts-active-since")


@dataclass
class RetentionTask:
    """One kind of data the retention run removes or anonymises once it is past its period."""

    #: A stable key, in the run's counts and the command's output, e.g. "login_failures".
    kind: str
    #: What it is, in Danish (lazy), e.g. "Mislykkede logins".
    label: str
    #: run(cutoff, apply=...) -> how many rows (or persons) are past the period: older than the cutoff (UTC).
    #: With apply=False it only counts; with apply=True it removes them (flush, never commit) and says how many.
    run: Callable[..., int]
    #: The config key holding the period, or None when the rows carry their own expiry (the cutoff is then now).
    setting: str | None = None
    #: The unit of the setting: "days" or "years".
    unit: str = "days"
    #: What happens to a row past its period, in Danish (lazy), e.g. "slettes".
    action: str = ""
    #: The order in the run and on the page (smaller first).
    order: int = 100


@dataclass
class ExportPart:
    """One part of the data ZIP: NAME.json and NAME.csv. Rows are flat dicts with plain values."""

    name: str
    #: Danish column names for the CSV, in order, keyed by the row's keys.
    columns: dict
    rows: list
    #: The order of the part in the archive (smaller first).
    order: int = 100
    #: The CSV's words for stored values, by column: {"role": {"owner": "Ejer", ...}}; JSON keeps the stored ones.
    values: dict = field(default_factory=dict)


@dataclass
class Panel:
    """A section of the staff company page: a template and what it needs."""

    template: str
    context: dict = field(default_factory=dict)
    #: The order on the page (smaller first).
    order: int = 100


def collect(signal, sender, **kwargs):
    """Send the signal and gather what the receivers returned (lists are flattened, None left out)."""
    gathered = []
    for _receiver, result in signal.send(sender, **kwargs):
        if result is None:
            continue
        gathered.extend(result if isinstance(result, list | tuple) else [result])
    return gathered


#: {signal name: {"table.column": "module.receiver" or "reason it needs none"}}
COVERAGE: dict[str, dict[str, str]] = {}


def handles(signal, *columns):
    """Connect the function to the signal and note the foreign-key columns ("table.column") it takes care of."""

    def decorator(function):
        signal.connect(function)
        for column in columns:
            COVERAGE.setdefault(signal.name, {})[column] = f"{function.__module__}.{function.__name__}"
        return function

    return decorator


def declare(signal, column, how):
    """Declare how the event treats a column without a receiver of its own: the sender handles it, or nothing is
    needed, and why."""
    COVERAGE.setdefault(signal.name, {})[column] = how
