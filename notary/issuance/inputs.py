"""What to issue: PDF files, folders (recursive) or a manifest CSV, each with the claims its document makes.

Inputs are streamed (never all read at once). A bad row or a bad claim fails only that document, with a reason.
CSV files may be comma- or semicolon-separated (German spreadsheet exports use ';') and may carry a BOM.
Key facts (format 1.1) come as one ``facts`` column written ``Label=Value | Label=Value`` (see
:func:`parse_facts` and docs/proof-format.md §3.3.1), or as ``--fact Label=Value`` flags.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from notary.core import Claims
from notary.errors import ConfigError, FormatError

CLAIM_COLUMNS = ("type", "title", "holder", "issue_date", "valid_until", "issuer_ref", "facts")
MAX_CSV_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ClaimDefaults:
    """Claims given on the command line; CSV columns override them per document."""

    doc_type: str | None = None
    title: str | None = None
    holder: str | None = None
    issue_date: str | None = None
    valid_until: str | None = None
    issuer_ref: str | None = None
    facts: str | None = None  # in the column's notation (format_facts), so a row's cell can replace it whole


@dataclass(frozen=True)
class InputDoc:
    src: Path  # absolute path of the original
    rel_out: str  # where its notarised copy goes, relative to the output folder (POSIX form)
    fields: dict[str, str]  # raw claim fields; parsed by parse_claims so a bad one fails only this document
    error: str | None = None  # set: this document fails with this reason, and its file is never read or written


def parse_claims(fields: dict[str, str], today: dt.date) -> Claims:
    """Claims from raw text fields; FormatError (with the field name) on anything wrong."""
    doc_type = fields.get("type") or ""
    title = fields.get("title") or ""
    holder = fields.get("holder") or ""
    missing = [name for name, value in (("type", doc_type), ("title", title), ("holder", holder)) if not value]
    if missing:
        raise FormatError(f"missing claim {', '.join(missing)} (give --{missing[0]} or a CSV column)")
    return Claims.create(
        doc_type=doc_type.strip().lower(),
        title=title,
        holder=holder,
        issued_on=_date("issue_date", fields.get("issue_date")) or today,
        valid_until=_date("valid_until", fields.get("valid_until")),
        issuer_ref=fields.get("issuer_ref") or None,
        facts=parse_facts(fields.get("facts") or ""),
    )


FACT_SEPARATOR = "|"
_ESCAPABLE = frozenset("\\|=")


def parse_facts(text: str, *, single: bool = False) -> tuple[tuple[str, str], ...]:
    """Key facts from ``Label=Value | Label=Value`` (docs/proof-format.md §3.3.1); FormatError on anything else.

    An unescaped ``|`` separates facts and the first unescaped ``=`` of a fact ends its label; ``\\|``, ``\\=`` and
    ``\\\\`` stand for the characters themselves, any other backslash is refused (so a typo is never signed as
    text). Blank text is no facts. ``single`` (one ``--fact`` flag) refuses a separator: ``--fact "A=1 | B=2"``
    is more likely two facts squeezed into one than a value with a bar in it.
    """
    if not text.strip():
        return ()
    items: list[list[str]] = [[]]  # the characters of each fact, escapes resolved
    cuts: list[int | None] = [None]  # where each fact's label ends (None: no unescaped '=' yet)
    chars = iter(text)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped not in _ESCAPABLE:
                shown = f"'\\{escaped}' is not an escape" if escaped else "a '\\' ends the text"
                raise FormatError(f"key facts {text!r}: {shown} (write \\| for '|', \\= for '=', \\\\ for '\\')")
            items[-1].append(escaped)
        elif char == FACT_SEPARATOR:
            if single:
                raise FormatError(f"{text!r} holds a '|': give one fact per --fact (write \\| for a '|' in the text)")
            items.append([])
            cuts.append(None)
        elif char == "=" and cuts[-1] is None:
            cuts[-1] = len(items[-1])
        else:
            items[-1].append(char)
    out: list[tuple[str, str]] = []
    for number, (item, cut) in enumerate(zip(items, cuts, strict=True), start=1):
        whole = "".join(item)
        if cut is None:
            if not whole.strip():
                raise FormatError(f"key facts {text!r}: fact {number} is empty (a '|' too many?)")
            raise FormatError(f"key fact {whole.strip()!r} has no '=': write it as Label=Value")
        label, value = whole[:cut].strip(), whole[cut:].strip()
        if not label:
            raise FormatError(f"key fact {number} in {text!r} has no label before '='")
        if not value:
            raise FormatError(f"key fact {label!r} has no value after '='")
        out.append((label, value))
    return tuple(out)


def format_facts(facts: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """The column notation of ``facts``: what :func:`parse_facts` reads back as the same pairs."""

    def escape(text: str) -> str:
        return "".join(f"\\{c}" if c in _ESCAPABLE else c for c in text)

    return f" {FACT_SEPARATOR} ".join(f"{escape(label)}={escape(value)}" for label, value in facts)


def check_facts(facts: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The facts as a document's claims will hold them (normalised, text rules, limits), else FormatError: lets
    the command line refuse a bad ``--fact`` before any file is read."""
    probe = Claims.create(doc_type="probe", title="probe", holder="probe", issued_on=dt.date(2000, 1, 1), facts=facts)
    return probe.facts


