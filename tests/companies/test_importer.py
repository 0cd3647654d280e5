"""Reading uploaded company lists: the files Danish offices really produce, written here byte by byte."""

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from crm.companies.importer import (
    CANONICAL_COLUMNS,
    ImportFileError,
    normalise_header,
    parse_danish_number,
    parse_file,
)
from crm.companies.models import CompanyRole, CompanyStatus
from tests.conftest import valid_cvr

CVR_A, CVR_B, CVR_C = valid_cvr(101), valid_cvr(202), valid_cvr(303)
BAD_CHECK_DIGIT = CVR_A[:7] + str((int(CVR_A[7]) + 1) % 10)


def csv_file(lines, encoding="utf-8", newline="\r\n"):
    return newline.join(lines).encode(encoding) + newline.encode()


def xlsx_file(*sheets, formulas=None):
    """A workbook with one sheet per (title, rows); `formulas` maps a formula (without `=`) to its saved value."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not formulas:
        return buffer.getvalue()
    # openpyxl writes formulas without a saved value; give them one, as Excel does when it saves.
    source, target = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                for formula, value in formulas.items():
                    # An empty value is <v/>, or <v></v> when openpyxl writes through lxml.
                    content = re.sub(rb"<f>" + re.escape(formula.encode()) + rb"</f>\s*(?:<v\s*/>|<v></v>)",
                                     b"<f>" + formula.encode() + b"</f><v>" + str(value).encode() + b"</v>",
                                     content)
            archive.writestr(item, content)
    return target.getvalue()


def error_of(data, filename="firmaer.csv"):
    with pytest.raises(ImportFileError) as caught:
        parse_file(data, filename)
    return str(caught.value)


# --- encodings and delimiters ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_every_encoding_and_delimiter_keeps_danish_letters(encoding, delimiter):
    lines = [
        delimiter.join(["CVR-nr.", "Firmanavn", "Adresse", "Postnr.", "By", "Kontaktperson"]),
        delimiter.join([CVR_A, "Østergård & Søn ApS", "Åmarksvej 3", "2650", "Hvidovre", "Bjørn Ærø"]),
    ]
    parsed = parse_file(csv_file(lines, encoding), "firmaer.csv")
    assert parsed.encoding == encoding
    assert parsed.delimiter == delimiter
    assert parsed.rows[0].values == {
        "cvr": CVR_A, "name": "Østergård & Søn ApS", "street": "Åmarksvej 3", "postal_code": "2650",
        "city": "Hvidovre", "contact_name": "Bjørn Ærø",
    }
    assert parsed.rows[0].errors == []


def test_delimiter_is_sniffed_from_the_header_outside_quotes():
    lines = ['cvr,name,"Bemærk; intern",area_m2', f'{CVR_A},"Holme; Nord A/S",ring først,"1.250,5"']
    parsed = parse_file(csv_file(lines), "firmaer.csv")
    assert parsed.delimiter == ","
    assert parsed.unknown_headers == ["Bemærk; intern"]
    assert parsed.rows[0].values == {"cvr": CVR_A, "name": "Holme; Nord A/S", "area_m2": Decimal("1250.50")}


def test_excels_sep_line_sets_the_delimiter_and_is_not_a_row():
    parsed = parse_file(csv_file(["sep=;", "CVR;Navn", f"{CVR_A};Firma, med komma"]), "firmaer.csv")
    assert parsed.delimiter == ";"
    assert [(row.number, row.values["name"]) for row in parsed.rows] == [(2, "Firma, med komma")]


def test_old_mac_line_endings():
    parsed = parse_file(csv_file(["CVR;Navn", f"{CVR_A};Alfa", f"{CVR_B};Beta"], newline="\r"), "firmaer.csv")
    assert [row.values["name"] for row in parsed.rows] == ["Alfa", "Beta"]


def test_undecodable_bytes_name_their_line():
    data = csv_file(["CVR;Navn", f"{CVR_A};Alfa", f"{CVR_B};Beta"], "cp1252") + CVR_C.encode() + b";Fejl \x81 her\r\n"
    message = error_of(data)
    assert "linje 4" in message
    assert "hverken er UTF-8 eller Windows-1252" in message


def test_a_file_mixing_utf8_and_windows_1252_is_refused_not_mangled():
    data = (csv_file(["CVR;Navn", f"{CVR_A};Søndergård ApS"], "utf-8")
            + csv_file([f"{CVR_B};Ærø Shipping"], "cp1252"))
    message = error_of(data)
    assert "linje 3" in message
    assert "Filen er skrevet i UTF-8" in message


def test_invalid_utf8_after_a_bom_names_the_line():
    data = csv_file(["CVR;Navn", f"{CVR_A};Alfa"], "utf-8-sig") + f"{CVR_B};Bl".encode() + b"\xe5\r\n"
    assert "linje 3" in error_of(data)


@pytest.mark.parametrize(("data", "expected"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "gamle Excel-format (.xls)"),
    ("CVR\tNavn\r\n".encode("utf-16"), "Unicode-tekst (UTF-16)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "hverken en CSV-fil eller en Excel-projektmappe"),
])
def test_files_that_are_not_csv_say_what_they_are(data, expected):
    assert expected in error_of(data)


# --- the shape of the file -------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", b";;;\r\n;;;\r\n"])
def test_empty_file(data):
    assert error_of(data) == "Filen er tom."


def test_header_only_file_has_no_rows():
    parsed = parse_file(csv_file(["CVR-nr.;Navn;By"]), "firmaer.csv")
    assert parsed.rows == []
    assert parsed.columns == {"cvr": "CVR-nr.", "name": "Navn", "city": "By"}


@pytest.mark.parametrize(("header", "expected"), [
    ("Navn;By", "Filen mangler kolonnen «CVR-nr.»"),
    ("CVR;By", "Filen mangler kolonnen «Navn»"),
    ("Adresse;By", "Filen mangler kolonnerne «CVR-nr.» og «Navn»"),
])
def test_missing_cvr_or_name_column_is_named(header, expected):
    message = error_of(csv_file([header, "a;b"]))
    assert message.startswith(expected)
    assert "den er: «" + header.split(";")[0] + "»" in message


def test_wrong_delimiter_shows_the_header_as_read():
    message = error_of(csv_file(["CVR|Navn|By", f"{CVR_A}|Alfa|Hvidovre"]))
    assert "«CVR|Navn|By»" in message


def test_two_columns_meaning_the_same_are_refused():
    message = error_of(csv_file(["CVR;Navn;Firmanavn", f"{CVR_A};Alfa;Alfa ApS"]))
    assert message == "Kolonnerne «Navn» og «Firmanavn» betyder det samme. Slet den ene, og prøv igen."


@pytest.mark.parametrize(("header", "column"), [
    ("CVR-nr.", "cvr"), ("CVR-nummer", "cvr"), ("cvr", "cvr"), (" Cvr Nr ", "cvr"),
    ("Navn", "name"), ("Firmanavn", "name"), ("Virksomhed", "name"),
    ("Adresse", "street"), ("Vejnavn", "street"), ("address", "street"),
    ("Postnr.", "postal_code"), ("Postnummer", "postal_code"), ("POST-NR", "postal_code"),
    ("By", "city"), ("Ejer/lejer", "role"), ("Rolle", "role"),
    ("Antal ansatte", "employees"), ("Ansatte", "employees"),
    ("Grundareal (m²)", "area_m2"), ("Grundareal (m2)", "area_m2"), ("Areal", "area_m2"), ("area m2", "area_m2"),
    ("Branche", "industry"), ("Kontaktperson", "contact_name"), ("E-mail", "contact_email"),
    ("Email", "contact_email"), ("Telefon", "contact_phone"), ("Tlf.", "contact_phone"),
    ("Status", "status"), ("STATUS", "status"), ("Indmeldt", "member_since"), ("Medlem siden", "member_since"),
    ("member since", "member_since"), ("Member_Since", "member_since"),
])
def test_header_aliases(header, column):
    headers = [header] + [required for name, required in (("cvr", "CVR"), ("name", "Navn")) if name != column]
    parsed = parse_file(csv_file([";".join(headers)]), "firmaer.csv")
    assert parsed.columns[column] == header.strip()
    assert parsed.unknown_headers == []


def test_canonical_names_are_their_own_aliases():
    assert [normalise_header(column) for column in CANONICAL_COLUMNS] == [
        "cvr", "name", "street", "postalcode", "city", "role", "employees", "aream2",
        "industry", "contactname", "contactemail", "contactphone", "status", "membersince",
    ]
    parsed = parse_file(csv_file([",".join(CANONICAL_COLUMNS)]), "export.csv")
    assert list(parsed.columns) == list(CANONICAL_COLUMNS)


def test_unknown_headers_are_listed_and_their_columns_ignored():
    parsed = parse_file(csv_file(["CVR;Navn;Bemærkning;;Hjemmeside", f"{CVR_A};Alfa;ring først;;alfa.dk"]), "f.csv")
    assert parsed.unknown_headers == ["Bemærkning", "Hjemmeside"]
    assert parsed.rows[0].values == {"cvr": CVR_A, "name": "Alfa"}
    assert parsed.rows[0].errors == []


def test_quoted_fields_with_delimiter_quotes_and_line_breaks():
    lines = ["CVR;Navn;Adresse", f'{CVR_A};"Holme; ""Nord"" A/S";"Stamholmen 1', '2. sal"']
    row = parse_file(csv_file(lines), "f.csv").rows[0]
    assert row.values == {"cvr": CVR_A, "name": 'Holme; "Nord" A/S', "street": "Stamholmen 1\r\n2. sal"}
    assert row.errors == []


def test_an_unclosed_quote_names_the_line_instead_of_swallowing_the_rest():
    lines = ["CVR;Navn", f"{CVR_A};Alfa", f'{CVR_B};"Beta', f"{CVR_C};Gamma"]
    message = error_of(csv_file(lines))
    assert message.startswith("Linje 3 kan ikke læses: tjek anførselstegnene.")


def test_an_unquoted_delimiter_that_shifts_the_columns_is_a_row_error():
    lines = ["CVR;Navn;By", f"{CVR_A};Alfa; Beta ApS;Hvidovre", f"{CVR_B};Gamma;Hvidovre;;"]
    parsed = parse_file(csv_file(lines), "f.csv")
    assert parsed.rows[0].errors == [
        "Rækken har 4 felter, men filen har kun 3 kolonneoverskrifter. Står der et skilletegn i et felt uden "
        "anførselstegn, eller mangler en kolonne sin overskrift?"
    ]
    assert parsed.rows[1].errors == []


def test_excels_empty_rows_are_skipped_and_row_numbers_still_match_excel():
    lines = ["CVR;Navn;By", f"{CVR_A};Alfa;Hvidovre", ";;", "", f"{BAD_CHECK_DIGIT};Beta;Hvidovre",
             " ; ;", ";;", ";;", ";;"]
    parsed = parse_file(csv_file(lines), "f.csv")
    assert [(row.number, row.values["name"]) for row in parsed.rows] == [(2, "Alfa"), (5, "Beta")]
    assert parsed.rows[1].errors == [f"CVR-nummeret «{BAD_CHECK_DIGIT}» findes ikke (kontrolcifferet passer ikke)"]


# --- the rows --------------------------------------------------------------------------------------------


def test_bad_cvr_and_missing_name_are_reported_with_their_row():
    lines = ["CVR;Navn", f"{CVR_A};Alfa", f"{BAD_CHECK_DIGIT};Beta", f"DK {CVR_C[:2]} {CVR_C[2:4]} {CVR_C[4:]};",
             ";Uden CVR", f"{CVR_B[:4]};Kort"]
    rows = parse_file(csv_file(lines), "f.csv").rows
    assert [(row.number, row.errors) for row in rows] == [
        (2, []),
        (3, [f"CVR-nummeret «{BAD_CHECK_DIGIT}» findes ikke (kontrolcifferet passer ikke)"]),
        (4, ["Navnet mangler"]),
        (5, ["CVR-nummer mangler"]),
        (6, [f"CVR-nummeret «{CVR_B[:4]}» skal være 8 cifre"]),
    ]
    assert rows[2].values["cvr"] == CVR_C
    assert rows[1].values["cvr"] == BAD_CHECK_DIGIT  # shown as typed in the preview


@pytest.mark.parametrize(("text", "role"), [
    ("Ejer", CompanyRole.OWNER), ("owner", CompanyRole.OWNER), ("E", CompanyRole.OWNER), ("ejer", CompanyRole.OWNER),
    ("Lejer", CompanyRole.TENANT), ("tenant", CompanyRole.TENANT), ("l", CompanyRole.TENANT),
    ("Begge", CompanyRole.BOTH), ("both", CompanyRole.BOTH), ("Ejer og lejer", CompanyRole.BOTH),
    ("ejer+lejer", CompanyRole.BOTH), ("", None),
])
def test_role_words(text, role):
    row = parse_file(csv_file(["CVR;Navn;Ejer/lejer", f"{CVR_A};Alfa;{text}"]), "f.csv").rows[0]
    assert row.values["role"] is role
    assert row.errors == []


def test_unknown_role_word():
    row = parse_file(csv_file(["CVR;Navn;Rolle", f"{CVR_A};Alfa;Forpagter"]), "f.csv").rows[0]
    assert row.errors == ["Ukendt rolle «Forpagter»: skriv Ejer, Lejer eller Begge"]


@pytest.mark.parametrize(("text", "integer", "expected"), [
    ("1.250", False, Decimal("1250")),
    ("1.250", True, 1250),
    ("12.500,5", False, Decimal("12500.5")),
    ("12500,5", False, Decimal("12500.5")),
    ("1250", True, 1250),
    ("12500.5", False, Decimal("12500.5")),
    ("1.250.000", True, 1250000),
    ("1.25", False, Decimal("1.25")),
    ("12.5000", False, Decimal("12.5")),
    ("0,75", False, Decimal("0.75")),
    ("12 500,5", False, Decimal("12500.5")),
    ("12\xa0500", True, 12500),
    ("1\u202f250,25", False, Decimal("1250.25")),
    ("  42 ", True, 42),
    ("12,0", True, 12),
    ("-3", True, -3),
    ("", True, None),
    ("   ", False, None),
    (None, False, None),
    (20, True, 20),
    (20.0, True, 20),
    (12500.5, False, Decimal("12500.5")),
    (0.1, False, Decimal("0.1")),
])
def test_danish_numbers(text, integer, expected):
    value = parse_danish_number(text, integer=integer)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(("text", "integer", "message"), [
    ("ca. 20", True, "«ca. 20» er ikke et tal"),
    ("12,5", True, "«12,5» er ikke et helt tal"),
    ("12.5", True, "«12.5» er ikke et helt tal"),
    ("1.2,5", False, "«1.2,5» er ikke et tal"),
    ("1,250,000", False, "«1,250,000» er ikke et tal"),
    ("1 2", False, "«1 2» er ikke et tal"),
    ("1e5", False, "«1e5» er ikke et tal"),
    ("20 m²", False, "«20 m²» er ikke et tal"),
])
def test_not_danish_numbers(text, integer, message):
    with pytest.raises(ValueError) as caught:
        parse_danish_number(text, integer=integer)
    assert str(caught.value) == message


def test_number_columns_name_the_column_and_the_value():
    lines = ["CVR;Navn;Antal ansatte;Grundareal (m²)",
             f"{CVR_A};Alfa;ca. 20;stor",
             f"{CVR_B};Beta;12,5;-3",
             f"{CVR_C};Gamma;-3;1.250,125"]
    rows = parse_file(csv_file(lines), "f.csv").rows
    assert rows[0].errors == ["Antal ansatte: «ca. 20» er ikke et tal", "Grundareal (m²): «stor» er ikke et tal"]
    assert rows[1].errors == ["Antal ansatte: «12,5» er ikke et helt tal",
                              "Grundareal (m²): «-3» må ikke være negativt"]
    assert rows[2].errors == ["Antal ansatte: «-3» må ikke være negativt"]
    assert rows[2].values["area_m2"] == Decimal("1250.13")  # rounded half up to two decimals


def test_valid_numbers_in_rows():
    lines = ["CVR;Navn;Ansatte;Areal", f"{CVR_A};Alfa;1.250;12.500,5", f"{CVR_B};Beta;;"]
    rows = parse_file(csv_file(lines), "f.csv").rows
    assert (rows[0].values["employees"], rows[0].values["area_m2"]) == (1250, Decimal("12500.50"))
    assert (rows[1].values["employees"], rows[1].values["area_m2"]) == (None, None)


def test_contact_email_is_lower_cased_and_checked():
    lines = ["CVR;Navn;E-mail", f"{CVR_A};Alfa;Mette.Holm@Alfa.DK", f"{CVR_B};Beta;mette@alfa",
             f"{CVR_C};Gamma;a@b.dk; c@d.dk", f"{valid_cvr(404)};Delta;"]
    rows = parse_file(csv_file(lines), "f.csv").rows
    assert rows[0].values["contact_email"] == "mette.holm@alfa.dk"
    assert rows[1].errors == ["E-mail: «mette@alfa» er ikke en gyldig e-mailadresse"]
    assert rows[2].errors[0] == "Rækken har 4 felter, men filen har kun 3 kolonneoverskrifter. Står der et " \
        "skilletegn i et felt uden anførselstegn, eller mangler en kolonne sin overskrift?"
    assert (rows[3].values["contact_email"], rows[3].errors) == ("", [])


def test_too_long_text_is_an_error_not_cut_short():
    lines = ["CVR;Navn;Postnr.", f"{CVR_A};{'A' * 201};2650", f"{CVR_B};{'B' * 200};DK-2650 Hvidovre"]
    rows = parse_file(csv_file(lines), "f.csv").rows
    assert rows[0].errors == ["Navn: teksten er 201 tegn lang; højst 200 tegn er tilladt"]
    assert rows[0].values["name"] == "A" * 201
    assert rows[1].errors == ["Postnr.: teksten er 16 tegn lang; højst 10 tegn er tilladt"]


def test_html_and_script_are_kept_exactly_as_typed():
    name = '<script>alert("hej")</script> & <b>Søn</b>'
    row = parse_file(csv_file(["CVR;Navn", f'{CVR_A};"{name.replace(chr(34), chr(34) * 2)}"']), "f.csv").rows[0]
    assert row.values["name"] == name
    assert row.errors == []


def test_export_format_round_trips():
    """What `companies export` writes (canonical headers, plain numbers, UTF-8, `;`, guarded text) reads back
    unchanged."""
    lines = [";".join(CANONICAL_COLUMNS),
             f"{CVR_A};Alfa ApS;Stamholmen 1;2650;Hvidovre;owner;1250;12500.5;Logistik;Mette Holm;"
             f"mette@alfa.dk;'+45 36 00 00 00;member;2024-03-01",
             f"{CVR_B};Beta A/S;;;;tenant;;;;;;;invited;",
             f'{CVR_C};"Gamma; Delta & Co";"\'=HYPERLINK(""http://x.example"")";;;both;7;0.25;;\'-Bo-;;;left;']
    parsed = parse_file(csv_file(lines, encoding="utf-8-sig"), "virksomheder.csv")
    assert parsed.unknown_headers == []
    assert [row.errors for row in parsed.rows] == [[], [], []]
    assert parsed.rows[0].values == {
        "cvr": CVR_A, "name": "Alfa ApS", "street": "Stamholmen 1", "postal_code": "2650", "city": "Hvidovre",
        "role": CompanyRole.OWNER, "employees": 1250, "area_m2": Decimal("12500.5"), "industry": "Logistik",
        "contact_name": "Mette Holm", "contact_email": "mette@alfa.dk", "contact_phone": "+45 36 00 00 00",
        "status": CompanyStatus.MEMBER, "member_since": date(2024, 3, 1),
    }
    assert parsed.rows[1].values["role"] is CompanyRole.TENANT
    assert (parsed.rows[1].values["status"], parsed.rows[1].values["member_since"]) == (CompanyStatus.INVITED, None)
    assert parsed.rows[2].values["street"] == '=HYPERLINK("http://x.example")'
    assert parsed.rows[2].values["contact_name"] == "-Bo-"
    assert parsed.rows[2].values["status"] is CompanyStatus.LEFT
    assert (parsed.rows[1].values["employees"], parsed.rows[1].values["area_m2"]) == (None, None)
    assert parsed.rows[2].values["name"] == "Gamma; Delta & Co"
    assert parsed.rows[2].values["area_m2"] == Decimal("0.25")


@pytest.mark.parametrize(("text", "kept"), [
    ("'=1+2", "=1+2"), ("'+45 12 34 56 78", "+45 12 34 56 78"), ("'-3", "-3"), ("'@navn", "@navn"),
    ("''=1+2", "'=1+2"), ("'Ø'", "'Ø'"), ("'", "'"), ("Bo's Auto", "Bo's Auto"),
])
def test_a_guarded_text_is_read_back_as_it_was(text, kept):
    row = parse_file(csv_file(["CVR;Navn;Kontaktperson", f"{CVR_A};Alfa;{text}"]), "f.csv").rows[0]
    assert row.values["contact_name"] == kept


@pytest.mark.parametrize(("text", "status"), [
    ("Medlem", CompanyStatus.MEMBER), ("member", CompanyStatus.MEMBER), ("MEDLEM", CompanyStatus.MEMBER),
    ("Inviteret", CompanyStatus.INVITED), ("invited", CompanyStatus.INVITED),
    ("Udmeldt", CompanyStatus.LEFT), ("left", CompanyStatus.LEFT), ("udtrådt", CompanyStatus.LEFT),
    ("Fraflyttet", CompanyStatus.LEFT), ("", None),
])
def test_status_words(text, status):
    row = parse_file(csv_file(["CVR;Navn;Status", f"{CVR_A};Alfa;{text}"]), "f.csv").rows[0]
    assert row.values["status"] is status
    assert row.errors == []


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-01", date(2024, 3, 1)), ("01-03-2024", date(2024, 3, 1)), ("1-3-2024", date(2024, 3, 1)),
    ("01.03.2024", date(2024, 3, 1)), ("1.3.2024", date(2024, 3, 1)), (" 29-02-2024 ", date(2024, 2, 29)),
    ("", None),
])
def test_member_since_dates(text, expected):
    row = parse_file(csv_file(["CVR;Navn;Medlem siden", f"{CVR_A};Alfa;{text}"]), "f.csv").rows[0]
    assert row.values["member_since"] == expected
    assert row.errors == []


def test_an_impossible_date_or_unknown_status_rejects_the_row_with_a_danish_reason():
    lines = ["CVR;Navn;Status;Indmeldt", f"{CVR_A};Alfa;Medlem;31-02-2024", f"{CVR_B};Beta;Æresmedlem;01-03-2024",
             f"{CVR_C};Gamma;Medlem;2024-13-01", f"{valid_cvr(404)};Delta;Medlem;03/01/2024",
             f"{valid_cvr(505)};Epsilon;Medlem;01-01-0001", f"{valid_cvr(606)};Zeta;Medlem;1.3.24"]
    rows = parse_file(csv_file(lines), "f.csv").rows
    assert [(row.number, row.errors) for row in rows] == [
        (2, ["Indmeldt: «31-02-2024» er ikke en dato; skriv fx 01-03-2024 eller 2024-03-01"]),
        (3, ["Ukendt status «Æresmedlem»: skriv Medlem, Inviteret eller Udmeldt"]),
        (4, ["Indmeldt: «2024-13-01» er ikke en dato; skriv fx 01-03-2024 eller 2024-03-01"]),
        (5, ["Indmeldt: «03/01/2024» er ikke en dato; skriv fx 01-03-2024 eller 2024-03-01"]),
        (6, ["Indmeldt: «01-01-0001» ligger uden for årene 1900-2100"]),
        (7, ["Indmeldt: «1.3.24» er ikke en dato; skriv fx 01-03-2024 eller 2024-03-01"]),
    ]


def test_a_name_must_stand_on_one_line():
    lines = ["CVR;Navn;Kontaktperson;Adresse", f'{CVR_A};"Alfa\nBcc: x@y.example";Bo;', f'{CVR_B};Beta;"Bo\r\nBo";',
             f'{CVR_C};Gamma;Bo;"Stamholmen 1\n2. sal"']
    rows = parse_file(csv_file(lines), "f.csv").rows
    assert rows[0].errors == ["Navn: teksten skal stå på én linje, uden linjeskift og tabulatorer"]
    assert rows[1].errors == ["Kontaktperson: teksten skal stå på én linje, uden linjeskift og tabulatorer"]
    assert rows[2].errors == []  # an address may take two lines


# --- XLSX ------------------------------------------------------------------------------------------------


def test_xlsx_numeric_cells_and_danish_text():
    data = xlsx_file(("Firmaer", [
        ["CVR-nr.", "Navn", "Postnr.", "Antal ansatte", "Grundareal (m²)", "Telefon", "By"],
        [int(CVR_A), "Ærøskøbing Østergaard ApS", 2650, 20, 12500.5, 36000000, "Hvidovre"],
        [None, None, None, None, None, None, None],
        [float(CVR_B), "Beta", "2650", 20.0, 0.1 + 0.2, "+45 36 00 00 01", None],
    ]))
    parsed = parse_file(data, "firmaer.xlsx")
    assert (parsed.encoding, parsed.delimiter, parsed.warnings) == (None, None, [])
    assert [row.number for row in parsed.rows] == [2, 4]
    assert parsed.rows[0].values == {
        "cvr": CVR_A, "name": "Ærøskøbing Østergaard ApS", "postal_code": "2650", "employees": 20,
        "area_m2": Decimal("12500.50"), "contact_phone": "36000000", "city": "Hvidovre",
    }
    assert parsed.rows[1].values["cvr"] == CVR_B
    assert parsed.rows[1].values["area_m2"] == Decimal("0.30")
    assert parsed.rows[1].values["city"] == ""


def test_xlsx_date_cells_and_texts_as_member_since():
    data = xlsx_file(("Medlemmer", [["CVR", "Navn", "Status", "Indmeldt"],
                                    [int(CVR_A), "Alfa", "Medlem", datetime(2024, 3, 1)],
                                    [int(CVR_B), "Beta", "medlem", "01-03-2024"],
                                    [int(CVR_C), "Gamma", "Medlem", 45352]]))
    rows = parse_file(data, "medlemmer.xlsx").rows
    assert [row.values["member_since"] for row in rows[:2]] == [date(2024, 3, 1), date(2024, 3, 1)]
    assert rows[2].errors == ["Indmeldt: «45352» er ikke en dato; skriv fx 01-03-2024 eller 2024-03-01"]


def test_xlsx_detected_by_content_whatever_the_name():
    data = xlsx_file(("Ark1", [["CVR", "Navn"], [CVR_A, "Alfa"]]))
    assert parse_file(data, "upload").rows[0].values == {"cvr": CVR_A, "name": "Alfa"}


def test_xlsx_with_several_sheets_reads_the_first_and_says_so():
    data = xlsx_file(("Firmaer", [["CVR", "Navn"], [CVR_A, "Alfa"]]),
                     ("Noter", [["CVR", "Navn"], [CVR_B, "Beta"]]), ("Ark3", [["x"]]))
    parsed = parse_file(data, "firmaer.xlsx")
    assert [row.values["name"] for row in parsed.rows] == ["Alfa"]
    assert parsed.warnings == ["Filen har flere ark; kun det første («Firmaer») er læst. Ikke læst: «Noter», «Ark3»."]


def test_xlsx_formulas_are_read_as_their_saved_values_with_a_warning():
    data = xlsx_file(("Ark1", [["CVR", "Navn", "Areal", "Ansatte"],
                               [int(CVR_A), "Alfa", "=1000+250.5", "=B3"]]),
                     formulas={"1000+250.5": 1250.5})
    parsed = parse_file(data, "firmaer.xlsx")
    assert parsed.rows[0].values["area_m2"] == Decimal("1250.50")
    assert parsed.rows[0].values["employees"] is None  # never calculated, so no saved value
    assert parsed.warnings == ["Arket indeholder formler. De er læst som de værdier, der sidst blev gemt i filen; "
                               "en formel uden gemt værdi er læst som et tomt felt."]


def test_xlsx_rows_are_checked_like_csv_rows():
    data = xlsx_file(("Ark1", [["CVR", "Navn", "Rolle", "Ansatte"],
                               [int(BAD_CHECK_DIGIT), "Alfa", "Ejer", 12.5],
                               [CVR_B, None, "Udlejer", -3]]))
    rows = parse_file(data, "firmaer.xlsx").rows
    assert rows[0].errors == [f"CVR-nummeret «{BAD_CHECK_DIGIT}» findes ikke (kontrolcifferet passer ikke)",
                              "Ansatte: «12.5» er ikke et helt tal"]
    assert rows[1].errors == ["Navnet mangler", "Ukendt rolle «Udlejer»: skriv Ejer, Lejer eller Begge",
                              "Ansatte: «-3» må ikke være negativt"]


def test_xlsx_header_only_and_empty_workbooks():
    assert parse_file(xlsx_file(("Ark1", [["CVR", "Navn"]])), "f.xlsx").rows == []
    assert error_of(xlsx_file(("Ark1", [])), "f.xlsx") == "Filen er tom."
    assert error_of(xlsx_file(("Ark1", [["Navn"], ["Alfa"]])), "f.xlsx").startswith("Filen mangler kolonnen «CVR-nr.»")


def test_xlsx_name_without_a_workbook_inside():
    message = error_of(csv_file(["CVR;Navn", f"{CVR_A};Alfa"]), "firmaer.xlsx")
    assert message.startswith("Filen hedder .xlsx, men er ikke en Excel-projektmappe.")


def test_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("noter.txt", "hej")
    assert error_of(buffer.getvalue(), "firmaer.xlsx").startswith("Filen kan ikke læses som Excel-projektmappe")


# --- files made to exhaust the server ----------------------------------------------------------------------

SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
HEADER_ROW = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>CVR</t></is></c>'
              b'<c r="B1" t="inlineStr"><is><t>Navn</t></is></c></row>')


def workbook_with_sheet(*sheet_xml, dimension=b"", repeat=1):
    """A real workbook whose first sheet's XML is replaced: the head, `dimension`, the header row, then the
    parts of `sheet_xml`, the last of them written `repeat` times (streamed, so a huge sheet costs no memory)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_file(("Medlemmer", [["CVR", "Navn"]]))))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(item, source.read(item.filename))
                continue
            info = zipfile.ZipInfo(item.filename)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as sheet:
                sheet.write(SHEET_HEAD + dimension + b"<sheetData>" + HEADER_ROW)
                for part in sheet_xml[:-1]:
                    sheet.write(part)
                if sheet_xml:
                    chunk = sheet_xml[-1] * max(1, min(repeat, 10_000))
                    for _ in range(max(1, repeat // 10_000)):
                        sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return target.getvalue()


def zip_bomb(megabytes):
    """A few hundred kilobytes of XLSX that unpack to `megabytes` MB: one tiny row repeated (a "zip bomb")."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'
    return workbook_with_sheet(row, repeat=megabytes * 1024 * 1024 // len(row))


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    data = zip_bomb(150)
    assert len(data) < 1024 * 1024
    assert error_of(data, "medlemmer.xlsx") == (
        "Excel-filen er for stor: udpakket fylder den over 64 MB. Del den op i flere filer.")


def test_a_part_packed_far_tighter_than_a_spreadsheet_is_refused():
    message = error_of(zip_bomb(30), "medlemmer.xlsx")
    assert message.startswith("Filen er ikke læst: en del af den fylder ")
    assert "gange mere udpakket" in message


def test_a_zip_lying_about_its_unpacked_size_cannot_be_read():
    data = bytearray(xlsx_file(("Ark1", [["CVR", "Navn"], *([CVR_A, "Alfa " * 20] for _ in range(200))])))
    name = b"xl/worksheets/sheet1.xml"
    entry = data.index(b"PK\x01\x02" + data[data.index(b"PK\x01\x02") + 4:][:0], 0)
    while data[entry + 46:entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = (100).to_bytes(4, "little")  # the central directory's unpacked size
    assert error_of(bytes(data), "f.xlsx").startswith("Filen kan ikke læses som Excel-projektmappe")


def test_a_sheet_stating_a_huge_size_is_refused_before_its_rows():
    data = workbook_with_sheet(dimension=b'<dimension ref="A1:XFD1048576"/>')
    assert error_of(data, "f.xlsx").startswith("Arket er for bredt: det har celler i kolonne XFD")
    data = workbook_with_sheet(dimension=b'<dimension ref="A1:T1048576"/>')
    assert error_of(data, "f.xlsx").startswith("Arket er for stort: det går til række 1.048.576, og højst "
                                               "100.000 rækker læses.")


def test_reading_stops_at_the_first_cell_past_a_limit():
    far_down = f'<row r="200000"><c r="A200000"><v>{CVR_A}</v></c></row>'.encode()
    assert error_of(workbook_with_sheet(far_down), "f.xlsx").startswith("Arket er for stort: det går til række "
                                                                         "200.000")
    far_right = b'<row r="2"><c r="A2"><v>1</v></c><c r="XFD2"><v>1</v></c></row>'
    assert error_of(workbook_with_sheet(far_right), "f.xlsx").startswith("Arket er for bredt: det har celler i "
                                                                          "kolonne XFD")
    long_text = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"x" * 40_000 + b"</t></is></c></row>"
    assert error_of(workbook_with_sheet(long_text), "f.xlsx") == (
        "Filen er ikke læst: en celle har over 32.767 tegn, mere end Excel kan rumme.")


def test_the_cells_read_are_counted_with_the_empty_ones_before_them(monkeypatch):
    from crm.companies.importer import limits

    monkeypatch.setattr(limits, "MAX_CELLS", 1000)
    wide = b'<row><c r="A3"><v>1</v></c><c r="GR3"><v>1</v></c></row>'  # 200 cells a row
    assert error_of(workbook_with_sheet(wide, repeat=6), "f.xlsx") == (
        "Arket er for stort: det har flere end 1.000 celler. Del listen op i flere filer.")


def test_entity_declarations_are_refused():
    laughs = (b'<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              b'<row r="2"><c r="A2" t="inlineStr"><is><t>&b;</t></is></c></row>')
    data = workbook_with_sheet(laughs)
    assert error_of(data, "f.xlsx").startswith("Filen kan ikke læses som Excel-projektmappe")


def test_a_file_over_the_row_limit_is_refused(monkeypatch):
    from crm.companies.importer import rows

    monkeypatch.setattr(rows, "MAX_DATA_ROWS", 3)
    lines = ["CVR;Navn", *(f"{valid_cvr(n)};Firma {n}" for n in range(1, 5))]
    assert error_of(csv_file(lines)) == "Filen har flere end 3 rækker. Del den op i flere filer, og indlæs dem " \
        "hver for sig."
    assert len(parse_file(csv_file(lines[:4]), "f.csv").rows) == 3
    data = xlsx_file(("Ark1", [["CVR", "Navn"], *([valid_cvr(n), f"Firma {n}"] for n in range(1, 5))]))
    assert error_of(data, "f.xlsx").startswith("Filen har flere end 3 rækker.")


def test_a_csv_record_with_thousands_of_fields_is_refused():
    lines = ["CVR;Navn", f"{CVR_A};Alfa", f"{CVR_B};Beta;" + "x;" * 100_000]
    assert error_of(csv_file(lines)).startswith("Linje 3 har flere end 500 felter;")
    quoted = ["CVR;Navn", f'{CVR_A};"Alfa' + ";\n" * 600 + '"']  # spread over many lines inside quotes
    assert error_of(csv_file(quoted)).startswith("Linje 2")


def test_a_hand_made_workbook_with_shared_rich_text_prefixes_and_a_1904_calendar():
    """What other programs than openpyxl write: prefixed names, rich text with phonetic runs, booleans, errors."""
    parts = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       b'<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                       b'relationships/officeDocument" Target="/xl/wb.xml"/></Relationships>',
        "xl/wb.xml": b'<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                     b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                     b'<x:workbookPr date1904="1"/><x:sheets><x:sheet name="Diagram" sheetId="2" r:id="c1"/>'
                     b'<x:sheet name="Liste" sheetId="1" r:id="s1"/></x:sheets></x:workbook>',
        "xl/_rels/wb.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                b'relationships"><Relationship Id="s1" Type="http://schemas.openxmlformats.org/'
                                b'officeDocument/2006/relationships/worksheet" Target="ark/liste.xml"/>'
                                b'<Relationship Id="c1" Type="http://schemas.openxmlformats.org/officeDocument/'
                                b'2006/relationships/chartsheet" Target="ark/diagram.xml"/>'
                                b'<Relationship Id="t1" Type="http://schemas.openxmlformats.org/officeDocument/'
                                b'2006/relationships/sharedStrings" Target="tekster.xml"/>'
                                b'<Relationship Id="y1" Type="http://schemas.openxmlformats.org/officeDocument/'
                                b'2006/relationships/styles" Target="stil.xml"/></Relationships>',
        "xl/tekster.xml": '<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                          '<x:si><x:t>CVR</x:t></x:si><x:si><x:t>Navn</x:t></x:si><x:si><x:t>Medlem siden</x:t></x:si>'
                          '<x:si><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">Søholm </x:t></x:r>'
                          '<x:r><x:t>Stål</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ソ</x:t></x:rPh></x:si>'
                          '</x:sst>'.encode(),
        "xl/stil.xml": b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                       b'<numFmts count="1"><numFmt numFmtId="164" formatCode="dd\\-mm\\-yyyy"/></numFmts>'
                       b'<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
                       b'<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>',
        "xl/ark/diagram.xml": b'<chartsheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        "xl/ark/liste.xml": (
            '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
            '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c>'
            '<x:c r="D1" t="s"><x:v>2</x:v></x:c></x:row>'
            f'<x:row r="3"><x:c r="A3"><x:v>{CVR_A}</x:v></x:c><x:c r="B3" t="s"><x:v>3</x:v></x:c>'
            '<x:c r="C3" t="b"><x:v>1</x:v></x:c><x:c r="D3" s="1"><x:v>43890</x:v></x:c></x:row>'
            f'<x:row><x:c><x:v>{CVR_B}</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c/>'
            '<x:c t="str"><x:f>"2024-"&amp;"03-01"</x:f><x:v>2024-03-01</x:v></x:c></x:row>'
            '</x:sheetData></x:worksheet>').encode(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    parsed = parse_file(buffer.getvalue(), "medlemmer.xlsx")
    assert parsed.warnings == [
        "Filen har flere ark; kun det første («Liste») er læst. Ikke læst: «Diagram».",
        "Arket indeholder formler. De er læst som de værdier, der sidst blev gemt i filen; en formel uden gemt "
        "værdi er læst som et tomt felt.",
    ]
    assert [(row.number, row.values, row.errors) for row in parsed.rows] == [
        (3, {"cvr": CVR_A, "name": "Søholm Stål", "member_since": date(2024, 3, 1)}, []),  # 2020-02-28 in 1900
        (4, {"cvr": CVR_B, "name": "#N/A", "member_since": date(2024, 3, 1)}, []),
    ]


def test_a_huge_cell_is_refused_without_repeating_it_and_kept_short_for_the_preview():
    huge = "9" * 30_000
    lines = ["CVR;Navn;Status;Ansatte;E-mail", f"{CVR_A};{'N' * 30_000};{huge};{huge};{'e' * 30_000}@x.dk"]
    row = parse_file(csv_file(lines), "f.csv").rows[0]
    assert row.errors == ["Navn: teksten er 30000 tegn lang; højst 200 tegn er tilladt",
                          "Status: teksten er 30000 tegn lang; højst 20 tegn er tilladt",
                          "Ansatte: teksten er 30000 tegn lang; højst 20 tegn er tilladt",
                          "E-mail: teksten er 30005 tegn lang; højst 254 tegn er tilladt"]
    assert row.values["name"] == "N" * 300 + "…" and row.values["status"] == "9" * 300 + "…"


def shared_strings_workbook(rows):
    """A minimal workbook as Excel writes it: every text in the shared strings table, cells pointing into it."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    texts = sorted({value for row in rows for value in row})
    cells = "".join(
        f'<row r="{number}">' + "".join(f'<c r="{chr(65 + column)}{number}" t="s"><v>{texts.index(value)}</v></c>'
                                        for column, value in enumerate(row)) + "</row>"
        for number, row in enumerate(rows, start=1))
    parts = {
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'<Relationship Id="r1" Type="{relations}/officeDocument" Target="xl/workbook.xml"/>'
                       f'</Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
                           f'<sheet name="Ark1" sheetId="1" r:id="s1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                      f'relationships"><Relationship Id="s1" Type="{relations}/worksheet" '
                                      f'Target="worksheets/sheet1.xml"/><Relationship Id="t1" '
                                      f'Type="{relations}/sharedStrings" Target="sharedStrings.xml"/>'
                                      f'</Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">' + "".join(f"<si><t>{text}</t></si>" for text in texts)
                                + "</sst>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{cells}</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode())
    return buffer.getvalue()


def test_shared_texts_are_read_and_too_many_are_refused_while_they_are_read(monkeypatch):
    from crm.companies.importer import limits

    data = shared_strings_workbook([["CVR", "Navn"], [CVR_A, "Alfa"], [CVR_B, "Beta"]])
    assert [row.values for row in parse_file(data, "f.xlsx").rows] == [{"cvr": CVR_A, "name": "Alfa"},
                                                                        {"cvr": CVR_B, "name": "Beta"}]
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 3)
    assert error_of(data, "f.xlsx") == ("Arket har for meget tekst: over 3 forskellige tekster eller 30 millioner "
                                        "tegn. Del listen op i flere filer.")
