"""[[trusted]] name_de / name_en: kept by the trust list and shown to readers of that language."""

from __future__ import annotations

from pathlib import Path

from cli.verify_cmd import _registry_shown
from notary.config import load_trust_settings
from verifier.pipeline import Verifier
from verifier.trust import TrustList

TRUSTED = (
    '[[trusted]]\nname = "Demo registry"\nname_de = "Demo-Register"\nchain_id = 1\n'
    'address = "0x5FbDB2315678afecb367f032d315d8e9f2ba0aa3"\nrpc_url = "http://127.0.0.1:1"\n'
)


def test_the_registry_name_is_shown_in_the_readers_language(tmp_path: Path) -> None:
    config = tmp_path / "notary.toml"
    config.write_text(TRUSTED)
    trust = TrustList.from_settings(load_trust_settings(config))
    (entry,) = trust.entries()
    assert entry.name == "Demo registry" and entry.name_de == "Demo-Register" and entry.name_en is None
    assert entry.display_name("de") == "Demo-Register" and entry.display_name("en") == "Demo registry"
    verifier = Verifier(trust)
    assert _registry_shown(verifier, "Demo registry", "de") == "Demo-Register"
    assert _registry_shown(verifier, "Other", "de") == "Other"


def test_the_demo_trust_entry_has_a_german_name() -> None:
    from notary import demo

    assert demo.TRUSTED_NAME_DE == "Demo-Register (lokale Entwicklungskette)"


def test_the_web_page_shows_the_german_name(tmp_path: Path) -> None:
    from verifier.web.view import registry_display_name

    config = tmp_path / "notary.toml"
    config.write_text(TRUSTED)
    entries = TrustList.from_settings(load_trust_settings(config)).entries()
    assert registry_display_name("Demo registry", "de", entries, {}) == "Demo-Register"
    assert registry_display_name("Demo registry", "en", entries, {}) == "Demo registry"
