"""`notary verify`: a notarised PDF, an original PDF with --proof, a QR image, or --payload TEXT."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cli.output import console, emit_json
from cli.settings_opts import ConfigOpt, trust_for_verify
from notary.errors import ConfigError, NotaryError
from verifier.checks import result, skipped
from verifier.isolation import Kind, Limits, TimedOut, WorkerDied, WorkerPool
from verifier.messages import CHECK_TITLES, FACTS_HEADING
from verifier.pipeline import ORDER, Verifier
from verifier.result import Reason, Status, Verdict, VerificationResult

DEFAULT_TIMEOUT = 5.0  # seconds; a genuine certificate takes well under one
DEFAULT_MAX_MB = 20.0  # as the web verifier
VERDICT_WORDS = {
    Verdict.VALID: ("GÜLTIG", "VALID", "green"),
    Verdict.INVALID: ("UNGÜLTIG", "INVALID", "red"),
    Verdict.REVOKED: ("WIDERRUFEN", "REVOKED", "red"),
    Verdict.SUSPENDED: ("GESPERRT", "SUSPENDED", "yellow"),
    Verdict.EXPIRED: ("ABGELAUFEN", "EXPIRED", "yellow"),
    Verdict.ERROR: ("NICHT PRÜFBAR", "NOT VERIFIABLE", "magenta"),
}
STATUS_STYLE = {Status.VALID: "green", Status.INVALID: "red", Status.ERROR: "magenta", Status.SKIPPED: "dim"}


def verify(
    path: Annotated[
        Path | None, typer.Argument(help="A notarised PDF, an original PDF (with --proof) or a QR image.")
    ] = None,
    proof: Annotated[
        Path | None, typer.Option(help="Proof file (.proof.json) for an original, un-stamped PDF.")
    ] = None,
    payload: Annotated[str | None, typer.Option(help="The text of a QR code (instead of PATH).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the messages: de or en.")] = "de",
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            max=600,
            envvar="NOTARY_VERIFY_TIMEOUT",
            help="Seconds the file may take to be read and checked (it is parsed in a separate, killable process).",
        ),
    ] = DEFAULT_TIMEOUT,
    max_size: Annotated[
        float,
        typer.Option(
            "--max-size", min=0.001, max=1024, envvar="NOTARY_VERIFY_MAX_SIZE", help="Largest file to check, in MB."
        ),
    ] = DEFAULT_MAX_MB,
    config: ConfigOpt = None,
) -> None:
    """Check a document against the trusted registries. Exit code 0 valid, 1 not valid, 2 undecidable."""
    if lang not in ("de", "en"):
        raise ConfigError("--lang must be de or en")
    if (path is None) == (payload is None):
        raise ConfigError("give exactly one of PATH or --payload TEXT")
    trust, trust_used = trust_for_verify(config)  # the user's own trust list, never ./notary.toml unless named
    verifier = Verifier(trust)
    try:
        result = _verify_isolated(verifier, path, proof, payload, timeout, int(max_size * 1024 * 1024))
    except LimitExceeded as exc:
        if not json_out:
            raise
        # a program reading --json gets JSON whatever happened: the undecidable verdict and the reason
        emit_json({**_undecidable(exc.source, str(exc)).to_json(lang), "error": str(exc)})
        raise typer.Exit(Verdict.ERROR.exit_code) from None
    if json_out:
        emit_json({**result.to_json(lang), "trust_list": trust_used.to_json()})
    else:
        render(result, lang)
        console.print(trust_used.line(lang), style="dim")
    raise typer.Exit(result.verdict.exit_code)


class LimitExceeded(NotaryError):
    """The input is too large or took too long: undecidable, so the verify command's exit code 2."""

    exit_code = Verdict.ERROR.exit_code

    def __init__(self, message: str, source: str) -> None:
        super().__init__(message)
        self.source = source


