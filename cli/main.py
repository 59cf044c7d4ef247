"""The `notary` command. Thin: parse, call notary/verifier, print. Errors are caught once, here."""

from __future__ import annotations

import difflib
import inspect
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer._click import exceptions as click_errors  # typer ships its own click; its usage errors live here

from cli import (
    chain_cmd,
    demo_cmd,
    issue_cmd,
    journal_cmd,
    keys_cmd,
    registry_cmd,
    relay_cmd,
    serve_cmd,
    status_cmd,
    verify_cmd,
)
from cli.output import fail
from notary.config import set_explicit_config
from notary.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, NotaryError

EPILOG = (
    "Configuration: the operator's commands (issue, revoke, status, registry, chain, keys, journal, serve, demo) "
    "read --config FILE or NOTARY_CONFIG, else ./notary.toml. `verify` reads its trust list from --config FILE or "
    "NOTARY_CONFIG, else from $XDG_CONFIG_HOME/notary/notary.toml (default ~/.config/notary/notary.toml) — never "
    "from a notary.toml in the current folder unless named (--config ./notary.toml). A file named that does not "
    "exist is an error.\n\n"
    "Exit codes: 0 done (verify: VALID); 1 failed (verify: INVALID); 2 usage error; 3 and 4 issue: some inputs "
    "skipped / refused before starting (see `notary issue --help`), verify: 3 revoked, suspended or expired, "
    "4 could not be checked (see `notary verify --help`); 70 internal error; 78 configuration missing, unreadable "
    "or bad; 130 interrupted."
)

app = typer.Typer(
    name="notary",
    help="Notarise PDFs on an EVM chain and verify them against the chain alone.",
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(chain_cmd.app, name="chain")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(registry_cmd.app, name="registry")
app.add_typer(journal_cmd.app, name="journal")
app.command("issue")(issue_cmd.issue)
app.command("relay")(relay_cmd.relay)
app.command("verify", cls=verify_cmd.JsonUsageCommand)(verify_cmd.verify)
app.command("revoke")(status_cmd.revoke)
app.command("suspend")(status_cmd.suspend)
app.command("unsuspend")(status_cmd.unsuspend)
app.command("status")(status_cmd.status)
app.command("serve")(serve_cmd.serve)
app.command("demo")(demo_cmd.demo)


def _reflow(text: str) -> str:
    """Typer's rich help keeps single line breaks after the first paragraph, so source-wrapped help would print
    ragged; each paragraph becomes one line for the terminal to wrap. ``\\b`` blocks (tables) stay as written."""
    paragraphs = text.split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split("\n")) for p in paragraphs)


def _reflow_help(group: typer.Typer) -> None:
    for command in group.registered_commands:
        doc = command.help or inspect.getdoc(command.callback) or ""
        if "\n\n" in doc:
            command.help = _reflow(doc)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _reflow_help(sub.typer_instance)


_reflow_help(app)


@app.callback()
def _global(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Configuration file for every command (must exist). [env NOTARY_CONFIG] See the rule below.",
        ),
    ] = None,
) -> None:
    set_explicit_config(config)


def usage_line(exc: click_errors.UsageError) -> str:
    """One line for a command line that cannot be run, with the nearest known names ("did you mean …")."""
    ctx = exc.ctx
    path = ctx.command_path if ctx is not None else "notary"
    where, see = f"`{path}`", f"(see `{path} --help`)"
    if isinstance(exc, click_errors.NoSuchOption):
        known = sorted({opt for p in ctx.command.params for opt in p.opts if opt.startswith("-")}) if ctx else []
        near = difflib.get_close_matches(exc.option_name, known, n=1, cutoff=0.5)
        hint = f"did you mean {' or '.join(near)}?" if near else f"{where} knows {', '.join(known) or 'no options'}"
        return f"no such option {exc.option_name} for {where} — {hint} {see}"
    message = exc.format_message()
    commands = _subcommands(ctx.command if ctx is not None else None)
    if message.startswith("No such command") and commands:
        typo = message.split("'")[1] if message.count("'") >= 2 else ""
        near = difflib.get_close_matches(typo, commands, n=1, cutoff=0.5)
        hint = f"did you mean {' or '.join(near)}?" if near else f"commands: {', '.join(commands)}"
        return f"no such command {typo!r} in {where} — {hint} {see}"
    if message == "Missing command." and commands:
        return f"{where} needs a command: {', '.join(commands)} {see}"
    return f"{message} {see}"


def _subcommands(command: object) -> list[str]:
    commands = getattr(command, "commands", None)
    return sorted(commands) if isinstance(commands, dict) else []


def main() -> None:
    """Entry point: a NotaryError is one red line and its exit code; anything else is a short internal-error line."""
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
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        fail("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except click_errors.NoArgsIsHelpError:
        sys.exit(EXIT_USAGE)  # the help text has been printed; it says it all
    except click_errors.UsageError as exc:
        fail(usage_line(exc))
        sys.exit(EXIT_USAGE)
    except click_errors.ClickException as exc:  # e.g. a file option that cannot be opened
        fail(exc.format_message())
        sys.exit(exc.exit_code)
    except Exception as exc:  # the last line of defence
        if os.environ.get("NOTARY_DEBUG"):
            raise
        fail(f"internal error ({type(exc).__name__}: {exc}); rerun with NOTARY_DEBUG=1 for details")
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
