"""What the benchmark measures: one Scenario per page and query, each with its floor route and its targets.

To measure a new page, add a Scenario here and, for its floor, a route with the same URL rule in bench/floor.py
(the floor app answers the same paths as the CRM, so one path is requested from both servers).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from bench.exchange import SEARCH_CATEGORY, SEARCH_WORD

#: SQL statements a page may run per request (and the count must not grow with the data: no N+1).
MAX_SQL = 8


@dataclass(frozen=True)
class Target:
    """What a scenario must meet; the timing limits apply at the scales named, the SQL limits at every scale."""

    #: p95 of the page at most this many times the p95 of its floor.
    max_floor_ratio: float | None = None
    #: p95 below this many milliseconds.
    max_p95_ms: float | None = None
    max_sql: int | None = MAX_SQL
    timing_scales: tuple = (100,)

    def describe(self, scale):
        parts = []
        if scale in self.timing_scales:
            if self.max_p95_ms is not None:
                parts.append(f"p95<{self.max_p95_ms:g}ms")
            if self.max_floor_ratio is not None:
                parts.append(f"<={self.max_floor_ratio:g}x floor")
        if self.max_sql is not None:
            parts.append(f"SQL<={self.max_sql}")
        return ", ".join(parts)

    def misses(self, result):
        """The targets the measured result misses, as short texts."""
        misses = []
        if result["scale"] in self.timing_scales:
            if self.max_p95_ms is not None and result["p95_ms"] >= self.max_p95_ms:
                misses.append(f"p95 {result['p95_ms']:.1f}ms")
            ratio = result.get("floor_ratio")
            if self.max_floor_ratio is not None and ratio is not None and ratio > self.max_floor_ratio:
                misses.append(f"{ratio:.2f}x floor")
        if self.max_sql is not None and max(result["sql"], default=0) > self.max_sql:
            misses.append(f"{max(result['sql'])} SQL")
        return misses


@dataclass(frozen=True)
class Scenario:
    """A page request: `path(dataset)` gives its URL; `floor` names the floor route answering the same path."""

    name: str
    area: str
    path: Callable
    floor: str | None
    target: Target
    #: Shown when the path differs from what the name says at some scale.
    note: Callable = lambda dataset: ""
    #: Who requests the page: "staff", or "company" (the dataset's portal user, see bench/portal.py).
    user: str = "staff"
    #: Request headers, the same to the CRM and its floor (e.g. HX-Request for what htmx asks).
    headers: dict | None = None


def _list(**args):
    query = urlencode(args)
    return lambda dataset: "/companies/" + (f"?{query}" if query else "")


def _page_50(dataset):
    return f"/companies/?page={min(50, dataset.last_page)}"


def _page_50_note(dataset):
    return f"only {dataset.last_page} pages: the last one" if dataset.last_page < 50 else ""


LIST_TARGET = Target(max_floor_ratio=2.0)
#: "Group page and group list at scale 100 within 2x their bare-route floors; SQL statements per request the same
#: at scale 1 and 100" (the latter checked for every scenario by report.judge_pages).
GROUP_TARGET = Target(max_floor_ratio=2.0)
#: The largest of the five working groups the migration creates (34 members from load_demo_groups, 2 initiatives).
GROUP_SLUG = "affald"
SEARCH_TARGET = Target(max_floor_ratio=2.0, max_p95_ms=30)
#: "At scale 100 (39,400 companies, 3,000 meetings, 300,000 invitations): the meeting page with 394 invitations and
#: its attendance at p95 under 50 ms server time; the meeting list and check-in page within 2x their bare-route
#: floors; SQL statements per request the same at scale 1 and 100." The measured meeting is the dataset's
#: benchmark meeting (bench/meetings.py): 394 invitations, about 60 % answered, 22 companies checked in.
MEETING_PAGE_TARGET = Target(max_p95_ms=50)
MEETING_LIST_TARGET = Target(max_floor_ratio=2.0)
#: "Check-in page and a check-in search at scale 100 with p95 under 50 ms, within 2x the floor": the page shows
#: the first 50 of the 394 invited companies; the search is what htmx asks as a name is typed (the list alone).
CHECKIN_TARGET = Target(max_floor_ratio=2.0, max_p95_ms=50)
#: Part of a place name in company names (about 1 in 20 companies), with a Danish letter.
CHECKIN_SEARCH = "søholm"
HTMX = {"HX-Request": "true"}
#: "Portal home and our company within 2x their floors at scale 100; SQL statements the same at scale 1 and 100."
PORTAL_TARGET = Target(max_floor_ratio=2.0)

#: The company page is where every area shows its part of one company: the register (company, contacts and tags
#: in one query), owned and rented plots, the timeline, groups, meetings, contributions and reminder hold, and the
#: portal's logins and removal requests: one query each, none per row, so its own budget.
COMPANY_PAGE_TARGET = Target(max_sql=11)
#: "The year's report page and the staff home page at scale 100 within 2x their floor, with a constant number of SQL
#: statements from scale 1 to scale 100." The report counts each of its figures for five years with a few queries
#: each (about 110 in all, none per row); the home page gathers the day from every area.
REPORT_TARGET = Target(max_floor_ratio=2.0, max_sql=None)

#: "make bench: an API list of companies at scale 100 within 2x the floor": the first page (50) of /api/v1/companies
#: with a staff token; the floor finds and counts the token the same way and writes the rows with json.dumps.
API_LIST_TARGET = Target(max_floor_ratio=2.0)
#: The benchmark staff user's API token (bench/api.py gives it to every dataset; a throwaway database).
API_TOKEN = "hcrm_bench-token-of-a-throwaway-database"  # noqa: S105
API_HEADERS = {"Authorization": f"Bearer {API_TOKEN}"}
#: "The listing search at scale 100 (about 20,000 listings) and the portal exchange page within 2x the floor,
#: constant SQL statements" (bench/exchange.py: the page, its search and its floor).
EXCHANGE_TARGET = Target(max_floor_ratio=2.0)


def _exchange_search(dataset):
    return "/portal/exchange/?" + urlencode({"q": SEARCH_WORD, "category": dataset.exchange_category_id or ""})


SCENARIOS = [
    Scenario("company list", "companies", _list(), "company_list", LIST_TARGET),
    Scenario("search 'hammerholmen'", "companies", _list(q="hammerholmen"), "company_list", SEARCH_TARGET),
    Scenario("search 'sø' (2 letters)", "companies", _list(q="sø"), "company_list", LIST_TARGET),
    Scenario("filter owner+member", "companies", _list(role="owner", status="member"), "company_list", LIST_TARGET),
    Scenario("list page 50", "companies", _page_50, "company_list", LIST_TARGET, note=_page_50_note),
    Scenario("company page", "companies", lambda dataset: f"/companies/{dataset.sample_company_id}",
             "company_page", COMPANY_PAGE_TARGET),
    Scenario("group list", "groups", lambda dataset: "/groups/", "group_list", GROUP_TARGET),
    Scenario("group page", "groups", lambda dataset: f"/groups/{GROUP_SLUG}", "group_page", GROUP_TARGET),
    Scenario("meeting page", "meetings", lambda dataset: f"/meetings/{dataset.meeting_id}", "meeting_page",
             MEETING_PAGE_TARGET),
    Scenario("meeting list", "meetings", lambda dataset: "/meetings/", "meeting_list", MEETING_LIST_TARGET),
    Scenario("check-in page", "meetings", lambda dataset: f"/meetings/{dataset.meeting_id}/checkin",
             "checkin_page", CHECKIN_TARGET),
    Scenario("check-in search", "meetings",
             lambda dataset: f"/meetings/{dataset.meeting_id}/checkin?{urlencode({'q': CHECKIN_SEARCH})}",
             "checkin_page", CHECKIN_TARGET, headers=HTMX),
    Scenario("portal home", "portal", lambda dataset: "/portal/", "portal_home", PORTAL_TARGET, user="company"),
    Scenario("our company", "portal", lambda dataset: "/portal/company", "our_company", PORTAL_TARGET,
             user="company"),
    Scenario("year report", "reports", lambda dataset: f"/reports/{date.today().year}", "report_year",
             REPORT_TARGET),
    Scenario("staff home", "reports", lambda dataset: "/", "staff_home", REPORT_TARGET),
    Scenario("API company list", "api", lambda dataset: "/api/v1/companies", "api_company_list", API_LIST_TARGET,
             headers=API_HEADERS),
    Scenario("portal exchange", "exchange", lambda dataset: "/portal/exchange/", "portal_exchange", EXCHANGE_TARGET,
             user="company"),
    Scenario(f"listing search '{SEARCH_WORD}' + {SEARCH_CATEGORY}", "exchange", _exchange_search, "portal_exchange",
             EXCHANGE_TARGET, user="company"),
]
AREAS = sorted({scenario.area for scenario in SCENARIOS})
