"""Who runs this verifier, as the pages show it: name, logo, contact and the three legal pages.

Read once when the app is built (files the operator named are small and do not change while it runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from verifier.web.config import LOGO_TYPES, Operator, is_url
from verifier.web.i18n import Lang, t

# page key -> (path on this site, UI label key, config attribute)
LEGAL = {
    "impressum": ("/impressum", "impressum", "impressum"),
    "datenschutz": ("/datenschutz", "privacy_page", "privacy"),
    "barrierefreiheit": ("/barrierefreiheit", "accessibility_page", "accessibility"),
}


@dataclass(frozen=True)
class OperatorInfo:
    config: Operator = field(default_factory=Operator)
    pages: dict[str, str] = field(default_factory=dict)  # page key -> Markdown text of the operator's own file
    logo: tuple[bytes, str] | None = None  # (bytes, media type) served at /operator/logo

    @classmethod
    def load(cls, config: Operator) -> OperatorInfo:
        pages = {
            key: Path(value).read_text(encoding="utf-8")
            for key, (_, _, attr) in LEGAL.items()
            if (value := getattr(config, attr)) and not is_url(value)
        }
        logo = None
        if config.logo and not is_url(config.logo):
            path = Path(config.logo)
            logo = (path.read_bytes(), LOGO_TYPES[path.suffix.lower()])
        return cls(config, pages, logo)

    def name(self, lang: Lang) -> str:
        return self.config.display_name(lang)

    def logo_src(self) -> str:
        if self.logo is not None:
            return "/operator/logo"
        return self.config.logo if is_url(self.config.logo) else ""

    def logo_origin(self) -> str:
        """The origin an external logo is loaded from (the CSP must allow it), or ""."""
        if not is_url(self.config.logo):
            return ""
        parts = urlsplit(self.config.logo)
        return f"{parts.scheme}://{parts.netloc}"

    def legal_links(self, lang: Lang) -> list[tuple[str, str]]:
        """(label, href) of the legal pages: the operator's URL, else our own page (its file, or our default
        text; the Impressum has no default, its page says that none was supplied)."""
        links = []
        for path, label, attr in LEGAL.values():
            value = getattr(self.config, attr)
            href = value if is_url(value) else f"{path}?lang={lang}"
            links.append((t(label, lang), href))
        return links
