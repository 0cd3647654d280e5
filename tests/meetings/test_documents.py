"""Minutes rendered safely from Markdown, and attachments checked by what they contain, not what they are called."""

import io
import struct
import zipfile
import zlib

import pytest
from markupsafe import Markup, escape

from crm.meetings.documents import minutes_text, render_minutes
from crm.uploads import (
    ALLOWED_TYPES,
    DOCX,
    MAX_ATTACHMENT_BYTES,
    XLSX,
    AttachmentRefused,
    check_attachment,
)

MINUTES = """# Netværksmøde marts

## Affaldsordningen

Vi aftalte **fælles afhentning** og *byttecentral*.

- Møller & Søn deltager
- Holme Stål undersøger

1. Tilbud indhentes
2. Beslutning på næste møde

Læs mere på [kommunens side](https://www.hvidovre.dk/erhverv) eller skriv til <erhverv@hvidovre.dk>.

| Firma | Tons |
|---|---|
| Holme Stål | 12 |
"""

HOSTILE = """Før

<script>alert('stjæl cookies')</script>
<style>body { display: none }</style>
<iframe src="https://ondt.example/">iframe-tekst</iframe>
<p onclick="alert(1)" onmouseover="alert(2)">Klik her</p>
<img src="x" onerror="alert(3)">
[Farligt link](javascript:alert(4)) <a href="JaVaScRiPt:alert(5)">skjult</a> <a href="data:text/html,hej">data</a>

Efter
"""


# --- minutes ------------------------------------------------------------------------------------------------------


def test_markdown_renders_headings_lists_bold_links_and_tables():
    html = render_minutes(MINUTES)

    # the page owns h1 and h2, so the minutes' own headings start at h3
    assert "<h3>Netværksmøde marts</h3>" in html
    assert "<h4>Affaldsordningen</h4>" in html
    assert "<strong>fælles afhentning</strong>" in html
    assert "<em>byttecentral</em>" in html
    assert "<li>Møller &amp; Søn deltager</li>" in html
    assert "<ul>" in html and "<ol>" in html
    assert '<a href="https://www.hvidovre.dk/erhverv" rel="noopener noreferrer">kommunens side</a>' in html
    assert 'href="mailto:erhverv@hvidovre.dk"' in html
    assert "<th>Firma</th>" in html and "<td>12</td>" in html


def test_every_link_gets_rel_noopener():
    html = render_minutes("[a](https://a.example/) og [b](http://b.example/) og <https://c.example/>")

    assert html.count("<a ") == 3
    assert html.count('rel="noopener noreferrer"') == 3


def test_scripts_frames_handlers_and_javascript_links_are_stripped():
    html = render_minutes(HOSTILE)

    for dangerous in ("<script", "alert", "stjæl cookies", "<style", "display: none", "<iframe", "iframe-tekst",
                      "onclick", "onmouseover", "onerror", "<img", "javascript", "data:text"):
        assert dangerous not in html.lower()
    # the harmless text around it is still there
    assert "Før" in html and "Efter" in html and "Klik her" in html and "Farligt link" in html


def test_links_must_be_absolute_http_https_or_mailto():
    # the minutes are mailed too, where a relative link leads nowhere; a protocol-relative one leads anywhere
    html = render_minutes("[møder](/meetings/3) [ud](//ondt.example/) [ftp](ftp://filer.example/) [ok](https://ok.dk)")

    assert html.count("href=") == 1
    assert 'href="https://ok.dk"' in html
    assert "møder" in html and "ud" in html and "ftp" in html


def test_raw_html_outside_the_allowed_tags_keeps_only_its_text():
    html = render_minutes('<div class="x"><h1>Stor</h1><span style="color:red">rød</span></div>')

    assert "<div" not in html and "<h1" not in html and "<span" not in html and "style" not in html
    assert "Stor" in html and "rød" in html


def test_rendered_minutes_are_markup_so_jinja_does_not_escape_them_again():
    html = render_minutes("**fed**")

    assert isinstance(html, Markup)
    assert escape(html) == html


def test_empty_minutes_render_as_nothing():
    assert render_minutes("") == ""


def test_minutes_text_keeps_the_markdown_but_no_tags():
    text = minutes_text(MINUTES + HOSTILE)

    assert "<" not in text and ">" not in text.replace("\n> ", "")
    assert "skriv til erhverv@hvidovre.dk." in text  # a Markdown autolink keeps its address
    assert "**fælles afhentning**" in text
    assert "Møller & Søn" in text  # not &amp;
    for hidden in ("stjæl cookies", "display: none", "iframe-tekst", "onclick", "onerror"):
        assert hidden not in text
    assert "Klik her" in text


def test_minutes_text_keeps_a_lone_less_than_sign():
    assert minutes_text("Budget < 10.000 kr. & moms") == "Budget < 10.000 kr. & moms"


# --- attachments: real files of each allowed type -----------------------------------------------------------------


