"""Reading bank statements: ISO 20022 camt.053 (XML) and the banks' CSV exports, into plain transactions.

XML safety without defusedxml: before ElementTree sees the file, expat reads it once with handlers that refuse any
DOCTYPE and any entity declaration. Without a DOCTYPE there is no internal entity to expand (no "billion laughs")
and no external entity or DTD to fetch; expat works out the file's encoding itself, so a UTF-16 file cannot slip a
DOCTYPE past a byte search. A camt.053 statement never has a DOCTYPE, so nothing real is refused.
"""

import codecs
import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET
import xml.parsers.expat
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from crm.companies.importer.danish_dates import parse_danish_date
from crm.companies.importer.danish_numbers import parse_danish_number
from crm.uploads import detect_type

#: The columns a CSV mapping chooses; date, amount and text are required.
CSV_FIELDS = ("date", "amount", "text", "payer", "reference")
REQUIRED_FIELDS = ("date", "amount", "text")
#: Header cells (normalised) that name a field in the banks' exports, so most files need no mapping
CSV_ALIASES = {
    "date": {"dato", "bogfort", "bogføringsdato", "bogført", "posteringsdato", "bogføringsdag", "date"},
    "amount": {"beløb", "belob", "beløb dkk", "beløb i dkk", "amount"},
    "text": {"tekst", "text", "posteringstekst", "beskrivelse", "meddelelse"},
    "payer": {"navn", "afsender", "indbetaler", "modpart", "betaler", "name"},
    "reference": {"reference", "ref", "betalings-id", "betalingsid", "fi-reference", "kortart/betalings-id"},
}
MAX_TEXT = 500


class StatementError(ValueError):
    """The file cannot be read as a statement; str() is a Danish message saying why."""


@dataclass
class Transaction:
    identity: str
    booked_on: object
    amount_ore: int
    payer: str = ""
    text: str = ""
    reference: str = ""

    def as_json(self):
        return {"identity": self.identity, "booked_on": self.booked_on.isoformat(), "amount_ore": self.amount_ore,
                "payer": self.payer, "text": self.text, "reference": self.reference}


def kind_of(data):
    """"camt053" for XML, else "csv"."""
    head = data[:200].lstrip(codecs.BOM_UTF8).lstrip()
    return "camt053" if head.startswith(b"<") or head.startswith(codecs.BOM_UTF16_LE) else "csv"


# camt.053 -------------------------------------------------------------------------------------------------------

def _refuse_declarations(data):
    def refuse(*_args):
        raise StatementError(_l("Filen indeholder en DOCTYPE- eller ENTITY-erklæring og læses ikke af "
                                "sikkerhedshensyn. En kontoudskrift (camt.053) har ingen af delene."))

    parser = xml.parsers.expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        raise StatementError(_l("Filen er ikke gyldig XML (linje %(line)s).", line=error.lineno)) from error


def _text(element, path):
    found = element.find(path) if element is not None else None
    return " ".join((found.text or "").split()) if found is not None else ""


def _texts(element, path):
    return " ".join(" ".join((found.text or "").split()) for found in element.iterfind(path))


def parse_camt053(data):
    """The transactions of a camt.053 file (any version: the namespace is not checked)."""
    _refuse_declarations(data)
    root = ET.fromstring(data)  # noqa: S314  (declarations refused above: see the module's docstring)
    statements = root.findall(".//{*}Stmt")
    if not statements:
        raise StatementError(_l("Filen er ikke en kontoudskrift i camt.053-formatet (der er ingen <Stmt>)."))
    transactions = []
    for statement in statements:
        account = _text(statement, "{*}Acct/{*}Id/{*}IBAN") or _text(statement, "{*}Acct/{*}Id/{*}Othr/{*}Id")
        for entry in statement.iterfind("{*}Ntry"):
            transactions.extend(_entry(entry, account))
    return _checked(transactions)


def _entry(entry, account):
    sign = -1 if _text(entry, "{*}CdtDbtInd") == "DBIT" else 1
    booked = parse_danish_date(_text(entry, "{*}BookgDt/{*}Dt") or _text(entry, "{*}BookgDt/{*}DtTm")[:10]
                               or _text(entry, "{*}ValDt/{*}Dt"))
    entry_ref = _text(entry, "{*}AcctSvcrRef") or _text(entry, "{*}NtryRef")
    details = entry.findall("{*}NtryDtls/{*}TxDtls") or [None]
    rows = []
    for index, detail in enumerate(details, start=1):
        amount = _text(detail, "{*}Amt") or _text(detail, "{*}AmtDtls/{*}TxAmt/{*}Amt") if detail is not None else ""
        amount = amount or _text(entry, "{*}Amt")
        payer = (_text(detail, "{*}RltdPties/{*}Dbtr/{*}Nm") or _text(detail, "{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm")
                 if detail is not None else "")
        reference = (_text(detail, "{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref") or _text(detail, "{*}Refs/{*}EndToEndId")
                     if detail is not None else "")
        if reference == "NOTPROVIDED":
            reference = ""
        text = " ".join(part for part in (
            _texts(detail, "{*}RmtInf/{*}Ustrd") if detail is not None else "",
            _text(detail, "{*}AddtlTxInf") if detail is not None else "",
            _text(entry, "{*}AddtlNtryInf")) if part)
        own_ref = _text(detail, "{*}Refs/{*}AcctSvcrRef") if detail is not None else ""
        if own_ref or entry_ref:
            identity = f"camt:{account}:{own_ref or entry_ref}:{index if not own_ref else ''}"
        else:
            identity = None  # a digest of the row, below
        rows.append(_transaction(identity, booked, sign * _ore(amount), payer, text, reference))
    return rows


