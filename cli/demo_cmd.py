"""`notary demo`: what `make demo` runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.output import console
from notary.demo import issue_samples, setup_demo


def demo(
    port: Annotated[int, typer.Option(help="Port for the verifier web page.")] = 8000,
    chain_port: Annotated[
        int | None, typer.Option(help="Port for the local chain (default 8545 or a free one).")
    ] = None,
) -> None:
    """Start a local chain, deploy the registry, register a demo issuer, and configure this folder."""
    setup = setup_demo(Path.cwd(), say=console.print, port=chain_port)
    url = f"http://127.0.0.1:{port}"
    docs = issue_samples(Path.cwd(), setup, url, say=console.print)
    console.print()
    console.print(f"[bold]Registry address:[/] {setup.registry}  (chain {setup.chain_id}, {setup.chain_url})")
    console.print(f"Demo issuer: {setup.issuer}   admin: {setup.admin}")
    console.print(f"This folder is configured ({setup.config_file.name}); try `.venv/bin/notary registry info`.")
    first = docs.notarised[0].relative_to(Path.cwd())
    console.print(f"Sample certificates: {first.parent}/  (tampered copy: {docs.tampered.relative_to(Path.cwd())})")
    console.print(f"Try: .venv/bin/notary verify {first}")
    console.print(f"     .venv/bin/notary verify {docs.tampered.relative_to(Path.cwd())}")
    console.print(f"     .venv/bin/notary revoke --document {first} --reason superseded")
    console.print("Stop the chain with `.venv/bin/notary chain down`.")
