"""Announcement bodies: Markdown as staff write it, HTML as residents see it.

markdown-it-py renders CommonMark (with tables and strikethrough) with raw HTML switched off, and
nh3 (the Rust ammonia sanitiser) keeps only the tags and attributes listed here, links only to
http(s), mailto and tel, each with ``rel="noopener noreferrer nofollow"``. Before that, a body
that tries script, frames, styles, event attributes or ``javascript:`` links is refused with a
message: staff should know their text was not published as written.
"""

from __future__ import annotations

import html
import re

import nh3
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt

from iok_saas.web.problems import DomainError

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable(["table", "strikethrough"])
TAGS = {"p", "br", "strong", "em", "s", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
        "a", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto", "tel"}
_FORBIDDEN = re.compile(
    r"<\s*/?\s*(script|iframe|frame|style|object|embed|svg|math|form|link|meta|base)\b"
    r"|\bon[a-z]+\s*=|(java|vb)script\s*:|data\s*:\s*text/html", re.IGNORECASE)


class UnsafeText(DomainError):
    """The body tries something that would run in residents' browsers."""


def check(markdown: str) -> None:
    """Refuse a body with script, frames, styles, event attributes or script links (also when
    written with character references)."""
    decoded = html.unescape(html.unescape(markdown)).replace("\x00", "")
    compact = re.sub(r"[\s\u200b]+", "", decoded)
    if _FORBIDDEN.search(decoded) or re.search(r"(java|vb)script:", compact, re.IGNORECASE):
        raise UnsafeText(_l("The text contains code that is not allowed (script, iframe, style, "
                            "on… attributes or javascript: links). Please remove it: "
                            "announcements take plain text and Markdown."), "body")


def to_html(markdown: str) -> str:
    """The body as safe HTML."""
    check(markdown)
    rendered = _MARKDOWN.render(markdown)
    return nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel="noopener noreferrer nofollow")
