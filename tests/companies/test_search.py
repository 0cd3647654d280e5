"""The company list's count past its cap, and the tags it offers to filter by."""

from crm.companies import search
from crm.companies.models import CompanyTag
from crm.companies.search import CompanyFilters


def test_a_search_matching_more_than_the_cap_says_over_and_pages_through_the_first(staff_client, db, make_company,
                                                                                   monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    for n in range(6):
        make_company(name=f"Søstjernen {n} ApS")
    make_company(name="Andet Firma ApS")

    page = search.company_page(CompanyFilters(q="søstjernen"), 9, per_page=2)
    assert (page.total, page.over_cap, page.pages, page.page) == (4, True, 2, 2)
    assert [company.name for company in page.items] == ["Søstjernen 2 ApS", "Søstjernen 3 ApS"]
    html = staff_client.get("/companies/?q=s%C3%B8stjernen").get_data(as_text=True)
    assert "Over 4 virksomheder" in html and "Søstjernen 3 ApS" in html

    exact = search.company_page(CompanyFilters(q="firma"), 1)
    assert (exact.total, exact.over_cap, [c.name for c in exact.items]) == (1, False, ["Andet Firma ApS"])
    at_cap = search.company_page(CompanyFilters(q="stjernen", role="tenant"), 1)  # counted by LIKE, not FTS
    assert (at_cap.total, at_cap.over_cap) == (4, True)
    html = staff_client.get("/companies/?q=andet").get_data(as_text=True)
    assert "1 virksomhed" in html and "Over" not in html


def test_the_tag_filter_offers_each_tag_in_use_once_in_order(db, make_company):
    for tags in (["energi", "affald"], ["affald"], ["vand", "ærø-samarbejde", "energi"], []):
        company = make_company()
        db.session.add_all(CompanyTag(company_id=company.id, tag=tag) for tag in tags)
    db.session.commit()
    assert search.all_tags() == ["affald", "energi", "vand", "ærø-samarbejde"]

