"""`notary chain`: the managed local anvil node."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.output import console, emit_json
from cli.settings_opts import ChainOpt, DataDirOpt, JsonOpt, settings_from
from notary import localchain
from notary.chain import connect, fund_dev_account
from notary.chain.registry import chain_call
from notary.context import chain_url
from notary.core.eip712 import parse_address


def _address(value: str) -> str:
    return str(parse_address(value, f"address {value!r}"))


app = typer.Typer(help="Run the local development chain (anvil on 127.0.0.1, state kept in the data dir).")


@app.command()
def up(
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (default 8545, or a free one).")] = None,
    hardfork: Annotated[
        str | None,
        typer.Option(help=f"EVM rules to run ({', '.join(localchain.HARDFORKS)}); default anvil's newest."),
    ] = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Start anvil with persisted state; refuses to start a second one for the same data dir."""
    settings = settings_from(data_dir=data_dir)
    chain = localchain.up(settings.data_path, port=port, hardfork=hardfork)
    if json_out:
        emit_json({"url": chain.url, "pid": chain.pid, "chain_id": localchain.CHAIN_ID})
    else:
        console.print(f"local chain up at {chain.url} (chain id {localchain.CHAIN_ID}, pid {chain.pid})")


@app.command()
def down(data_dir: DataDirOpt = None) -> None:
    """Stop anvil cleanly (its state is written to the data dir)."""
    settings = settings_from(data_dir=data_dir)
    chain = localchain.down(settings.data_path)
    console.print("local chain stopped" if chain else "the local chain was not running")


@app.command()
def status(data_dir: DataDirOpt = None, json_out: JsonOpt = False) -> None:
    """Is the local chain running, where, and at which block."""
    settings = settings_from(data_dir=data_dir)
    chain = localchain.running(settings.data_path)
    info: dict[str, object] = {"running": chain is not None}
    if chain is not None:
        w3 = connect(chain.url)
        info.update(
            url=chain.url,
            pid=chain.pid,
            chain_id=localchain.rpc_answers(chain.url),
            block=chain_call("reading the block number", lambda: int(w3.eth.block_number)),
        )
    if json_out:
        emit_json(info)
    elif chain is None:
        console.print("the local chain is not running (start it with `notary chain up`)")
    else:
        console.print(
            f"running at {info['url']} (pid {info['pid']}), chain id {info['chain_id']}, block {info['block']}"
        )
    if chain is None:
        raise typer.Exit(1)


@app.command()
def fund(
    address: Annotated[str, typer.Argument(help="Address to give 100 ETH of gas money.", callback=_address)],
    chain: ChainOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Give an address gas money on a development chain: the managed anvil, or any dev node (anvil, Hardhat,
    ganache, or one with an unlocked funded account, e.g. geth --dev). Other chains: fund it from your wallet."""
    settings = settings_from(chain=chain, data_dir=data_dir)
    how = fund_dev_account(connect(chain_url(settings)), address)
    console.print(f"funded {address} ({how})")