def _verify_isolated(
    verifier: Verifier, path: Path | None, proof: Path | None, payload: str | None, timeout: float, max_bytes: int
) -> VerificationResult:
    """Parse the input in a killable worker process with memory and CPU limits (verifier/isolation.py), then do
    the chain checks here: a crafted file can cost at most ``timeout`` seconds, never hang the command."""
    kind: Kind
    extra = None
    if payload is not None:
        kind, data, source = "payload", payload.encode("utf-8"), "qr"
    else:
        assert path is not None
        data = _read(path, max_bytes)
        if proof is not None:
            kind, extra, source = "pdf+proof", _read(proof, max_bytes), "pdf+proof"
        elif data[:1024].find(b"%PDF-") >= 0:
            kind, source = "pdf", "pdf"
        elif data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or _is_webp(data):
            kind, source = "image", "qr"
        else:
            raise ConfigError(f"{path} is neither a PDF nor a PNG, JPEG or WebP image")
    what = str(path) if path is not None else "the QR text"
    pool = WorkerPool(verifier.trust, 1, limits=Limits(timeout=timeout, cpu_seconds=timeout + 1), queue_wait=60)
    try:
        prepared = pool.run(kind, data, extra)
    except TimedOut:
        message = f"checking {what} took longer than {timeout:g} s and was stopped (--timeout)"
        raise LimitExceeded(message, source) from None
    except WorkerDied:
        message = f"checking {what} needed too much memory or computing time and was stopped"
        raise LimitExceeded(message, source) from None
    finally:
        pool.close()
    return verifier.finish(prepared)


def _is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _undecidable(source: str, message: str) -> VerificationResult:
    first = result("format", Status.ERROR, Reason.INTERNAL_ERROR, f"({message})", f"({message})")
    rest = tuple(skipped(name, Reason.NOT_REACHED) for name in ORDER[1:])
    return VerificationResult(verdict=Verdict.ERROR, checks=(first, *rest), source=source)


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LimitExceeded(
                f"{path} is larger than the limit of {max_bytes / 2**20:g} MB (--max-size)",
                "pdf" if path.suffix.lower() == ".pdf" else "qr",
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


def render(result: VerificationResult, lang: str) -> None:
    """The verdict, what it confirms, and every check. The console prints text as it is (no markup), so names
    and claims from the document come out whole; styles are given explicitly."""
    de, en, colour = VERDICT_WORDS[result.verdict]
    console.print(de if lang == "de" else en, style=f"bold {colour}")
    issuer, anchor, claims = result.issuer or {}, result.anchor or {}, result.claims or {}
    # After INVALID or ERROR nothing in the proof is confirmed: printing its issuer name or claims (as the web
    # page does not either) would lend a forgery the credit of this tool.
    confirmed = result.verdict not in (Verdict.INVALID, Verdict.ERROR)
    if confirmed and issuer.get("name"):
        console.print(f"{'Aussteller' if lang == 'de' else 'Issuer'}: {issuer['name']} ({issuer.get('address')})")
    if confirmed and anchor.get("block") is not None:
        when = dt.datetime.fromtimestamp(int(anchor["timestamp"]), dt.UTC).isoformat(timespec="seconds")
        label = "Verankert" if lang == "de" else "Anchored"
        console.print(f"{label}: block {anchor['block']}, {when}, chain {anchor['chain_id']}, tx {anchor.get('tx')}")
    if result.registry_name:
        note = (
            "" if result.production else (" — KEINE Produktiv-Kette" if lang == "de" else " — NOT a production chain")
        )
        console.print(f"{'Register' if lang == 'de' else 'Registry'}: {result.registry_name}{note}")
    if claims and not confirmed:
        console.print(
            "Die Angaben im Nachweis (Aussteller, Inhaber, Titel …) sind NICHT bestätigt und werden nicht angezeigt."
            if lang == "de"
            else "The details in the proof (issuer, holder, title …) are NOT confirmed and are not shown.",
            style=STATUS_STYLE[Status.INVALID if result.verdict is Verdict.INVALID else Status.ERROR],
        )
    elif claims:
        for key in ("doc_type", "title", "holder", "issued_on", "valid_until", "issuer_ref"):
            if claims.get(key):
                console.print(f"  {key}: {claims[key]}")
        if claims.get("facts"):
            console.print(FACTS_HEADING[0 if lang == "de" else 1])
            for label, value in claims["facts"]:
                console.print(Text(f"  {label}: {value}"))
        if result.source == "qr":
            console.print(
                "Das Papier muss genau diese Angaben tragen." if lang == "de"
                else "The paper must show exactly these details."
            )  # fmt: skip
    table = Table(show_header=False, box=None, pad_edge=False)
    for check in result.checks:
        title = CHECK_TITLES[check.name][0 if lang == "de" else 1]
        table.add_row(
            Text(check.status.value, style=STATUS_STYLE[check.status]), Text(title), Text(check.message(lang))
        )
    console.print(table)
