"""`notary verify`: a notarised PDF, an original PDF with --proof, a scan or photo of the QR code, or --payload TEXT.

With --json it prints exactly one JSON object on stdout whatever happens: the verification result (also for an
input that could not be read, is too large or took too long), or for a command line that names nothing to check
an error object ``{"error": code, "message": ...}``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text
from typer._click import Context
from typer._click import exceptions as click_errors  # typer ships its own click (see cli/main.py)
from typer.core import TyperCommand

from cli.chain_warnings import show_chain_warnings
from cli.output import console, emit_json, fail
from cli.settings_opts import ConfigOpt, trust_for_verify
from cli.verdict_text import verdict_lines
from notary.errors import EXIT_CONFIG, EXIT_INTERNAL, EXIT_USAGE, ConfigError, NotaryError, UsageError
from verifier.isolation import Kind, Limits, TimedOut, WorkerDied, WorkerPool
from verifier.pipeline import Verifier, format_failure
from verifier.result import Reason, VerificationResult

DEFAULT_TIMEOUT = 5.0  # seconds; a genuine certificate takes well under one
DEFAULT_MAX_MB = 20.0  # as the web verifier


class JsonUsageCommand(TyperCommand):
    """`verify` as a click command that keeps the --json promise for click's own usage errors too (an unknown
    option, a value out of range): they are raised while parsing, before :func:`verify` runs."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        options = list(args[: args.index("--")] if "--" in args else args)  # parsing consumes ``args``
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click_errors.UsageError as exc:
            if "--json" in options:
                text = exc.format_message()
                emit_json(
                    {
                        "error": "usage",
                        "message": text,
                        "message_de": f"Ungültiger Aufruf: {text}",
                        "message_en": f"Usage error: {text}",
                    }
                )
            raise


class LimitExceeded(NotaryError):
    """The input is too large or took too long: could not be checked."""

    def __init__(self, message: str, reason: Reason) -> None:
        super().__init__(message)
        self.reason = reason


