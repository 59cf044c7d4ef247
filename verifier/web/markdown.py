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
    """The page's template already holds the one h1 (accessibility: one h1 per page), so an operator's file
    that starts with `# Impressum` would add a second: its headings move down until the topmost is an h2
    (texts that already start at h2 stay as they are; h6 stays h6)."""
    tokens = _MD.parse(text)
    headings = [token for token in tokens if token.type in ("heading_open", "heading_close")]
    shift = max(0, 2 - min((int(token.tag[1]) for token in headings), default=2))
    for token in headings:
        token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"
    return Markup(_MD.renderer.render(tokens, _MD.options, {}))  # escaped by markdown-it; raw HTML is off


def builtin(name: str, lang: str) -> str:
    """One of the texts shipped with the page: content/<name>.<lang>.md."""
    return (CONTENT / f"{name}.{lang}.md").read_text(encoding="utf-8")
