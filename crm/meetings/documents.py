"""Meeting minutes: Markdown rendered to safe HTML and to plain text."""

import html
import re
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

MINUTES_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h3", "h4", "blockquote", "a",
    "table", "thead", "tbody", "tr", "th", "td", "code", "pre",
}
#: Tags removed together with everything inside them (the rest keep their text when they are stripped).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "noscript", "template", "object", "svg", "math"}
LINK_SCHEMES = {"http", "https", "mailto"}

# Markdown's own autolinks (<https://...>, <name@firma.dk>) look like tags; keep what they say in the text version.
AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>", re.IGNORECASE)


#: A line that starts a list item: "- punkt", "* punkt", "+ punkt", "1. punkt" or "1) punkt".
LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|[0-9]{1,9}[.)])[ \t]+\S")


class _ListsAfterText(Preprocessor):
    """People write "Tekst" and on the next line "- punkt" and mean a list; Markdown wants a blank line between.
    Runs after fenced code and raw HTML are set aside, so code blocks keep their lines."""

    def run(self, lines: list[str]) -> list[str]:
        result, in_list = [], False
        for line in lines:
            if not line.strip():
                in_list = False
            elif LIST_ITEM.match(line):
                if result and result[-1].strip() and not in_list:
                    result.append("")
                in_list = True
            result.append(line)
        return result


class _MinutesHeadings(Treeprocessor):
    """The page around the minutes owns h1 and h2: `#` becomes h3, `##` and deeper h4."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(int(element.tag[1]) + 2, 4)}"


class _MinutesHeadingsExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(_MinutesHeadings(md), "minutes_headings", 5)
        md.preprocessors.register(_ListsAfterText(md), "lists_after_text", 15)


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