# CSV ------------------------------------------------------------------------------------------------------------

def decode(data):
    """The text of a CSV export: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise StatementError(_l("Filen er hverken UTF-8 eller Windows-1252.")) from error


NOT_A_STATEMENT = _l("Filen er ikke en kontoudskrift. Vælg bankens XML-fil (camt.053) eller en CSV-eksport med "
                     "kolonner for dato, beløb og tekst.")


def csv_rows(data):
    """(header cells, data rows) of a `;`-separated export; empty lines skipped."""
    if detect_type(data) or b"\x00" in data:  # a PDF, an image, an Office file, a program
        raise StatementError(NOT_A_STATEMENT)
    text = decode(data)
    delimiter = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    if len(rows) < 1:
        raise StatementError(_l("Filen er tom."))
    if len(rows[0]) < 3:
        raise StatementError(NOT_A_STATEMENT)
    return [cell.strip() for cell in rows[0]], rows[1:]


def header_key(headers):
    """The digest that finds a remembered mapping for this header line again."""
    return hashlib.sha256("\x1f".join(_normalised(cell) for cell in headers).encode()).hexdigest()


def _normalised(cell):
    return " ".join(cell.strip().lower().split()).rstrip(".:")


def guess_mapping(headers):
    """{field: column index} for the fields whose header a bank uses; required fields may be missing."""
    mapping = {}
    for index, cell in enumerate(headers):
        for field, aliases in CSV_ALIASES.items():
            if field not in mapping and _normalised(cell) in aliases:
                mapping[field] = index
    return mapping


def parse_csv(data, mapping):
    """The transactions of a CSV export, read with `mapping` ({field: column index})."""
    missing = [field for field in REQUIRED_FIELDS if field not in mapping]
    if missing:
        raise StatementError(_l("Vælg hvilke kolonner der er dato, beløb og tekst."))
    _headers, rows = csv_rows(data)
    transactions = []
    for number, row in enumerate(rows, start=2):
        def cell(field, row=row):
            index = mapping.get(field)
            return row[index].strip() if index is not None and index < len(row) else ""
        try:
            booked = parse_danish_date(cell("date"))
            amount = parse_danish_number(cell("amount"))
        except ValueError as error:
            raise StatementError(_l("Linje %(line)s: %(error)s", line=number, error=str(error))) from error
        if booked is None or amount is None:
            raise StatementError(_l("Linje %(line)s mangler dato eller beløb.", line=number))
        transactions.append(_transaction(None, booked, _ore(amount), cell("payer"), cell("text"), cell("reference")))
    return _checked(transactions)


# Both -----------------------------------------------------------------------------------------------------------

def _ore(amount):
    try:
        value = Decimal(str(amount).replace(",", ".")) if not isinstance(amount, Decimal) else amount
    except InvalidOperation as error:
        raise StatementError(_l("«%(amount)s» er ikke et beløb.", amount=str(amount)[:40])) from error
    ore = value * 100
    if ore != ore.to_integral_value():
        raise StatementError(_l("«%(amount)s» er ikke et beløb i kroner og øre.", amount=str(amount)[:40]))
    return int(ore)


def _transaction(identity, booked, amount_ore, payer, text, reference):
    return Transaction(identity=identity or "", booked_on=booked, amount_ore=amount_ore, payer=payer[:200],
                       text=text[:MAX_TEXT], reference=reference[:200]) if booked else _no_date()


def _no_date():
    raise StatementError(_l("En postering i filen har ingen bogføringsdato."))


_SPACES = re.compile(r"\s+")


def _checked(transactions):
    """Give every transaction without the bank's reference an identity: a digest of its date, amount, payer,
    text and reference, and how many identical rows came before it in the file (two equal payments on one day
    are two payments; loading the file again gives both the same identities as before)."""
    seen = {}
    for transaction in transactions:
        if transaction.identity:
            continue
        content = "\x1f".join((transaction.booked_on.isoformat(), str(transaction.amount_ore),
                               _SPACES.sub(" ", transaction.payer.lower()), _SPACES.sub(" ", transaction.text.lower()),
                               transaction.reference))
        seen[content] = seen.get(content, 0) + 1
        transaction.identity = "row:" + hashlib.sha256(f"{content}\x1f{seen[content]}".encode()).hexdigest()
    return transactions