def _date(name: str, text: str | None) -> dt.date | None:
    if not text or not text.strip():
        return None
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FormatError(f"{name} {text!r} is not a date (use 2026-07-15 or 15.07.2026)")


def _defaults(defaults: ClaimDefaults) -> dict[str, str]:
    pairs = {
        "type": defaults.doc_type,
        "title": defaults.title,
        "holder": defaults.holder,
        "issue_date": defaults.issue_date,
        "valid_until": defaults.valid_until,
        "issuer_ref": defaults.issuer_ref,
        "facts": defaults.facts,
    }
    return {k: v for k, v in pairs.items() if v}


def read_csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; the header names columns (case-insensitive)."""
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise ConfigError(f"{path} is larger than {MAX_CSV_BYTES // 2**20} MiB")
        handle = path.open("r", encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ConfigError(f"no such CSV file: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        head = handle.read(4096)
        handle.seek(0)
        delimiter = ";" if head.split("\n", 1)[0].count(";") > head.split("\n", 1)[0].count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        if not reader.fieldnames or "path" not in [f.strip().lower() for f in reader.fieldnames]:
            raise ConfigError(f"{path}: the first line must name the columns, among them 'path'")
        try:
            for row in reader:
                cleaned = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
                yield reader.line_num, cleaned
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} line {reader.line_num}: not valid CSV ({exc})") from None


def _safe_rel(text: str) -> str:
    """A relative POSIX path that cannot climb out of the output folder."""
    parts = [p for p in PurePosixPath(text.replace("\\", "/")).parts if p not in ("", ".", "/")]
    if not parts:
        raise FormatError("no path given")
    if any(p == ".." for p in parts):
        raise FormatError(f"path {text!r} must stay inside the manifest's folder")
    return "/".join(parts)


def from_manifest(manifest: Path, defaults: ClaimDefaults) -> Iterator[InputDoc]:
    """One document per row. A path that would leave the manifest's folder (``..``, or a symbolic link out of
    it) fails that document: its file is neither read nor written."""
    base = manifest.resolve().parent
    for line, row in read_csv_rows(manifest):
        raw = row.get("path", "")
        fields = {**_defaults(defaults), **{k: v for k, v in row.items() if k in CLAIM_COLUMNS and v}}
        try:
            rel = _safe_rel(raw)
            src = (base / rel).resolve()
            if not src.is_relative_to(base):
                raise FormatError(f"path {raw!r} leads outside the manifest's folder")
        except (FormatError, OSError, ValueError) as exc:
            # never read, never written; the stand-in source names the row in the journal and the report
            reason = str(exc) if isinstance(exc, FormatError) else f"path {raw!r} is not usable"
            yield InputDoc(base / f"{raw} (manifest line {line})", "", fields, f"manifest line {line}: {reason}")
            continue
        yield InputDoc(src=src, rel_out=rel, fields=fields)


def from_paths(paths: list[Path], defaults: ClaimDefaults, claims_csv: Path | None = None) -> Iterator[InputDoc]:
    """Files as given (output by file name) and folders recursively (output mirrors the folder's tree). A file
    in a folder that is a symbolic link to somewhere outside that folder fails: it is neither read nor written."""
    per_file: dict[str, dict[str, str]] = {}
    if claims_csv is not None:
        for _line, row in read_csv_rows(claims_csv):
            fields = {k: v for k, v in row.items() if k in CLAIM_COLUMNS and v}
            key = row.get("path", "")
            per_file[key] = fields
            per_file.setdefault(PurePosixPath(key.replace("\\", "/")).name, fields)
    base = _defaults(defaults)
    taken: dict[str, Path] = {}  # output name -> the input that has it: two inputs must not share one

    def doc(src: Path, rel: str, fields: dict[str, str]) -> InputDoc:
        owner = taken.setdefault(rel, src)
        if owner != src:
            clash = f"its output name {rel} is taken by {owner}; rename it or issue the folders one by one"
            return InputDoc(src, rel, fields, error=clash)
        return InputDoc(src, rel, fields)

    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for file, rel, linked in _pdf_files(root):
                fields = per_file.get(rel) or per_file.get(file.name) or {}
                if linked and not file.resolve().is_relative_to(root):
                    # like a manifest path: a link planted in the folder must not reach files beyond it
                    reason = f"{rel} is a symbolic link that leads outside the folder {root}"
                    yield InputDoc(file, rel, {**base, **fields}, error=reason)
                    continue
                yield doc(file, rel, {**base, **fields})
        else:
            fields = per_file.get(str(path)) or per_file.get(path.name) or {}
            yield doc(path.resolve(), path.name, {**base, **fields})


def _pdf_files(root: Path) -> list[tuple[Path, str, bool]]:
    """(path, POSIX path relative to ``root``, is a symbolic link) of the ``.pdf`` files under ``root``, in the
    order and with the choice of ``sorted(root.rglob("*"))`` filtered by ``is_file()`` (links to folders are
    not followed, links to files are listed): one ``scandir`` per folder, no ``stat`` per file. Only a link can
    lead outside ``root`` (the folders walked are none), so only links need resolving."""
    found: list[tuple[tuple[str, ...], bool]] = []

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except PermissionError:
            return  # as rglob: an unreadable folder is passed over
        for entry in listed:
            try:
                linked = entry.is_symlink()
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, (*parts, entry.name))
                    continue
                is_file = entry.is_file()  # a link: its target is
            except OSError:
                continue
            if is_file and entry.name.lower().endswith(".pdf") and _suffix_is_pdf(entry.name):
                found.append(((*parts, entry.name), linked))

    walk(str(root), ())
    found.sort()
    return [(root.joinpath(*parts), "/".join(parts), linked) for parts, linked in found]


def _suffix_is_pdf(name: str) -> bool:
    """``Path(name).suffix.lower() == ".pdf"`` (a name that is only ``.pdf`` has no suffix)."""
    return PurePosixPath(name).suffix.lower() == ".pdf"


def describe(paths: list[Path], manifest: Path | None) -> str:
    """A stable description of what was asked for, part of a run's identity (re-running resumes it)."""
    out = io.StringIO()
    if manifest is not None:
        out.write(f"manifest:{manifest.resolve()}\n")
    for path in paths:
        out.write(f"path:{path.resolve()}\n")
    return out.getvalue()
