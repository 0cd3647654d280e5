"""An import read by someone who chose English: the refusals in English, the preview's days as the app writes them."""

import io

from tests.conftest import csrf_token

FILE = "CVR;Navn;Status;Indmeldt\n12345678;Alfa;Medlem;31-02-2024\n;Beta;Æresmedlem;01-03-2024\n"


def test_the_refusals_are_in_english_and_days_are_not_iso(staff_client, db):
    staff_client.post("/language", data={"csrf_token": csrf_token(staff_client), "lang": "en"})
    response = staff_client.post("/companies/import", data={
        "csrf_token": csrf_token(staff_client), "file": (io.BytesIO(FILE.encode()), "medlemmer.csv")},
        follow_redirects=True)
    page = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    for text in ("The CVR number «12345678» does not exist (the check digit is wrong)",
                 "Indmeldt: «31-02-2024» is not a date", "CVR number missing", "Unknown status «Æresmedlem»"):
        assert text in page, text
    assert "findes ikke" not in page and "er ikke en dato" not in page
    rows = page.split("<h2>The first rows</h2>")[1]
    assert "01.03.2024" in rows and "2024-03-01" not in rows
