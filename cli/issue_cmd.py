"""`notary issue`: notarise PDFs — files, folders (recursive) or a manifest CSV — resumable after any crash.

What did not go as asked is shown on screen (a table of failures, skips and warnings, one line each with its
reason, the first MAX_PROBLEMS of them), not only in the report, and sets the exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from cli.output import console, emit_json
from cli.progress import BarProgress
from cli.settings_opts import ChainOpt, JsonOpt, KeyFileOpt, RegistryOpt, settings_from
from notary import localchain
from notary.context import open_registry
from notary.errors import ConfigError, FormatError, UsageError
from notary.issuance import ClaimDefaults, InputDoc, Issuance, IssueOptions, Journal, from_manifest, from_paths
from notary.issuance.documents import read_ahead
from notary.issuance.inputs import check_facts, describe, format_facts, parse_facts
from notary.issuance.run import DEFAULT_BATCH_SIZE, EXIT_SKIPPED, Summary
from notary.pdf.seal_options import seal_options
from notary.signing.opening import open_signer_soon
from notary.signing.sign_only import SignOnlyIssuance

HELP = f"""Hash, batch, sign (EIP-712), anchor and stamp PDFs. Run the same command again to resume after a crash
(it finishes what was started, tries failures again, rewrites missing or damaged outputs, and issues inputs
whose bytes or claims changed as new documents, written beside the earlier copy as NAME.v2.pdf; an issue date
left to default to today does not count as a change).

The key is the \\[signer] of notary.toml: a keystore file (key_file, the default), a key in a PKCS#11 token
(HSM) or a remote signer (Clef, Web3Signer); see docs/relay.md.

With --sign-only OUTBOX the run sends no transaction: each signed batch goes to OUTBOX as a small JSON file for
the city's relayer (`notary relay OUTBOX`); the same command run again afterwards stamps every batch the chain
now has (the school needs no Ether). Docs: docs/relay.md.

Checked before anything is spent: each file is a readable, unencrypted PDF, not already notarised, with valid
claims; the key is an active issuer of the registry. An already past valid_until is issued with a warning.

\b
Exit codes:
  0   every input is issued (by this run or an earlier run of the same command); with --sign-only,
      issued or signed and waiting in the outbox for the relayer
  1   some documents failed, or --strict stopped at the first failure (the table and the report say why)
  2   usage error
  {EXIT_SKIPPED}   nothing failed, but some inputs were skipped: their content was already issued, or listed twice
  4   refused before starting: the key is not an active issuer of the registry (nothing spent)
  78  configuration missing or unreadable
