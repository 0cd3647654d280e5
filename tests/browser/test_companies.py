import pytest

from tests.browser.conftest import axe_violations, log_in
from tests.conftest import valid_cvr

pytestmark = pytest.mark.browser


def test_staff_searches_opens_a_company_adds_a_note_and_imports_a_file(page, live_server, tmp_path):
    log_in(page, "staff@browser.example")
    page.get_by_role("link", name="Virksomheder", exact=True).click()
    page.get_by_label("Søg", exact=True).fill("sø")
    with page.expect_navigation():
        page.get_by_role("button", name="Søg", exact=True).click()
    rows = page.locator("table tbody tr")
    assert rows.count() > 0
    first = rows.first.locator("a").first
    name = first.inner_text()
    assert "sø" in page.locator("table tbody").inner_text().lower()
    with page.expect_navigation():
        first.click()
    assert page.get_by_role("heading", level=1).inner_text() == name

    page.get_by_label("Type").select_option("visit")
    page.get_by_label("Tekst").fill("Besøg på grunden: talte om fælles affaldsordning")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem på tidslinjen").click()
    assert "Noten er gemt på tidslinjen." in page.content()
    assert page.locator(".app-timeline").get_by_text("talte om fælles affaldsordning").is_visible()

    new_cvr, known_cvr = valid_cvr(5151), "10150817"
    csv = tmp_path / "medlemmer.csv"
    csv.write_bytes((
        "CVR-nr.;Firmanavn;Adresse;Antal ansatte\r\n"
        f"{new_cvr};Ny Browser Smedje ApS;Stamholmen 5;7\r\n"
        f"{known_cvr};Browserfirma ApS;;\r\n"
        "12345678;Forkert ApS;;\r\n"
    ).encode("cp1252"))
    page.goto("/companies/import")
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(str(csv))
    with page.expect_navigation():
        page.get_by_role("button", name="Vis filen").click()
    counts = page.locator("#import-counts").inner_text()
    assert "1 nye" in counts.replace("\n", " ") and "1 afvises" in counts.replace("\n", " ")
    assert "1 uændrede" in counts.replace("\n", " ")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Indlæs 1 virksomheder").click()
    assert "Indlæst: 1 nye, 0 opdaterede, 1 uændrede, 1 afviste." in page.content()
    page.goto("/companies/?q=browser+smedje")
    assert page.locator("table tbody").get_by_text("Ny Browser Smedje ApS").is_visible()


@pytest.mark.parametrize("path", ["/companies/", "/companies/new", "/companies/import"])
def test_company_pages_have_no_accessibility_violations(page, live_server, path):
    log_in(page, "staff@browser.example")
    page.goto(path)
    assert axe_violations(page) == []


def test_company_page_has_no_accessibility_violations(page, live_server):
    log_in(page, "staff@browser.example")
    page.goto("/companies/?q=a")
    with page.expect_navigation():
        page.locator("table tbody tr a").first.click()
    assert axe_violations(page) == []
