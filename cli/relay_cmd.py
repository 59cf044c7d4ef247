"""`notary relay OUTBOX`: the city anchors schools' signed batches with its own key and pays the gas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from cli.output import console, emit_json
from cli.settings_opts import ChainOpt, JsonOpt, KeyFileOpt, RegistryOpt, settings_from
from notary.context import open_registry
from notary.errors import ConfigError
from notary.signing.opening import open_signer
from notary.signing.relay import Outcome, Relayer, RelayJournal, batch_files

HELP = """Anchor the signed batches in OUTBOX (files from `notary issue --sign-only OUTBOX`) with this office's
key, which pays the gas; the issuer recorded on chain is the school that signed each batch.

Before anything is spent each file is checked: its signature, that it is signed for this registry and chain,
and that its signer is an active issuer. Journaled and resumable: run the same command again after any crash
or failure; batches already on chain are skipped. Then the school runs its `notary issue ... --sign-only`
command again to stamp its documents. See docs/relay.md.

\b
Exit codes:
  0   every batch in OUTBOX is anchored (by this run or before)
  1   some batches were refused or failed (the table says why)
  78  configuration missing or unreadable
"""


def relay(
    outbox: Annotated[Path, typer.Argument(help="Folder of signed batch files (*.json).")],
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    if not outbox.is_dir():
        raise ConfigError(f"no such folder: {outbox}")
    files = batch_files(outbox)
    settings = settings_from(chain=chain, registry=registry, key_file=key_file)
    if not files:
        _finish([], json_out, f"no signed batches in {outbox}/")
        return
    relayer = open_signer(settings)  # a signer that cannot sign stops us before the chain is asked anything
    reg = open_registry(settings)
    journal = RelayJournal(settings.data_path / "relay.sqlite")
    try:
        show = None if json_out else _line
        outcomes = Relayer(reg, relayer, journal).relay_folder(outbox, show)
    finally:
        journal.close()
    _finish(outcomes, json_out, f"relayed by {relayer.describe()}")


relay.__doc__ = HELP


def _line(outcome: Outcome) -> None:
    where = f" (block {outcome.block})" if outcome.block is not None else ""
    style = "" if outcome.ok else "yellow"
    reason = f" — {outcome.reason}" if outcome.reason else ""
    console.print(Text(f"{outcome.status:<17} {outcome.file}{where}{reason}", style=style), soft_wrap=True)


def _finish(outcomes: list[Outcome], json_out: bool, note: str) -> None:
    counts = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("anchored", "already-anchored", "refused", "failed")
    }
    if json_out:
        emit_json({
            **{k.replace("-", "_"): v for k, v in counts.items()},
            "batches": [o.__dict__ for o in outcomes],
        })  # fmt: skip
    else:
        console.print(
            f"{counts['anchored']} anchored, {counts['already-anchored']} already on chain, "
            f"{counts['refused']} refused, {counts['failed']} failed — {note}"
        )
    if counts["refused"] or counts["failed"]:
        raise typer.Exit(1)
