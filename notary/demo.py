"""`make demo`: a local chain, a registry, a demo issuer — and the checkout left configured for the CLI.

Idempotent: a second run reuses the running chain, the keys and the registry if they are still there.
The demo keys' password sits in a file that notary.toml points to; production keys use a prompt or env var.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from notary import localchain
from notary.chain import Registry, connect, fund_dev_account
from notary.config import CONFIG_FILE, load_settings, write_config
from notary.keys import create_key, key_path, load_account

ADMIN_NAME = "Stadt Mannheim – Fachbereich Bildung (Demo)"
ISSUER_NAME = "Realschule am Park, Mannheim (Demo)"


@dataclass(frozen=True)
class DemoSetup:
    chain_url: str
    registry: str
    chain_id: int
    admin: str
    issuer: str
    config_file: Path


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
        os.environ.setdefault("NOTARY_CONFIG", str(config_file))
        existing = load_settings().registry
    registry = Registry(w3, existing) if existing else None
    if registry is None or not registry.has_code():
        registry, tx = Registry.deploy(w3, admin)
        say(f"registry deployed at {registry.address} (block {tx.block_number})")
    else:
        say(f"registry already deployed at {registry.address}")
    if not registry.issuer(issuer.address).registered:
        registry.add_issuer(admin, issuer.address, ISSUER_NAME)
        say(f"demo issuer {issuer.address} authorised as “{ISSUER_NAME}”")

    write_config(
        config_file,
        {
            "data_dir": ".notary",
            "chain": "local",
            "registry": registry.address,
            "key_file": str(issuer_file.relative_to(workdir)),
            "admin_key_file": str(admin_file.relative_to(workdir)),
            "key_password_file": str(password_file.relative_to(workdir)),
            "trusted": [
                {
                    "name": "Demo registry (local development chain)",
                    "chain_id": registry.chain_id,
                    "address": registry.address,
                    "rpc_url": "local",
                    "production": False,
                }
            ],
        },
    )
    return DemoSetup(chain.url, registry.address, registry.chain_id, admin.address, issuer.address, config_file)
