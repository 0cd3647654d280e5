"""The report's pages and exports as staff see them, on the hand-built network of 2024."""

import io
import re
from datetime import date

from openpyxl import load_workbook

from tests.reports.conftest import YEAR


def figure_row(page, label):
    """The cells of the figure's row: the earlier years, the year, and the link."""
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_reports_open_on_this_year(staff_client):
    response = staff_client.get("/reports/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/{date.today().year}")
    assert staff_client.get("/reports/?year=2024").headers["Location"].endswith("/reports/2024")
    for nonsense in ("1999", "x", "99999999999999999999999"):
        assert staff_client.get(f"/reports/?year={nonsense}").headers["Location"].endswith(
            f"/reports/{date.today().year}")


def test_the_year_page_shows_each_figure_beside_the_years_before_with_its_list(staff_client, built):
    page = staff_client.get(f"/reports/{YEAR}").get_data(as_text=True)
    assert "Årsrapport 2024" in page
    cells = figure_row(page, "Virksomheder, der har fået invitationer eller referater")
    assert cells[:5] == ["0", "0", "0", "2", "7"]  # 2020 to 2023, then 2024
    assert f'href="/reports/{YEAR}/companies/invited"' in page
    assert figure_row(page, "heraf ejere")[4] == "2"
    assert f'href="/reports/{YEAR}/companies/invited?role=owner"' in page
    assert figure_row(page, "Medlemmer ved årets slutning")[4] == "3"
    assert figure_row(page, "Portalaktive virksomheder (mindst ét log ind i året)")[4] == "2"
    assert figure_row(page, "Faktureret")[4] == "2.250,00 kr."
    # 2022 held no meeting; 2023's two invitations went unanswered
    assert figure_row(page, "Svarprocent på invitationer")[2:4] == ["–", "0,0 %"]
    assert f'href="/meetings/?year={YEAR}&amp;kind=network"' in page
    assert "Prøvegruppe vand" in page


def test_the_company_list_behind_a_figure_and_its_role_filter(staff_client, built):
    page = staff_client.get(f"/reports/{YEAR}/companies/invited").get_data(as_text=True)
    assert re.findall(r">(Firma \w)</a>", page) == [f"Firma {key}" for key in "ABCDEFG"]
    owners = staff_client.get(f"/reports/{YEAR}/companies/invited?role=owner").get_data(as_text=True)
    assert re.findall(r">(Firma \w)</a>", owners) == ["Firma A", "Firma F"]


def test_the_company_list_exports_with_danish_columns(staff_client, built):
    response = staff_client.get(f"/reports/{YEAR}/companies/members-end.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "CVR-nr.;Navn;Rolle;Status;Indmeldt;Udmeldt"
    assert [line.split(";")[1] for line in lines[1:]] == ["Firma A", "Firma B", "Firma E"]
    assert lines[1].split(";")[2:5] == ["Ejer", "Medlem", "01.03.2020"]
    workbook = load_workbook(io.BytesIO(staff_client.get(f"/reports/{YEAR}/companies/left.xlsx").data))
    rows = list(workbook.active.values)
    assert rows[0][:2] == ("CVR-nr.", "Navn") and [row[1] for row in rows[1:]] == ["Firma C"]


def test_the_figures_export_has_a_column_per_year(staff_client, built):
    lines = staff_client.get(f"/reports/{YEAR}/figures.csv").data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Afsnit;Tal;2020;2021;2022;2023;2024"
    rows = {line.split(";")[1]: line.split(";") for line in lines[1:]}
    assert rows["Virksomheder, der har fået invitationer eller referater"][2:] == ["0", "0", "0", "2", "7"]
    assert rows["Faktureret"][-1] == "2250.00"
    assert rows["Nye medlemmer"][0] == "Netværket"


def test_the_meeting_table_and_its_export(staff_client, built):
    page = staff_client.get(f"/reports/{YEAR}/meetings").get_data(as_text=True)
    assert "Netværksmøde marts" in page and "Aflyst januarmøde" not in page
    lines = staff_client.get(f"/reports/{YEAR}/meetings.csv").data.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:4] == ["Møde", "Type", "Tidspunkt", "Virksomheder til stede"]
    march = next(line.split(";") for line in lines if line.startswith("Netværksmøde marts"))
    assert march[1:] == ["Netværksmøde", "10.03.2024 11:00", "3", "4", "3", "2", "15.03.2024 11:00"]


def test_years_and_lists_that_do_not_exist_are_not_found(staff_client):
    for url in ("/reports/1999", f"/reports/{date.today().year + 2}", "/reports/99999999999999999999",
                f"/reports/{YEAR}/companies/everyone", f"/reports/{YEAR}/companies/invited.pdf",
                f"/reports/{YEAR}/figures.json"):
        assert staff_client.get(url).status_code == 404, url


def test_company_users_do_not_see_reports(company_client):
    assert company_client.get(f"/reports/{YEAR}").status_code in (403, 404)
    assert "Rapporter" not in company_client.get("/portal/").get_data(as_text=True)


def test_staff_find_reports_in_the_menu(staff_client):
    assert 'href="/reports/"' in staff_client.get("/").get_data(as_text=True)