"""

KEEP_LISTED = 100_000
"""Inputs listed once and kept for the run up to this many; a longer list is streamed again (memory)."""
READ_AHEAD = 2_048
"""Inputs whose reading the kernel is asked to start while the key is decrypted (a few batches' worth)."""


def _listing(stream: Callable[[], Iterator[InputDoc]]) -> tuple[int, Callable[[], Iterable[InputDoc]]]:
    """(how many inputs, a way to go through them again): the list itself while it is not too long."""
    kept: list[InputDoc] | None = []
    total = 0
    for doc in stream():
        total += 1
        if kept is not None:
            kept.append(doc)
            if len(kept) > KEEP_LISTED:
                kept = None
    if kept is None:
        return total, stream
    read_ahead(str(doc.src) for doc in kept[:READ_AHEAD] if doc.error is None)
    remembered = kept
    return total, lambda: remembered


def issue(
    inputs: Annotated[
        list[Path] | None, typer.Argument(help="PDF files and/or folders (searched recursively for *.pdf).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder; mirrors the input tree.")] = Path(
        "notarised"
    ),
    manifest: Annotated[
        Path | None,
        typer.Option(
            help="CSV with one row per document: path (relative to the CSV), type, title, holder, issue_date, "
            "valid_until, issuer_ref, facts ('Label=Value | Label=Value'). Comma or semicolon separated."
        ),
    ] = None,
    claims: Annotated[
        Path | None, typer.Option("--claims", help="CSV of claims for the given files (same columns, matched by path).")
    ] = None,
    doc_type: Annotated[
        str | None, typer.Option("--type", help="Document type: zeugnis, urkunde, gewerbeauskunft, ...")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title, e.g. 'Abschlusszeugnis der Realschule'.")] = None,
    holder: Annotated[str | None, typer.Option(help="Holder's name as printed on the document.")] = None,
    issue_date: Annotated[
        str | None, typer.Option(help="Issue date (2026-07-15 or 15.07.2026); default today.")
    ] = None,
    valid_until: Annotated[str | None, typer.Option(help="Expiry date, if the document expires.")] = None,
    issuer_ref: Annotated[str | None, typer.Option(help="The issuer's own file number.")] = None,
    fact: Annotated[
        list[str] | None,
        typer.Option(
            "--fact",
            metavar="LABEL=VALUE",
            help="A key fact the reader compares with the paper, as 'Label=Value' (repeat, in order, up to 8; "
            "\\| \\= \\\\ for the characters themselves). A CSV 'facts' cell replaces them for its document.",
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(help="Documents per anchored batch (each batch is one transaction).")
    ] = DEFAULT_BATCH_SIZE,
    qr_corner: Annotated[
        str, typer.Option(help="Corner of page 1 for the QR: bottom-right, bottom-left, top-right, top-left.")
    ] = "bottom-right",
    qr_size: Annotated[
        float, typer.Option(help="QR edge in mm, quiet zone included (30-120; 40 decodes from 90 dpi scans).")
    ] = 40.0,
    sidecar: Annotated[bool, typer.Option(help="Also write <name>.pdf.proof.json beside each output.")] = False,
    allow_reissue: Annotated[
        bool, typer.Option(help="Issue documents whose exact content this registry has issued before.")
    ] = False,
    workers: Annotated[int | None, typer.Option(help="Worker processes for hashing and stamping.")] = None,
    strict: Annotated[
        bool, typer.Option(help="Stop at the first document that fails, before anything more is anchored.")
    ] = False,
    sign_only: Annotated[
        Path | None,
        typer.Option(
            "--sign-only",
            metavar="OUTBOX",
            help="Send nothing: write each signed batch to OUTBOX for `notary relay`; run again later to stamp.",
        ),
    ] = None,
    seal: Annotated[
        Path | None,
        typer.Option(
            "--seal", metavar="P12", help="Seal every copy with this PKCS#12 seal certificate (PAdES; docs/seal.md)."
        ),
    ] = None,
    seal_password_file: Annotated[
        Path | None, typer.Option(help="File with the PKCS#12 password (else NOTARY_SEAL_PASSWORD, else a prompt).")
    ] = None,
    seal_tsa: Annotated[str | None, typer.Option(help="RFC 3161 timestamp service URL for the seal (B-T).")] = None,
    seal_crl: Annotated[
        list[Path] | None, typer.Option(help="CA CRL to embed with the seal for long-term validation (B-LT; repeat).")
    ] = None,
    chain: ChainOpt = None,
    registry: RegistryOpt = None,
    key_file: KeyFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    paths = inputs or []
    if not paths and manifest is None:
        raise ConfigError("nothing to issue: give PDF files or folders, or --manifest FILE.csv")
    if paths and manifest is not None:
        raise ConfigError("give either PDF files/folders or --manifest, not both")
    for path in paths:
        if not path.exists():
            raise ConfigError(f"no such file or folder: {path}")
    facts = _facts(fact or [])
    settings = settings_from(chain=chain, registry=registry, key_file=key_file)
    reg = open_registry(settings)
    pending = open_signer_soon(settings)  # a keystore's scrypt runs beside the listing below
    defaults = ClaimDefaults(doc_type, title, holder, issue_date, valid_until, issuer_ref, facts)

    def stream() -> Iterator[InputDoc]:
        return from_manifest(manifest, defaults) if manifest is not None else from_paths(paths, defaults, claims)

    try:
        total, listed = _listing(stream)  # gives the bar its length
    except Exception:  # (an interrupt goes at once; the key's thread is a daemon)
        pending.result()  # a key that cannot be opened is told first, as before the two overlapped
        raise
    signer = pending.result()
    options = IssueOptions(
        out_dir=out, batch_size=batch_size, caption=f"Digital geprüft: {settings.verifier_url}", sidecar=sidecar,
        qr_corner=qr_corner, qr_size_mm=qr_size, qr_url=settings.stamp_qr_url(),
        allow_reissue=allow_reissue, strict=strict,
        seal=seal_options(settings, seal, seal_password_file, seal_tsa, seal_crl),
    )  # fmt: skip
    if workers:
        options.workers = workers
    journal = Journal(settings.data_path / "journal.sqlite")
    progress = BarProgress(enabled=not json_out)
    try:
        # the managed anvil writes its state lazily: have it write each anchor before its proofs are handed out
        persist = partial(localchain.persist_or_wait, settings.data_path) if settings.chain == "local" else None
        if sign_only is not None:
            run: Issuance = SignOnlyIssuance(journal, reg, signer, options, progress, persist=persist, outbox=sign_only)
        else:
            run = Issuance(journal, reg, signer, options, progress, persist=persist)
        summary = run.issue(listed(), spec=describe(paths, manifest), total=total)
    finally:
        progress.stop()
        journal.close()
    counts = summary.counts
    data = {
        "run": summary.run_id, "resumed": summary.resumed, "issued": counts.get("written", 0),
        "skipped_duplicates": counts.get("duplicate", 0), "failed": counts.get("failed", 0),
        "replaced": counts.get("replaced", 0), "batches": summary.batches, "seconds": round(summary.seconds, 2),
        "out": str(out), "report_csv": str(summary.report_csv), "report_json": str(summary.report_json),
        "stopped": summary.stopped, "problem_count": summary.problem_count,
        "problems": [{"input": p.src, "status": p.status, "reason": p.reason} for p in summary.problems],
        "signer": signer.describe(),
    }  # fmt: skip
    if isinstance(run, SignOnlyIssuance):
        data["waiting_for_relay"] = [str(path) for path in run.waiting]
    if json_out:
        emit_json(data)
    else:
        _show(summary, data, out)
        if isinstance(run, SignOnlyIssuance) and run.waiting:
            console.print(
                f"{len(run.waiting)} signed batches wait for the relayer in {sign_only}/ (`notary relay {sign_only}`);"
                " run this same command again once they are anchored to stamp their documents"
            )
    if data["failed"] or summary.stopped:
        raise typer.Exit(1)
    if data["skipped_duplicates"]:
        raise typer.Exit(EXIT_SKIPPED)


issue.__doc__ = HELP


def _facts(flags: list[str]) -> str | None:
    """The --fact flags in the CSV column's notation, refused as a whole (exit 2) before anything is read or
    spent if any one is malformed or breaks the claims' text rules."""
    if not flags:
        return None
    try:
        facts = tuple(pair for flag in flags for pair in parse_facts(flag, single=True))
        if len(facts) != len(flags):
            raise FormatError("every --fact needs a text: give it as 'Label=Value'")
        return format_facts(check_facts(facts))
    except FormatError as exc:
        raise UsageError(f"--fact: {exc}") from None


def _show(summary: Summary, data: dict[str, object], out: Path) -> None:
    # a replaced version is an earlier copy still valid on chain: said up front, the table names each one
    replaced = f", {data['replaced']} earlier versions replaced" if data["replaced"] else ""
    console.print(
        f"issued {data['issued']}, skipped {data['skipped_duplicates']} duplicates, failed {data['failed']}{replaced} "
        f"— {data['batches']} batches in {data['seconds']} s{' (resumed)' if summary.resumed else ''}"
    )
    console.print(f"notarised PDFs in {out}/, report: {summary.report_csv}")
    if summary.problems:
        # one line per document, never wrapped or cut: a log or a grep must see the whole reason
        console.print(Text(f"{'status':<18} input — reason", style="bold"))
        for problem in summary.problems:
            console.print(Text(f"{problem.status:<18} {_short(problem.src)} — {problem.reason}"), soft_wrap=True)
        more = summary.problem_count - len(summary.problems)
        if more > 0:
            console.print(f"and {more} more, see the report {summary.report_csv}")
    if summary.stopped:
        console.print(
            Text(f"stopped at the first failure (--strict): {summary.stopped}. Nothing more was anchored; "
                 "fix it and run the same command again to continue.", style="yellow")
        )  # fmt: skip
    elif data["failed"]:
        console.print(Text(f"{data['failed']} documents failed: see above and the report", style="yellow"))


def _short(src: str) -> str:
    """An input as the user named it: relative to the current folder when it is below it."""
    try:
        return str(Path(src).relative_to(Path.cwd()))
    except ValueError:
        return src
