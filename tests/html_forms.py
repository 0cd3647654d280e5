"""Reading a page's forms as a browser does, and submitting them as a browser would.

A browser submits, for <form method="post">: text-like inputs with their value (newlines stripped; e-mail and URL
also trimmed; a number or date that is not valid becomes empty), hidden inputs as they are, checked checkboxes
(value "on" without a value attribute) and the checked radio button, each select's selected option (the first
one when none is selected), each textarea's content without the one newline right after <textarea> and with its
line breaks as CR LF, a file input as an empty file, and the value of the submit button pressed. Disabled
controls are left out. Only the standard library is used (html.parser).
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from werkzeug.datastructures import MultiDict

TEXT_TYPES = {"text", "search", "tel", "password"}
TRIMMED_TYPES = {"email", "url"}
IGNORED_TYPES = {"button", "reset", "image"}
_FLOAT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,3})?)?")
_ASCII_WHITESPACE = " \t\n\f\r"


@dataclass
class Field:
    """One named control of a form."""

    name: str
    kind: str  # input type, "select", "select-multiple", "textarea", "submit"
    value: str | None = None  # what a browser submits; None: nothing (an unchecked box, an unpressed button)
    options: list = field(default_factory=list)  # a select's option values, or a radio group's values


@dataclass
class Form:
    method: str
    action: str  # absolute path (with its query string) the form posts to
    enctype: str
    fields: list = field(default_factory=list)
    #: Submit buttons that post the form elsewhere (formaction): (action path, name or None, value).
    other_actions: list = field(default_factory=list)

    @property
    def multipart(self):
        return self.enctype == "multipart/form-data"

    def submitted(self):
        """[(name, value)] as a browser sends the form, pressing its first named submit button."""
        pairs, pressed = [], False
        for control in self.fields:
            if control.kind == "submit":
                if not pressed and control.value is not None:
                    pairs.append((control.name, control.value))
                    pressed = True
            elif control.kind == "file":
                pairs.append((control.name, (b"", "")))
            elif control.kind == "select-multiple":
                pairs.extend((control.name, value) for value in control.value or [])
            elif control.value is not None:
                pairs.append((control.name, control.value))
        return pairs

    def names(self):
        """Each name once, in page order (radio groups and repeated buttons are one)."""
        return list(dict.fromkeys(control.name for control in self.fields))

    def control(self, name):
        return next(control for control in self.fields if control.name == name)


def _sanitised(kind, value):
    """The value sanitisation of HTML's input types: what the browser holds for a rendered value."""
    if kind in TEXT_TYPES:
        return value.replace("\r", "").replace("\n", "")
    if kind in TRIMMED_TYPES:
        return value.replace("\r", "").replace("\n", "").strip(_ASCII_WHITESPACE)
    if kind == "number":
        return value if _FLOAT.fullmatch(value) else ""
    if kind == "date":
        try:
            return value if re.fullmatch(r"[0-9]{4,}-[0-9]{2}-[0-9]{2}", value) and date.fromisoformat(value) else ""
        except ValueError:
            return ""
    if kind == "time":
        return value if _TIME.fullmatch(value) else ""
    return value


