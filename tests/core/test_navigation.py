"""The main menu in the design system's responsive header: one marked entry, the same links in the phone drawer."""

import re

import pytest


def menus(page):
    """The links of the wide-screen menu and of the phone drawer's menu: [(label, href, marked)] each."""
    found = re.findall(r'<nav class="(nav|navigation-menu-mobile)" aria-label="Hovedmenu"[^>]*>(.*?)</nav>', page, re.S)
    assert [kind for kind, _html in found] == ["nav", "navigation-menu-mobile"]
    return [[(label, href, current == ' aria-current="page"') for href, current, label in
             re.findall(r'<a class="nav-link" href="([^"]+)"( aria-current="page")?><span>([^<]+)</span>', html)]
            for _kind, html in found]


@pytest.mark.parametrize(("path", "marked"), [
    ("/meetings/calendar", "Kalender"), ("/meetings/", "Møder"), ("/meetings/archive", "Møder"),
    ("/companies/", "Virksomheder"), ("/account/password", "Adgangskode"), ("/", "Forside"),
    ("/account/tokens", "Adgangskode"),
])
def test_a_staff_page_marks_exactly_one_menu_entry_in_both_menus(staff_client, path, marked):
    wide, drawer = menus(staff_client.get(path).get_data(as_text=True))
    assert wide == drawer
    assert [label for label, _href, current in wide if current] == [marked]


def test_a_company_page_marks_virksomheder_and_not_the_front_page(staff_client, make_company):
    company = make_company()
    wide, _drawer = menus(staff_client.get(f"/companies/{company.id}").get_data(as_text=True))
    assert [label for label, _href, current in wide if current] == ["Virksomheder"]


def test_the_portal_menu_button_opens_a_drawer_with_the_portal_menu(company_client):
    page = company_client.get("/portal/invoices").get_data(as_text=True)
    wide, drawer = menus(page)
    assert wide == drawer
    assert [label for label, _href, current in drawer if current] == ["Fakturaer"]
    assert all(not href.startswith(("/companies", "/outbox")) for _label, href, _current in drawer)
    button = re.search(r'<button type="button" class="[^"]*js-menu-open[^"]*"[^>]*aria-controls="([^"]+)"', page)
    assert button and f'<div class="mobile-drawer" id="{button.group(1)}" role="dialog"' in page


def test_a_visitor_gets_no_menu_button_but_can_still_change_language(client):
    page = client.get("/login").get_data(as_text=True)
    assert "js-menu-open" not in page and "mobile-drawer" not in page
    assert 'name="lang" value="en"' in page


def test_every_page_links_a_favicon_that_is_served(client):
    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data
