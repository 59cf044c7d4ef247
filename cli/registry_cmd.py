"""`notary registry`: deploy the NotaryRegistry, manage its issuers and hand the admin role over (the city
office's admin key)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from eth_account.signers.local import LocalAccount

from cli.output import console, emit_json
from cli.settings_opts import ChainOpt, JsonOpt, KeyFileOpt, RegistryOpt, settings_from
from notary.chain import MEMORY, Registry, connect, fund_dev_account
from notary.chain.evm import check_views
from notary.chain.identity import check_identity, read_identity
from notary.chain.registry import DEFAULT_ADMIN_DELAY
from notary.config import CONFIG_FILE, Settings, load_settings, update_config
from notary.context import chain_url, open_registry, registry_options
from notary.core.eip712 import parse_address
from notary.errors import ConfigError
from notary.signing.base import as_sender
from notary.signing.opening import open_admin_signer

app = typer.Typer(help="Deploy the registry and manage issuers (needs the admin key).")
admin_transfer = typer.Typer(
    help="Hand the admin role to another key in two steps: the admin begins, the new key accepts after the delay."
)
app.add_typer(admin_transfer, name="admin-transfer")


def _address(value: str | None) -> str | None:
    """Addresses are checked where they are typed: a typo must not reach the chain."""
    return None if value is None else str(parse_address(value, f"address {value!r}"))


AddressArg = Annotated[str, typer.Argument(help="The issuer's address (0x...).", callback=_address)]


def _admin_settings(chain: str | None, registry: str | None, key_file: Path | None) -> Settings:
    """Settings for an admin command: an explicit --key-file is the admin key, whatever notary.toml says."""
    return load_settings(chain=chain, registry=registry, key_file=key_file, admin_key_file=key_file)


def _admin(settings: Settings) -> LocalAccount:
    """The admin key as the chain adapter's sender: admin_key_file, [admin_signer] or the issuer's [signer]."""
    return as_sender(open_admin_signer(settings))


def _dev_fund(settings: Settings, registry_or_url: Registry | str, address: str) -> None:
    """On the managed local chain, keys get gas money automatically; elsewhere the operator funds them."""
    if settings.chain != "local":
        return
    w3 = registry_or_url.w3 if isinstance(registry_or_url, Registry) else connect(registry_or_url)
    if w3.eth.get_balance(w3.to_checksum_address(address)) == 0:
        fund_dev_account(w3, address)


@app.command()
def deploy(
    chain: ChainOpt = None,
    key_file: KeyFileOpt = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save/--no-save", help=f"Write the address, chain id, genesis hash and EVM version into ./{CONFIG_FILE}."
        ),
    ] = True,
    repin: Annotated[
        bool,
        typer.Option("--repin", help="Deploy on another chain than the one pinned in the config, and pin that one."),
    ] = False,
    admin_delay: Annotated[
        int,
        typer.Option(
            "--admin-delay",
            min=0,
            max=2**48 - 1,
            help="Seconds a new admin must wait between being named and accepting (and before a renounce).",
        ),
    ] = DEFAULT_ADMIN_DELAY,
    json_out: JsonOpt = False,
) -> None:
    """Deploy a new NotaryRegistry whose admin is the configured key, built for the chain's EVM version."""
    settings = _admin_settings(chain, None, key_file)
    admin = _admin(settings)
    url = chain_url(settings)
    w3 = connect(url)
    if url != MEMORY and not repin:
        check_identity(w3, settings.chain_id, settings.genesis_hash, where=f"the node at {url}")
    _dev_fund(settings, url, admin.address)
    registry, tx = Registry.deploy(
        w3, admin, evm_version=settings.evm_version, admin_delay=admin_delay, **registry_options(settings)
    )
    evm = registry.deployed_build() or settings.evm_version or "cancun"
    check_views(registry, evm)  # an incompatible chain fails here, never later at verification
    identity = read_identity(w3)
    if save:
        config = Path(CONFIG_FILE)
        update_config(config, "registry", registry.address)
        if url != MEMORY:  # an in-process chain is new in every process: nothing to pin
            update_config(config, "chain_id", identity.chain_id)
            update_config(config, "genesis_hash", identity.genesis_hash)
            update_config(config, "evm_version", evm)
    if json_out:
        emit_json(
            {
                "registry": registry.address,
                "chain_id": identity.chain_id,
                "genesis_hash": identity.genesis_hash,
                "evm_version": evm,
                "tx": tx.tx_hash,
                "block": tx.block_number,
                "gas_used": tx.gas_used,
                "admin": admin.address,
                "admin_delay": admin_delay,
            }
        )
        return
    console.print(
        f"registry deployed at {registry.address} on chain {identity.chain_id} (block {tx.block_number}, "
        f"EVM {evm} build; issuerAt, documentStatus, eip712Domain and recoverBatchSigner answer)"
    )
    console.print(f"admin: {admin.address} (a hand-over takes two steps, {admin_delay} s apart)")
    if save:
        console.print(f"saved `registry`, `chain_id`, `genesis_hash` and `evm_version` in {CONFIG_FILE}")


