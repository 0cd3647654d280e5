"""Files into the app: an upload read within its limit, and the check of an attachment by its content."""

import io
import re
import unicodedata
import zipfile

from flask import request
from flask_babel import lazy_gettext as _l

from crm.downloads import XLSX


def uploaded_file(limit):
    """(bytes, filename) of the form's file, read at most one byte past the limit; None when no file was chosen."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    return upload.read(limit + 1), upload.filename


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
