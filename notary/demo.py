"""`make demo`: a local chain, a registry, a demo issuer — and the checkout left configured for the CLI.

Idempotent: a second run reuses the running chain, the keys and the registry if they are still there.
The folder's notary.toml serves the operator's commands (issue, revoke, serve…); `notary verify` never reads
it unasked, so the demo also adds its registry to the user's own trust list (~/.config/notary/notary.toml),
replacing an earlier demo's entry and leaving the rest of that file alone.
The demo keys' password sits in a file that notary.toml points to; production keys use a prompt or env var.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notary import localchain
from notary.chain import Registry, connect, fund_dev_account
from notary.chain.identity import read_identity
from notary.config import CONFIG_FILE, ConfigSource, add_trusted, load_settings, user_config_file, write_config
from notary.keys import create_key, key_path, load_account

ADMIN_NAME = "Stadt Mannheim – Fachbereich Bildung (Demo)"
ISSUER_NAME = "Staatliche Realschule am Lindenhain, Würzburg (Demo)"
TRUSTED_NAME = "Demo registry (local development chain)"
TRUSTED_NAME_DE = "Demo-Register (lokale Entwicklungskette)"


@dataclass(frozen=True)
class DemoSetup:
    chain_url: str
    registry: str
    chain_id: int
    admin: str
    issuer: str
    config_file: Path
    fresh_registry: bool
    trust_file: Path


def _password(data_dir: Path) -> tuple[str, Path]:
    path = data_dir / "demo-password"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(24))
    return path.read_text().strip(), path


def _key(data_dir: Path, name: str, password: str) -> Path:
    path = key_path(data_dir, name)
    if not path.exists():
        create_key(data_dir, name, password)
    return path


def setup_demo(workdir: Path, say: Callable[[str], None] = print, port: int | None = None) -> DemoSetup:
    """Bring up chain, keys and registry under ``workdir`` and write ``workdir/notary.toml``."""
    data_dir = workdir / ".notary"
    config_file = workdir / CONFIG_FILE
    chain = localchain.running(data_dir)
    if chain is None:
        chain = localchain.up(data_dir, port=port)
        say(f"local chain started at {chain.url}")
    else:
        say(f"local chain already running at {chain.url}")
    password, password_file = _password(data_dir)
    admin_file = _key(data_dir, "demo-admin", password)
    issuer_file = _key(data_dir, "demo-issuer", password)
    admin = load_account(admin_file, password)
    issuer = load_account(issuer_file, password)
    w3 = connect(chain.url)
    for account in (admin, issuer):
        if w3.eth.get_balance(account.address) == 0:
            fund_dev_account(w3, account.address)

    existing = None
    if config_file.exists():
        existing = load_settings(source=ConfigSource(config_file, "demo")).registry
    registry = Registry(w3, existing) if existing else None
    fresh = registry is None or not registry.has_code()
    if registry is None or fresh:
        registry, tx = Registry.deploy(w3, admin)
        say(f"registry deployed at {registry.address} (block {tx.block_number})")
    else:
        say(f"registry already deployed at {registry.address}")
    if not registry.issuer(issuer.address).registered:
        registry.add_issuer(admin, issuer.address, ISSUER_NAME)
        say(f"demo issuer {issuer.address} authorised as “{ISSUER_NAME}”")

    identity = read_identity(w3)  # pinned like `registry deploy` does: a reset chain is refused, not written to
    trusted = {
        "name": TRUSTED_NAME,
        "name_de": TRUSTED_NAME_DE,
        "chain_id": registry.chain_id,
        "address": registry.address,
        "rpc_url": "local",
        "production": False,
        "genesis_hash": identity.genesis_hash,
    }
    write_config(
        config_file,
        {
            "data_dir": ".notary",
            "chain": "local",
            "registry": registry.address,
            "chain_id": identity.chain_id,
            "genesis_hash": identity.genesis_hash,
            "evm_version": registry.deployed_build() or "cancun",
            "key_file": str(issuer_file.relative_to(workdir)),
            "admin_key_file": str(admin_file.relative_to(workdir)),
            "key_password_file": str(password_file.relative_to(workdir)),
            "trusted": [trusted],
        },
    )
    # "local" names this folder's chain; the user's trust list lives elsewhere, so it gets the chain's URL
    trust_file = user_config_file()
    add_trusted(trust_file, {**trusted, "rpc_url": chain.url})
    say(f"demo registry added to the trust list of `notary verify`: {trust_file}")
    return DemoSetup(
        chain.url, registry.address, registry.chain_id, admin.address, issuer.address, config_file, fresh, trust_file
    )


@dataclass(frozen=True)
class DemoDocuments:
    notarised: list[Path]
    tampered: Path
    qr_image: Path
    report: Path


def issue_samples(
    workdir: Path, setup: DemoSetup, verifier_url: str, say: Callable[[str], None] = print
) -> DemoDocuments:
    """Five fictional certificates, issued through the real pipeline, plus a tampered copy and a QR photo."""
    from notary.context import load_signer, open_registry
    from notary.core.layout import qr_url_for
    from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, from_paths
    from notary.pdf.samples import SAMPLE_PUPILS, SAMPLE_SCHOOL, hash_seed, make_certificate, sample_grades

    demo = workdir / "demo"
    if setup.fresh_registry and demo.exists():
        shutil.rmtree(demo)  # outputs of an earlier registry would clash with the new ones
    originals, notarised_dir, tampered_dir = demo / "originals", demo / "notarised", demo / "tampered"
    originals.mkdir(parents=True, exist_ok=True)
    rows = ["path,type,title,holder,issue_date,facts"]
    for pupil in SAMPLE_PUPILS:
        name = f"Abschlusszeugnis_{pupil.family_name}_{pupil.given_name}.pdf"
        path = originals / name
        if not path.exists():
            path.write_bytes(make_certificate(pupil, SAMPLE_SCHOOL))
        # the key facts an employer compares with the paper (format 1.1): what the certificate prints
        given = [g for g in sample_grades(hash_seed(pupil)).values() if g]
        average = f"{sum(given) / len(given):.1f}".replace(".", ",")
        facts = f'"Abschluss=Mittlerer Schulabschluss | Durchschnittsnote={average}"'
        rows.append(
            f"{name},zeugnis,Abschlusszeugnis der Realschule,{pupil.given_name} {pupil.family_name},2025-07-25,{facts}"
        )
    claims = demo / "claims.csv"
    claims.write_text("\n".join(rows) + "\n", encoding="utf-8")

    os.environ["NOTARY_CONFIG"] = str(setup.config_file)  # for the web verifier's workers that `notary demo` starts
    settings = load_settings(source=ConfigSource(setup.config_file, "demo"))
    journal = Journal(settings.data_path / "journal.sqlite")
    try:
        summary = Issuance(
            journal, open_registry(settings), load_signer(settings),
            IssueOptions(
                out_dir=notarised_dir, caption=f"Digital geprüft: {verifier_url}", qr_url=qr_url_for(verifier_url)
            ),
        ).issue(
            from_paths([originals], ClaimDefaults(), claims), spec=f"demo:{originals.resolve()}"
        )  # fmt: skip
    finally:
        journal.close()
    say(f"issued {summary.counts.get('written', 0)} sample certificates into {notarised_dir}")
    notarised = sorted(notarised_dir.glob("*.pdf"))
    tampered_dir.mkdir(exist_ok=True)
    tampered = tampered_dir / notarised[0].name.replace(".pdf", "_manipuliert.pdf")
    tampered.write_bytes(overlay_text(notarised[0].read_bytes(), "Mathematik: 1 (sehr gut)"))
    qr_image = demo / "qr-foto.png"
    render_page(notarised[0].read_bytes(), 150).save(qr_image)
    return DemoDocuments(notarised, tampered, qr_image, summary.report_csv)


def overlay_text(pdf: bytes, text: str) -> bytes:
    """A forger's edit: a later incremental update that lays new text over page 1 (the bytes before stay)."""
    from pypdf import PdfWriter
    from pypdf.annotations import FreeText

    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    box = writer.pages[0].mediabox
    note = FreeText(text=text, rect=(90, float(box.top) / 2, 400, float(box.top) / 2 + 24), font_size="14pt")
    writer.add_annotation(page_number=0, annotation=note)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_page(pdf: bytes, dpi: int) -> Any:
    """Page 1 as a PIL image, as a scanner or a phone photo would see the printout."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
