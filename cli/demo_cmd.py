"""`notary demo`: what `make demo` runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from cli import serve_cmd
from cli.output import console
from notary.demo import issue_samples, setup_demo


def demo(
    port: Annotated[int, typer.Option(help="Port for the verifier web page.")] = 8000,
    chain_port: Annotated[
        int | None, typer.Option(help="Port for the local chain (default 8545 or a free one).")
    ] = None,
    serve: Annotated[bool, typer.Option(help="Serve the verifier web page at the end, until interrupted.")] = True,
) -> None:
    """Set up a local chain, registry and samples in this folder, then serve the verifier web page.

    Starts anvil, deploys the registry, registers a demo issuer, issues sample certificates (plus a tampered copy
    and a QR photo) into demo/, writes notary.toml so the operator's commands need no flags, adds the demo
    registry to your own trust list ($XDG_CONFIG_HOME/notary/notary.toml, default ~/.config/notary/notary.toml)
    where `notary verify` looks, and serves the verifier with the samples to try. Idempotent: a second run reuses
    what is there.
    """
    setup = setup_demo(Path.cwd(), say=console.print, port=chain_port)
    url = f"http://127.0.0.1:{port}"
    docs = issue_samples(Path.cwd(), setup, url, say=console.print)
    console.print()
    console.print(
        Text.assemble(("Registry address:", "bold"), f" {setup.registry}  (chain {setup.chain_id}, {setup.chain_url})")
    )
    console.print(f"Demo issuer: {setup.issuer}   admin: {setup.admin}")
    console.print(f"This folder is configured ({setup.config_file.name}); try `.venv/bin/notary registry info`.")
    console.print(f"`notary verify` trusts what {setup.trust_file} lists (the demo registry is in it now).")
    first = docs.notarised[0].relative_to(Path.cwd())
    console.print(f"Sample certificates: {first.parent}/  (tampered copy: {docs.tampered.relative_to(Path.cwd())})")
    console.print(f"Try: .venv/bin/notary verify {first}")
    console.print(f"     .venv/bin/notary verify {docs.tampered.relative_to(Path.cwd())}")
    console.print(f"     .venv/bin/notary revoke --document {first} --reason superseded")
    console.print("Stop the chain with `.venv/bin/notary chain down`.")
    if serve:
        console.print()
        console.print(
            Text.assemble((f"Verifier web page: {url}/", "bold"), "  — try the samples offered there (Ctrl-C stops it)")
        )
        serve_cmd.serve(
            host="127.0.0.1", port=port, workers=1, max_upload_mb=None, rate_limit=None, forwarded_allow_ips=None,
            demo_file=[
                f"zeugnis-echt.pdf={docs.notarised[0]}",
                f"zeugnis-manipuliert.pdf={docs.tampered}",
                f"qr-foto.png={docs.qr_image}",
            ],
            access_log=False,
        )  # fmt: skip
