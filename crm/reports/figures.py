"""The year's figures: what each is called, how it is computed and which list stands behind it.

Every figure is one number per year, so the same definitions give the year's page, the previous years beside it,
the charts, the goals and the exports.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from crm.companies.models import CompanyRole
from crm.contributions.reporting import overview
from crm.exchange import case_services as cases
from crm.exchange import savings as exchange
from crm.reports import group_figures, network
from crm.reports.meeting_figures import came_once, meeting_figures

#: Sections of the report, in order.
SECTIONS = {"network": _l("Netværket"), "portal": _l("Portalen"), "meetings": _l("Møder"),
            "groups": _l("Arbejdsgrupper"), "exchange": _l("Byttecentralen"), "contributions": _l("Bidrag"),
            "green": _l("Grøn omstilling")}

#: The company lists behind figures: name -> (title, SELECT of company ids for a year).
COMPANY_LISTS = {
    "invited": (_l("Virksomheder, der har fået invitationer eller referater"), lambda year: network.invited(year)),
    "members-start": (_l("Medlemmer ved årets start"), lambda year: network.members_at_start(year)),
    "members-end": (_l("Medlemmer ved årets slutning"), lambda year: network.members_at_end(year)),
    "new-members": (_l("Nye medlemmer"), lambda year: network.new_members(year)),
    "left": (_l("Udmeldte virksomheder"), lambda year: network.left(year)),
    "portal-active": (_l("Portalaktive virksomheder"), lambda year: network.portal_active(year)),
    "portal-users": (_l("Virksomheder med en portalbruger"), lambda year: network.with_portal_user(year)),
    "came-once": (_l("Virksomheder, der kom til mindst ét møde"), lambda year: came_once(year)),
    "group-members-start": (_l("Virksomheder i arbejdsgrupper ved årets start"),
                            lambda year: group_figures.members_at_start(year)),
    "group-members-end": (_l("Virksomheder i arbejdsgrupper ved årets slutning"),
                          lambda year: group_figures.members_at_end(year)),
    "advised": (_l("Virksomheder rådgivet om grøn omstilling"), lambda year: cases.advised(year)),
    "screened": (_l("Virksomheder, hvis affald og ressourcer er screenet for symbioser"),
                 lambda year: cases.screened(year)),
    "gone-on": (_l("Virksomheder, der er gået videre med en ny løsning"), lambda year: cases.gone_on(year)),
    "exchange": (_l("Virksomheder, der deltog i byttecentralen"), lambda year: exchange.taking_part(year)),
}


@dataclass(frozen=True)
class Figure:
    key: str
    section: str
    label: str
    #: "count", "decimal" (one decimal), "percent", "days" or "ore" (money, shown in kroner)
    kind: str = "count"
    #: The company list behind it (COMPANY_LISTS), with a role filter where it counts one role.
    company_list: str | None = None
    role: str | None = None
    #: Or another page behind it: "meetings" (the report's meeting table), "meeting_list:<kind>", "contributions",
    #: "exchange" (the report's table of the swap centre by category).
    page: str | None = None
    #: A goal for it is a ceiling ("at most 14 days"), not a floor.
    lower_is_better: bool = False


FIGURES = (
    Figure("invited", "network", _l("Virksomheder, der har fået invitationer eller referater"),
           company_list="invited"),
    Figure("invited_owners", "network", _l("heraf ejere"), company_list="invited", role=CompanyRole.OWNER),
    Figure("invited_tenants", "network", _l("heraf lejere"), company_list="invited", role=CompanyRole.TENANT),
    Figure("invited_both", "network", _l("heraf både ejer og lejer"), company_list="invited", role=CompanyRole.BOTH),
    Figure("members_start", "network", _l("Medlemmer ved årets start"), company_list="members-start"),
    Figure("members_end", "network", _l("Medlemmer ved årets slutning"), company_list="members-end"),
    Figure("new_members", "network", _l("Nye medlemmer"), company_list="new-members"),
    Figure("new_owners", "network", _l("heraf ejere"), company_list="new-members", role=CompanyRole.OWNER),
    Figure("new_tenants", "network", _l("heraf lejere"), company_list="new-members", role=CompanyRole.TENANT),
    Figure("new_both", "network", _l("heraf både ejer og lejer"), company_list="new-members",
           role=CompanyRole.BOTH),
    Figure("left", "network", _l("Udmeldte"), company_list="left", lower_is_better=True),
    Figure("left_owners", "network", _l("heraf ejere"), company_list="left", role=CompanyRole.OWNER,
           lower_is_better=True),
    Figure("left_tenants", "network", _l("heraf lejere"), company_list="left", role=CompanyRole.TENANT,
           lower_is_better=True),
    Figure("left_both", "network", _l("heraf både ejer og lejer"), company_list="left", role=CompanyRole.BOTH,
           lower_is_better=True),
    Figure("portal_active", "portal", _l("Portalaktive virksomheder (mindst ét log ind i året)"),
           company_list="portal-active"),
    Figure("portal_logins", "portal", _l("Log ind i portalen"), company_list="portal-active"),
    Figure("portal_users", "portal", _l("Virksomheder med en portalbruger"), company_list="portal-users"),
    Figure("network_meetings", "meetings", _l("Netværksmøder holdt"), page="meeting_list:network"),
    Figure("group_meetings", "meetings", _l("Gruppemøder holdt"), page="meeting_list:group"),
    Figure("other_meetings", "meetings", _l("Andre møder, besøg og arrangementer holdt"), page="meetings"),
    Figure("average_companies", "meetings", _l("Virksomheder pr. netværksmøde i gennemsnit"), kind="decimal",
           page="meetings"),
    Figure("fewest_companies", "meetings", _l("Færrest virksomheder på et netværksmøde"), page="meetings"),
    Figure("most_companies", "meetings", _l("Flest virksomheder på et netværksmøde"), page="meetings"),
    Figure("came_once", "meetings", _l("Virksomheder, der kom til mindst ét møde"), company_list="came-once"),
    Figure("answer_rate", "meetings", _l("Svarprocent på invitationer"), kind="percent", page="meetings"),
    Figure("minutes_published", "meetings", _l("Referater udsendt"), page="meetings"),
    Figure("days_to_minutes", "meetings", _l("Dage fra møde til referat i gennemsnit"), kind="days",
           page="meetings", lower_is_better=True),
    Figure("group_members_start", "groups", _l("Virksomheder i arbejdsgrupper ved årets start"),
           company_list="group-members-start"),
    Figure("group_members_end", "groups", _l("Virksomheder i arbejdsgrupper ved årets slutning"),
           company_list="group-members-end"),
    Figure("chairs", "groups", _l("Formænd ved årets slutning"), page="groups"),
    Figure("exchange_listings", "exchange", _l("Annoncer offentliggjort i byttecentralen"), page="exchange"),
    Figure("exchanges", "exchange", _l("Byttehandler lukket"), page="exchange"),
    Figure("exchange_tonnes", "exchange", _l("Ton holdt fra affald"), kind="decimal", page="exchange"),
    Figure("exchange_co2e_tonnes", "exchange", _l("Ton CO2e undgået"), kind="decimal", page="exchange"),
    Figure("exchange_companies", "exchange", _l("Virksomheder, der deltog i byttecentralen"),
           company_list="exchange"),
    Figure("billed", "contributions", _l("Faktureret"), kind="ore", page="contributions"),
    Figure("paid", "contributions", _l("Betalt"), kind="ore", page="contributions"),
    Figure("outstanding", "contributions", _l("Udestående"), kind="ore", page="contributions",
           lower_is_better=True),
    # Companies, not cases; by the year a case started, and for "gone on" the year it ended (crm.exchange.cases).
    Figure("advised", "green", _l("Virksomheder rådgivet om grøn omstilling"), company_list="advised"),
    Figure("screened", "green", _l("Virksomheder, hvis affald og ressourcer er screenet for symbioser"),
           company_list="screened"),
    Figure("gone_on", "green", _l("Virksomheder, der er gået videre med en ny løsning efter et forløb"),
           company_list="gone-on"),
)
FIGURES_BY_KEY = {figure.key: figure for figure in FIGURES}


@dataclass
class YearReport:
    year: int
    #: {figure key: value}; None where the year has nothing to average
    values: dict
    meetings: object
    groups: list
    contributions: object
    #: The swap centre's year (crm.exchange.savings.YearFigures), with its table by category.
    exchange: object


def year_report(year, now=None):
    """Every figure of the year, with the meeting and group tables and the contributions overview behind them."""
    invited = network.invited(year)
    roles = network.by_role(invited)
    meetings = meeting_figures(year, now)
    groups = group_figures.group_rows(year, now)
    money = overview(year)
    swap = exchange.year_figures(year)
    members_start, members_end, joined, gone = network.member_counts(year)
    joined_roles, gone_roles = network.by_role(network.new_members(year)), network.by_role(network.left(year))
    values = {
        "invited": sum(roles.values()),
        "invited_owners": roles.get(CompanyRole.OWNER, 0),
        "invited_tenants": roles.get(CompanyRole.TENANT, 0),
        "invited_both": roles.get(CompanyRole.BOTH, 0),
        "members_start": members_start, "members_end": members_end, "new_members": joined, "left": gone,
        **{f"{key}_{suffix}": roles.get(role, 0) for key, roles in (("new", joined_roles), ("left", gone_roles))
           for suffix, role in (("owners", CompanyRole.OWNER), ("tenants", CompanyRole.TENANT),
                                ("both", CompanyRole.BOTH))},
        "portal_active": network.count(network.portal_active(year)),
        "portal_logins": network.portal_logins(year),
        "portal_users": network.count(network.with_portal_user(year)),
        "network_meetings": meetings.network,
        "group_meetings": meetings.group,
        "other_meetings": meetings.other,
        "average_companies": meetings.average_companies,
        "fewest_companies": meetings.fewest_companies,
        "most_companies": meetings.most_companies,
        "came_once": meetings.came_once,
        "answer_rate": meetings.answer_rate,
        "minutes_published": meetings.minutes_published,
        "days_to_minutes": meetings.average_days_to_minutes,
        "group_members_start": network.count(group_figures.members_at_start(year)),
        "group_members_end": network.count(group_figures.members_at_end(year)),
        "chairs": sum(row.chairs for row in groups),
        "exchange_listings": swap.listings,
        "exchanges": swap.exchanges,
        "exchange_tonnes": float(swap.tonnes),
        "exchange_co2e_tonnes": float(swap.co2e_kg / 1000),
        "exchange_companies": swap.companies,
        "billed": money.billed_ore,
        "paid": money.paid_ore,
        "outstanding": money.outstanding_ore,
        "advised": network.count(cases.advised(year)),
        "screened": network.count(cases.screened(year)),
        "gone_on": network.count(cases.gone_on(year)),
    }
    return YearReport(year, values, meetings, groups, money, swap)
