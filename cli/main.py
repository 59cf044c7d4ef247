"""The `notary` command. Thin: parse, call notary/verifier, print. Errors are caught once, here."""

from __future__ import annotations

import os
import sys

import typer

from cli import (
    chain_cmd,
    demo_cmd,
    issue_cmd,
    journal_cmd,
    keys_cmd,
    registry_cmd,
    serve_cmd,
    status_cmd,
    verify_cmd,
)
from cli.output import fail
from notary.errors import NotaryError

app = typer.Typer(
    name="notary",
    help="Notarise PDFs on an EVM chain and verify them against the chain alone.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(chain_cmd.app, name="chain")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(registry_cmd.app, name="registry")
app.add_typer(journal_cmd.app, name="journal")
app.command("issue")(issue_cmd.issue)
app.command("verify")(verify_cmd.verify)
app.command("revoke")(status_cmd.revoke)
app.command("suspend")(status_cmd.suspend)
app.command("unsuspend")(status_cmd.unsuspend)
app.command("status")(status_cmd.status)
app.command("serve")(serve_cmd.serve)
app.command("demo")(demo_cmd.demo)


def main() -> None:
    """Entry point: a NotaryError is one red line and exit 1; anything else is a short internal-error line."""
    try:
        code = app(standalone_mode=False)  # without standalone mode, click returns typer.Exit's code
        sys.exit(code if isinstance(code, int) else 0)
    except NotaryError as exc:
        fail(str(exc))
        sys.exit(getattr(exc, "exit_code", 1))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        fail("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        fail("interrupted")
        sys.exit(130)
    except Exception as exc:  # click's usage errors are handled below; this is the last line of defence
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("NOTARY_DEBUG"):
            raise
        fail(f"internal error ({type(exc).__name__}: {exc}); rerun with NOTARY_DEBUG=1 for details")
        sys.exit(70)


if __name__ == "__main__":
    main()