def make_pdf():
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def make_png():
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def make_jpeg():
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def make_zip(*members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<?xml version='1.0'?><x/>")
    return buffer.getvalue()


def make_docx():
    return make_zip("[Content_Types].xml", "_rels/.rels", "word/document.xml")


def make_xlsx():
    return make_zip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "safe_name"),
    [
        (make_pdf(), "Referat marts.pdf", "application/pdf", "Referat marts.pdf"),
        (make_png(), "kort.png", "image/png", "kort.png"),
        (make_jpeg(), "foto.jpeg", "image/jpeg", "foto.jpg"),
        (make_docx(), "Dagsorden.docx", DOCX, "Dagsorden.docx"),
        (make_xlsx(), "Affaldstal 2024.xlsx", XLSX, "Affaldstal 2024.xlsx"),
    ],
)
def test_each_allowed_type_is_accepted(data, filename, content_type, safe_name):
    assert check_attachment(data, filename) == (content_type, safe_name)
    assert ALLOWED_TYPES[content_type] == "." + safe_name.rsplit(".", 1)[1]


def test_the_type_comes_from_the_content_not_the_name():
    assert check_attachment(make_png(), "rapport.pdf") == ("image/png", "rapport.png")
    assert check_attachment(make_pdf(), "scan") == ("application/pdf", "scan.pdf")


# --- attachments: refused -----------------------------------------------------------------------------------------

REFUSED = {
    "program": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "setup.exe"),
    "html named pdf": (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "faktura.pdf"),
    "svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg"),
    "zip of other things": (make_zip("[Content_Types].xml", "readme.txt"), "dokument.docx"),
    "office zip without content types": (make_zip("word/document.xml"), "dokument.docx"),
    "macro-enabled workbook": (make_zip("[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin"), "tal.xlsx"),
    "broken zip": (b"PK\x03\x04" + b"\x00" * 50, "dokument.docx"),
    "text": (b"Referat i ren tekst", "referat.pdf"),
}


@pytest.mark.parametrize("data, filename", list(REFUSED.values()), ids=list(REFUSED))
def test_other_types_are_refused_with_a_message_naming_the_allowed_types(app, data, filename):
    with pytest.raises(AttachmentRefused) as refused, app.app_context():
        check_attachment(data, filename)

    with app.app_context():
        message = str(refused.value)
    assert message.startswith("Filtypen kan ikke vedhæftes")
    for allowed in ("PDF", "Word (.docx)", "Excel (.xlsx)", "PNG", "JPEG"):
        assert allowed in message


def test_old_word_and_excel_files_are_refused_with_advice(app):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    with pytest.raises(AttachmentRefused) as refused:
        check_attachment(ole2, "gammelt referat.doc")

    with app.app_context():
        assert ".docx, .xlsx eller PDF" in str(refused.value)


def test_an_empty_file_is_refused(app):
    with pytest.raises(AttachmentRefused) as refused:
        check_attachment(b"", "tom.pdf")

    with app.app_context():
        assert "tom" in str(refused.value)


def test_a_file_over_the_limit_is_refused_with_the_limit_in_mb(app):
    too_large = make_pdf() + b"\x00" * (MAX_ATTACHMENT_BYTES + 1 - len(make_pdf()))
    with pytest.raises(AttachmentRefused) as refused:
        check_attachment(too_large, "stor.pdf")

    with app.app_context():
        assert "10 MB" in str(refused.value)
    exactly_at_limit = too_large[:-1]
    assert check_attachment(exactly_at_limit, "stor.pdf")[0] == "application/pdf"


def test_refusal_is_a_value_error():
    assert issubclass(AttachmentRefused, ValueError)


# --- attachments: file names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "safe_name"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\Bent\\Documents\\Referat.pdf", "Referat.pdf"),
        ("Mødereferat Ærø Å.pdf", "Mødereferat Ærø Å.pdf"),
        ("Ma\u030aneds\u00adreferat.pdf", "Månedsreferat.pdf"),  # macOS sends decomposed letters
        ("ref\x00er\x1bat\n.pdf", "referat.pdf"),
        ("faktura\u202efdp.exe", "fakturafdp.pdf"),  # a right-to-left override hiding the real extension
        ('a<b>c:"d|e?f*.pdf', "abcdef.pdf"),
        ("..", "bilag.pdf"),
        ("", "bilag.pdf"),
        (".pdf", "bilag.pdf"),
        ("Referat 12.3.2024", "Referat 12.3.2024.pdf"),
    ],
)
def test_file_names_are_reduced_to_a_safe_basename(filename, safe_name):
    assert check_attachment(make_pdf(), filename) == ("application/pdf", safe_name)


def test_long_file_names_are_cut_to_150_characters_keeping_the_extension():
    _, safe_name = check_attachment(make_docx(), "æ" * 400 + ".docx")

    assert len(safe_name) == 150
    assert safe_name == "æ" * 145 + ".docx"