@app.command("add-issuer")
def add_issuer(
    address: AddressArg,
    name: Annotated[str, typer.Option("--name", help="Display name, e.g. 'Realschule am Park, Mannheim'.")],
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
) -> None:
    """Authorise an issuer key from the block of this transaction on."""
    settings = _admin_settings(chain, registry, key_file)
    reg = open_registry(settings)
    admin = _admin(settings)
    tx = reg.add_issuer(admin, address, name)
    _dev_fund(settings, reg, address)
    console.print(f"issuer {address} ({name}) authorised from block {tx.block_number}")


@app.command("rename-issuer")
def rename_issuer(
    address: AddressArg,
    name: Annotated[str, typer.Option("--name", help="The new display name.")],
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
) -> None:
    """Change an issuer's display name."""
    settings = _admin_settings(chain, registry, key_file)
    open_registry(settings).rename_issuer(_admin(settings), address, name)
    console.print(f"issuer {address} renamed to {name}")


@app.command("retire-issuer")
def retire_issuer(
    address: AddressArg,
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
) -> None:
    """Stop a key from anchoring; what it anchored before stays valid."""
    settings = _admin_settings(chain, registry, key_file)
    tx = open_registry(settings).retire_issuer(_admin(settings), address)
    console.print(f"issuer {address} retired at block {tx.block_number}; its earlier documents stay valid")


@app.command("mark-compromised")
def mark_compromised(
    address: AddressArg,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="When the key became untrustworthy: ISO time (2026-11-20T08:00+01:00) or unix "
            "seconds; default now. Its anchors from then on are invalid.",
        ),
    ] = None,
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
) -> None:
    """Declare a key compromised from a point in time."""
    settings = _admin_settings(chain, registry, key_file)
    when = _parse_time(since) if since else 0
    tx = open_registry(settings).mark_compromised(_admin(settings), address, when)
    console.print(f"issuer {address} marked compromised (block {tx.block_number}); anchors from then on are invalid")


def _parse_time(text: str) -> int:
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--since: {text!r} is neither an ISO time nor unix seconds") from None
    if moment.tzinfo is None:
        raise ConfigError("--since needs a time zone, e.g. 2026-11-20T08:00+01:00")
    return int(moment.timestamp())


@app.command("grant-revoker")
def grant_revoker(
    address: Annotated[
        str, typer.Argument(help="Address that may revoke and suspend any document.", callback=_address)
    ],
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
) -> None:
    """Give an address the revoker role (revoke/suspend without issuing rights)."""
    settings = _admin_settings(chain, registry, key_file)
    reg = open_registry(settings)
    reg.grant_revoker(_admin(settings), address)
    _dev_fund(settings, reg, address)
    console.print(f"{address} may now revoke and suspend")