def _textarea_value(text):
    """The HTML parser drops one newline right after <textarea>, and turns CR LF and CR into LF; the form
    submission writes every line break as CR LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\n"):
        text = text[1:]
    return text.replace("\n", "\r\n")


class _FormParser(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms = []
        self.form = None
        self.select = None
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.form = Form((attributes.get("method") or "get").lower(), self._path(attributes.get("action")),
                             (attributes.get("enctype") or "application/x-www-form-urlencoded").lower())
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = attributes.get("name")
        disabled = "disabled" in attributes
        submits = tag == "button" and (attributes.get("type") or "submit").lower() == "submit" or (
            tag == "input" and (attributes.get("type") or "").lower() == "submit")
        if submits and attributes.get("formaction") and not disabled:
            self.form.other_actions.append((self._path(attributes["formaction"]), name, attributes.get("value") or ""))
            return
        if tag == "input" and name and not disabled:
            kind = (attributes.get("type") or "text").lower()
            value = attributes.get("value")
            if kind in IGNORED_TYPES:
                return
            if kind in ("checkbox", "radio"):
                checked = "checked" in attributes
                value = (value if value is not None else "on")
                existing = next((c for c in self.form.fields if c.name == name and c.kind == kind), None)
                if kind == "radio" and existing is not None:
                    existing.options.append(value)
                    if checked:
                        existing.value = value
                    return
                self.form.fields.append(Field(name, kind, value if checked else None, [value]))
            elif kind == "submit":
                self.form.fields.append(Field(name, "submit", value or "", [value or ""]))
            elif kind == "file":
                self.form.fields.append(Field(name, "file", ""))
            else:
                self.form.fields.append(Field(name, kind, _sanitised(kind, value or "")))
        elif tag == "button" and name and not disabled and (attributes.get("type") or "submit").lower() == "submit":
            self.form.fields.append(Field(name, "submit", attributes.get("value") or "",
                                          [attributes.get("value") or ""]))
        elif tag == "select" and name and not disabled:
            kind = "select-multiple" if "multiple" in attributes else "select"
            self.select = Field(name, kind, [] if kind == "select-multiple" else None)
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None and not disabled:
            self.option = {"value": attributes.get("value"), "text": "", "selected": "selected" in attributes}
        elif tag == "textarea" and name and not disabled:
            self.textarea = Field(name, "textarea", "")
            self.form.fields.append(self.textarea)

    def _path(self, action):
        parts = urlsplit(urljoin("http://localhost" + self.page_url, action or self.page_url))
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            for action, name, value in self.form.other_actions:  # the same fields, posted by that button
                fields = [control for control in self.form.fields if control.kind != "submit"]
                if name:
                    fields.append(Field(name, "submit", value, [value]))
                self.forms.append(Form(self.form.method, action, self.form.enctype, fields))
            self.form = None
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self.select is not None:
            self._end_option()
            if self.select.kind == "select" and self.select.value is None and self.select.options:
                self.select.value = self.select.options[0]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.textarea.value = _textarea_value(self.textarea.value)
            self.textarea = None

    def _end_option(self):
        if self.option is None:
            return
        value = self.option["value"]
        if value is None:
            value = " ".join(self.option["text"].split())
        self.select.options.append(value)
        if self.option["selected"]:
            if self.select.kind == "select-multiple":
                self.select.value.append(value)
            elif self.select.value is None:
                self.select.value = value
        self.option = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        elif self.option is not None:
            self.option["text"] += data


def forms_of(html, page_url):
    """Every form of the page, in page order."""
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def post_forms(html, page_url):
    return [form for form in forms_of(html, page_url) if form.method == "post"]


class _TextParser(HTMLParser):
    """The text of elements with one of some classes (the error summary, field errors, flash messages)."""

    def __init__(self, classes):
        super().__init__(convert_charrefs=True)
        self.classes = classes
        self.depth = 0
        self.stack = []
        self.found = []
        self.h1 = []
        self.in_h1 = False

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "br", "img", "meta", "link", "hr", "source", "wbr"):
            return
        own = set((dict(attrs).get("class") or "").split())
        match = bool(own & self.classes)
        self.stack.append(match)
        if match:
            self.depth += 1
            if self.depth == 1:
                self.found.append("")
        if tag == "h1":
            self.in_h1 = True

    def handle_endtag(self, tag):
        if tag == "h1":
            self.in_h1 = False
        if self.stack and tag not in ("input", "br", "img", "meta", "link", "hr", "source", "wbr"):
            if self.stack.pop():
                self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data
        if self.in_h1:
            self.h1.append(data)


ERROR_CLASSES = {"alert-error", "form-error-message", "app-error-summary"}


def error_texts(html):
    """The texts of the page's error messages: the error summary, the fields' errors, error flashes."""
    parser = _TextParser(ERROR_CLASSES)
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.found if text.strip()]


def heading(html):
    parser = _TextParser(set())
    parser.feed(html)
    return " ".join("".join(parser.h1).split())


def send(client, form, pairs):
    """POST the pairs as the form's encoding sends them; a file is a (bytes, filename) pair."""
    data = MultiDict()
    for name, value in pairs:
        data.add(name, (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value)
    if form.multipart:
        return client.post(form.action, data=data, content_type="multipart/form-data")
    return client.post(form.action, data=data)