def verify(
    path: Annotated[
        Path | None, typer.Argument(help="A notarised or scanned PDF, an original PDF (with --proof) or a QR image.")
    ] = None,
    proof: Annotated[
        Path | None, typer.Option(help="Proof file (.proof.json) for an original, un-stamped PDF.")
    ] = None,
    payload: Annotated[str | None, typer.Option(help="The text of a QR code (instead of PATH).")] = None,
    lang: Annotated[str, typer.Option(envvar="NOTARY_LANG", help="Language of the messages: de or en.")] = "de",
    json_out: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object, whatever happens.")] = False,
    details: Annotated[
        bool, typer.Option("--details", help="Also show the technical details: every check, addresses, block.")
    ] = False,
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
    """Check a document against the trusted registries.

    PATH: a notarised PDF, an original PDF (with --proof), a scanned PDF,
    or a photo or scan (PNG, JPEG, WebP) of the QR code.
    Messages in German unless --lang en (or NOTARY_LANG=en).

    \b
    Exit codes:
      0  VALID: genuine (for a QR code: its details were issued as
         shown; compare them with the paper)
      1  INVALID: evidence that the document is not genuine
         (changed, forged, not anchored, untrusted registry)
      3  REVOKED, SUSPENDED or EXPIRED: genuine, but not in force
      4  NOT_CHECKABLE: could not be checked (no proof or QR code
         found, unreadable, too large, too slow, blockchain
         unreachable): says nothing either way
      2  usage error (a file that does not exist, a bad option)
      78 configuration error (no trust list, or a bad one)
    """
    lang = lang.strip().lower()
    try:
        if lang not in ("de", "en"):
            lang = "de"
            raise UsageError("--lang must be de or en")
        if (path is None) == (payload is None):
            raise Usage(
                "Bitte genau eines angeben: DATEI oder --payload TEXT", "give exactly one of PATH or --payload TEXT"
            )
        show_chain_warnings(lang)
        trust, trust_used = trust_for_verify(config)  # the user's own trust list, never ./notary.toml unless named
        verifier = Verifier(trust)
        limit_note = None
        try:
            result = _verify_isolated(verifier, path, proof, payload, timeout, int(max_size * 1024 * 1024))
        except LimitExceeded as exc:
            limit_note = str(exc)
            result = format_failure(_source_for(path, proof, payload), exc.reason)
        if path is not None:
            result = replace(result, input_name=path.name)
    except NotaryError as exc:
        code = _exit_code(exc)
        de, en = (exc.de, exc.en) if isinstance(exc, Usage) else (str(exc), str(exc))
        if json_out:
            emit_json({"error": _error_code(exc, code), "message": en, "message_de": de, "message_en": en})
        fail(de if lang == "de" else en)
        raise typer.Exit(code) from None
    except Exception as exc:  # a bug: the main entry point reports it, but a program reading --json gets JSON
        if not json_out:
            raise
        emit_json({"error": "internal-error", "message": f"internal error ({type(exc).__name__})"})
        fail(f"internal error ({type(exc).__name__}: {exc})")
        raise typer.Exit(EXIT_INTERNAL) from None
    if json_out:
        extra = {"error": limit_note} if limit_note else {}
        emit_json({**result.to_json(lang), **extra, "trust_list": trust_used.to_json()})
    else:
        shown = _registry_shown(verifier, result.registry_name, lang)
        for text, style in verdict_lines(replace(result, registry_name=shown), lang, details=details):
            console.print(Text(text, style=style))
        console.print(trust_used.line(lang), style="dim")
    if limit_note and not json_out:
        fail(limit_note)  # the technical reason, with the option that moves the limit
    raise typer.Exit(result.verdict.exit_code)


def _registry_shown(verifier: Verifier, name: str | None, lang: str) -> str | None:
    """The registry's name in the reader's language ([[trusted]] name_de / name_en), for the text only: the
    JSON keeps the configured name, which is what identifies the registry."""
    for entry in verifier.trust.entries():
        if entry.name == name:
            return entry.display_name(lang)
    return name


def _exit_code(exc: NotaryError) -> int:
    if isinstance(exc, UsageError):
        return EXIT_USAGE
    if isinstance(exc, ConfigError):
        return EXIT_CONFIG
    return getattr(exc, "exit_code", EXIT_INTERNAL)


def _error_code(exc: NotaryError, code: int) -> str:
    if isinstance(exc, NoSuchFile):
        return "no-such-file"
    return {EXIT_USAGE: "usage", EXIT_CONFIG: "configuration"}.get(code, "internal-error")


class Usage(UsageError):
    """A usage error worded in both languages (``str()`` is the English, as for every NotaryError)."""

    def __init__(self, de: str, en: str) -> None:
        super().__init__(en)
        self.de, self.en = de, en


class NoSuchFile(Usage):
    """The command line names a file that is not there (or not a file)."""


def _source_for(path: Path | None, proof: Path | None, payload: str | None) -> str:
    if payload is not None:
        return "qr"
    if proof is not None:
        return "pdf+proof"
    return "pdf" if path is not None and path.suffix.lower() == ".pdf" else "photo"


def _verify_isolated(
    verifier: Verifier, path: Path | None, proof: Path | None, payload: str | None, timeout: float, max_bytes: int
) -> VerificationResult:
    """Parse the input in a killable worker process with memory and CPU limits (verifier/isolation.py), then do
    the chain checks here: a crafted file can cost at most ``timeout`` seconds, never hang the command."""
    kind: Kind
    extra = None
    if payload is not None:
        kind, data = "payload", payload.encode("utf-8")
    else:
        assert path is not None
        data = _read(path, max_bytes)
        if not data:
            return format_failure(_source_for(path, proof, payload), Reason.EMPTY_FILE)
        if proof is not None:
            kind, extra = "pdf+proof", _read(proof, max_bytes)
        elif data[:1024].find(b"%PDF-") >= 0:
            kind = "pdf"
        elif data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or _is_webp(data):
            kind = "image"
        else:
            return format_failure(_source_for(path, proof, payload), Reason.UNSUPPORTED_FILE)
    what = str(path) if path is not None else "the QR text"
    pool = WorkerPool(verifier.trust, 1, limits=Limits(timeout=timeout, cpu_seconds=timeout + 1), queue_wait=60)
    try:
        prepared = pool.run(kind, data, extra)
    except TimedOut:
        message = f"checking {what} took longer than {timeout:g} s and was stopped (--timeout)"
        raise LimitExceeded(message, Reason.TIMED_OUT) from None
    except WorkerDied:
        message = f"checking {what} needed too much memory or computing time and was stopped"
        raise LimitExceeded(message, Reason.TOO_COMPLEX) from None
    finally:
        pool.close()
    return verifier.finish(prepared)


def _is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LimitExceeded(
                f"{path} is larger than the limit of {max_bytes / 2**20:g} MB (--max-size)", Reason.TOO_LARGE
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise NoSuchFile(f"Datei nicht gefunden: {path}", f"no such file: {path}") from None
    except IsADirectoryError:
        raise NoSuchFile(f"{path} ist ein Ordner, keine Datei", f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise NoSuchFile(
            f"{path} kann nicht gelesen werden ({exc.strerror})", f"cannot read {path}: {exc.strerror}"
        ) from None