@app.command()
def info(
    address: Annotated[str | None, typer.Argument(help="Show this issuer's record too.", callback=_address)] = None,
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show the registry (and an issuer's record)."""
    settings = settings_from(chain=chain, registry=registry)
    reg = open_registry(settings)
    identity = read_identity(reg.w3)
    data: dict[str, object] = {
        "registry": reg.address,
        "chain_id": identity.chain_id,
        "genesis_hash": identity.genesis_hash,
        "evm_version": reg.deployed_build(),
        "block": reg.block_number(),
    }
    if address:
        rec = reg.issuer(address)
        data["issuer"] = {
            "address": rec.address,
            "name": rec.name,
            "registered": rec.registered,
            "active": rec.registered and not rec.retired_at_block and not rec.compromised_from,
            "authorised_from_block": rec.authorised_from_block,
            "retired_at_block": rec.retired_at_block or None,
            "compromised_from": rec.compromised_from or None,
        }
    if json_out:
        emit_json(data)
        return
    console.print(
        f"registry {reg.address} on chain {identity.chain_id} (genesis {identity.genesis_hash[:12]}…), "
        f"EVM {data['evm_version'] or 'unknown'} build, block {data['block']}"
    )
    if address:
        issuer = data["issuer"]
        assert isinstance(issuer, dict)
        if not issuer["registered"]:
            console.print(f"{address} is not a registered issuer")
        else:
            console.print(
                f"issuer {issuer['address']} — {issuer['name']}: {'active' if issuer['active'] else 'not active'}, "
                f"authorised from block {issuer['authorised_from_block']}"
                + (f", retired at block {issuer['retired_at_block']}" if issuer["retired_at_block"] else "")
                + (f", compromised from {issuer['compromised_from']}" if issuer["compromised_from"] else "")
            )


def _when(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).isoformat(timespec="seconds")


@admin_transfer.command("begin")
def admin_transfer_begin(
    address: Annotated[str, typer.Argument(help="The next admin's address.", callback=_address)],
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
) -> None:
    """Name the next admin (current admin's key); it may accept once the delay has passed."""
    settings = _admin_settings(chain, registry, key_file)
    reg = open_registry(settings)
    reg.begin_admin_transfer(_admin(settings), address)
    state = reg.admin_state()
    console.print(
        f"{address} may accept the admin role from {_when(state.accept_after)} on "
        "(`notary registry admin-transfer accept` with its key); until then `cancel` stops it"
    )


@admin_transfer.command("accept")
def admin_transfer_accept(
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
) -> None:
    """Take the admin role (the named next admin's key, after the delay); the old admin loses it."""
    settings = _admin_settings(chain, registry, key_file)
    reg = open_registry(settings)
    new_admin = _admin(settings)
    _dev_fund(settings, reg, new_admin.address)
    tx = reg.accept_admin_transfer(new_admin)
    console.print(f"{new_admin.address} is the registry's admin from block {tx.block_number} on")


@admin_transfer.command("cancel")
def admin_transfer_cancel(
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
) -> None:
    """Cancel a pending hand-over (current admin's key)."""
    settings = _admin_settings(chain, registry, key_file)
    open_registry(settings).cancel_admin_transfer(_admin(settings))
    console.print("the pending admin hand-over is cancelled")


@admin_transfer.command("show")
def admin_transfer_show(chain: ChainOpt = None, registry: RegistryOpt = None, json_out: JsonOpt = False) -> None:
    """Show the admin, a pending hand-over and the delay."""
    settings = settings_from(chain=chain, registry=registry)
    state = open_registry(settings).admin_state()
    if json_out:
        emit_json(
            {
                "admin": state.admin,
                "pending": state.pending,
                "accept_after": state.accept_after or None,
                "delay": state.delay,
            }
        )
        return
    console.print(f"admin: {state.admin}; a hand-over takes {state.delay} s")
    if state.pending is None:
        console.print("no hand-over pending")
    else:
        console.print(f"pending: {state.pending} may accept from {_when(state.accept_after)} on")
