"""Meeting minutes (Markdown rendered to safe HTML and to plain text) and the checks on uploaded attachments."""

import html
import io
import re
import unicodedata
import zipfile
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from flask_babel import lazy_gettext as _l
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from crm.downloads import XLSX

MINUTES_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "blockquote", "a",
    "table", "thead", "tbody", "tr", "th", "td", "code", "pre",
}
#: Tags removed together with everything inside them (the rest keep their text when they are stripped).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "noscript", "template", "object", "svg", "math"}
LINK_SCHEMES = {"http", "https", "mailto"}

# Markdown's own autolinks (<https://...>, <name@firma.dk>) look like tags; keep what they say in the text version.
AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>", re.IGNORECASE)


class _MinutesHeadings(Treeprocessor):
    """The page around the minutes owns h1 and h2: `#` becomes h3, `##` and deeper h4."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(int(element.tag[1]) + 2, 4)}"


class _MinutesHeadingsExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_MinutesHeadings(md), "minutes_headings", 5)


def _keep_link(tag: str, attribute: str, value: str) -> str | None:
    """Only absolute http, https and mailto links survive; relative and other links lose their href."""
    if tag == "a" and attribute == "href":
        scheme = urlsplit(value.strip()).scheme.lower()
        return value if scheme in LINK_SCHEMES else None
    return value


def render_minutes(markdown_text: str) -> Markup:
    """The minutes as HTML that is safe to show in the page or a mail: Markdown rendered, then sanitised."""
    converter = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists", "nl2br", _MinutesHeadingsExtension()],
    )
    rendered = converter.convert(markdown_text or "")
    cleaned = nh3.clean(
        rendered,
        tags=MINUTES_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={"a": {"href"}},
        attribute_filter=_keep_link,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return Markup(cleaned)  # noqa: S704 (sanitised by nh3 just above)


def minutes_text(markdown_text: str) -> str:
    """The minutes for the text part of a mail: the Markdown as written, without any HTML tags."""
    text = AUTOLINK.sub(r"\1", markdown_text or "")
    stripped = nh3.clean(text, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT, attributes={})
    return html.unescape(stripped)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    DOCX: ".docx",
    XLSX: ".xlsx",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_FILENAME_CHARS = 150
DEFAULT_STEM = "bilag"

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc, Excel .xls and other old Office files
# An extension the browser or the user put on the name; the detected type's extension replaces it.
NAME_EXTENSION = re.compile(r"(?i)\.(?=[a-z0-9]{0,4}[a-z])[a-z0-9]{1,5}$")
# Control and format characters (this includes right-to-left overrides that disguise "gpj.exe"), and
# characters Windows forbids in file names.
UNSAFE_CHARACTER_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
FORBIDDEN_IN_NAMES = set('<>:"/\\|?*')


class AttachmentRefused(ValueError):
    """The upload cannot be attached; str() is a Danish message that says why and what is allowed."""


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        return None
    if "[Content_Types].xml" not in names or any(name.endswith("vbaProject.bin") for name in names):
        return None  # not Office Open XML, or a macro-enabled .docm/.xlsm under another name
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def detect_type(data: bytes) -> str | None:
    """The allowed content type the bytes really are, or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None


def safe_filename(filename: str, extension: str) -> str:
    """The name without folders or unsafe characters, at most MAX_FILENAME_CHARS long, ending in `extension`."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if character.isspace() else character
        for character in name
        if unicodedata.category(character) not in UNSAFE_CHARACTER_CATEGORIES and character not in FORBIDDEN_IN_NAMES
    )
    stem = NAME_EXTENSION.sub("", " ".join(name.split()))
    stem = stem.strip(" .")[: MAX_FILENAME_CHARS - len(extension)].rstrip(" .")
    return f"{stem or DEFAULT_STEM}{extension}"


def check_attachment(data: bytes, filename: str) -> tuple[str, str]:
    """The content type found in the bytes and a safe file name for it; AttachmentRefused if it may not be attached.

    The type is decided by the content alone: the name and the type the browser sent are never trusted.
    """
    if not data:
        raise AttachmentRefused(_l("Filen er tom. Vælg en anden fil."))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(
            _l("Filen er for stor. Et bilag må højst fylde %(limit)d MB.", limit=MAX_ATTACHMENT_BYTES // (1024 * 1024))
        )
    content_type = detect_type(data)
    if content_type is None:
        if data.startswith(OLE2_SIGNATURE):
            raise AttachmentRefused(
                _l("Ældre Word- og Excel-filer (.doc, .xls) kan ikke vedhæftes. Gem filen som .docx, .xlsx "
                   "eller PDF, og prøv igen.")
            )
        raise AttachmentRefused(
            _l("Filtypen kan ikke vedhæftes. Du kan vedhæfte PDF, Word (.docx), Excel (.xlsx), PNG og JPEG.")
        )
    return content_type, safe_filename(filename, ALLOWED_TYPES[content_type])
