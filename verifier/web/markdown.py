"""Markdown to HTML for the page's own texts (API docs, legal pages): CommonMark with tables, raw HTML off.

Raw HTML stays off even for the operator's own files: the CSP forbids inline script and style, and a legal
page has no need for either; links to javascript: and the like are refused by markdown-it itself.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

CONTENT = Path(__file__).resolve().parent / "content"
_MD = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def to_html(text: str) -> Markup:
    return Markup(_MD.render(text))  # markdown-it escapes the text; raw HTML is switched off


def builtin(name: str, lang: str) -> str:
    """One of the texts shipped with the page: content/<name>.<lang>.md."""
    return (CONTENT / f"{name}.{lang}.md").read_text(encoding="utf-8")
