"""What the result page shows, computed from a VerificationResult: labels, dates and rows, in one language.

The templates only lay this out; every decision about wording lives here and in :mod:`verifier.web.i18n`.
The view is built from ``result.to_json()`` (the contract shared with the CLI and the API), so the page follows
the verdict model without importing its enums.
"""

from __future__ import annotations

import base64
import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from verifier.messages import CHECK_TITLES
from verifier.result import VerificationResult
from verifier.trust import TrustedEntry
from verifier.web.i18n import (
    CLAIMS_CONFIRMED,
    DOC_TYPES,
    MONTHS,
    NOT_CHECKABLE_ADVICE,
    NOT_CHECKABLE_REASONS,
    NOT_FALSE,
    STATUS_LABELS,
    VERDICT_LABELS,
    VERDICT_SUMMARIES,
    VERDICT_SUMMARIES_CLAIMS,
    Lang,
    pick,
    t,
)

LOCAL_TIME = ZoneInfo("Europe/Berlin")
NOT_CHECKABLE = ("NOT_CHECKABLE", "ERROR")
# After these nothing in the proof is confirmed: showing a name from it would lend a forgery credit.
UNCONFIRMED = ("INVALID", *NOT_CHECKABLE)
CLAIM_SOURCES = ("qr", "scan", "photo")
SOURCE_LABELS = {"pdf": "source_pdf", "pdf+proof": "source_pdf_proof", "qr": "source_qr", "scan": "source_scan",
                 "photo": "source_photo"}  # fmt: skip


@dataclass(frozen=True)
class CheckRow:
    title: str
    status: str  # css modifier: valid, invalid, error, skipped
    status_label: str
    message: str


@dataclass(frozen=True)
class SealView:
    """The city's PAdES seal beside the verdict (docs/seal.md §5): who sealed, whether it holds, and what that
    means for the verdict, which is about the anchored document."""

    status: str  # css modifier: valid, invalid, error
    line: str  # "Gesiegelt von: …", or the verifier's words when there is no subject (a missing seal)
    message: str  # why a seal does not hold ("" when it does)
    note: str  # whether the seal decided the verdict
    rows: list[tuple[str, str, bool]]  # technical details: label, value, monospace


@dataclass(frozen=True)
class ResultView:
    verdict: str  # css modifier
    label: str
    summary: str  # the deciding reason, in plain words
    source: str
    qr: bool  # scope "claims": only the claims are confirmed, the reader compares them with the paper
    production_warning: bool
    details: list[tuple[str, str]]
    anchor: list[tuple[str, str]]
    claims: list[tuple[str, str]]
    claims_note: str
    checks: list[CheckRow]
    sub_reason: str = ""
    advice: str = ""
    issuer_name: str = ""
    file_name: str = ""
    preview: str = ""  # data: URI of page 1 (PNG), or ""
    not_covered: str = ""
    failed: list[CheckRow] = field(default_factory=list)
    seal: SealView | None = None


def format_date(iso: str | None, lang: Lang) -> str | None:
    if not iso:
        return None
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    month = pick(MONTHS[day.month - 1], lang)
    return f"{day.day}. {month} {day.year}" if lang == "de" else f"{day.day} {month} {day.year}"


def format_time(timestamp: Any, lang: Lang) -> str | None:
    if not isinstance(timestamp, int) or isinstance(timestamp, bool) or timestamp <= 0:
        return None
    try:
        when = dt.datetime.fromtimestamp(timestamp, dt.UTC).astimezone(LOCAL_TIME)
    except (OverflowError, OSError, ValueError):
        return None
    day = format_date(when.date().isoformat(), lang)
    if lang == "de":
        return f"{day}, {when:%H:%M} Uhr ({when:%Z})"
    return f"{day}, {when:%H:%M} ({when:%Z})"


def preview_uri(png: Any) -> str:
    """Page 1 as a data: URI; only a real PNG (by its signature) is embedded."""
    if not isinstance(png, bytes | bytearray) or not bytes(png).startswith(b"\x89PNG\r\n\x1a\n"):
        return ""
    return "data:image/png;base64," + base64.b64encode(bytes(png)).decode("ascii")


def _check_rows(checks: list[Mapping[str, Any]], lang: Lang) -> list[CheckRow]:
    rows = []
    for c in checks:
        status = str(c.get("status", ""))
        message = c.get("message_de" if lang == "de" else "message_en") or c.get("message") or ""
        rows.append(
            CheckRow(
                title=pick(CHECK_TITLES.get(str(c.get("name")), (str(c.get("name")), str(c.get("name")))), lang),
                status="error" if status in NOT_CHECKABLE else status.lower(),
                status_label=pick(STATUS_LABELS.get(status, (status, status)), lang),
                # the seal check names a certificate's subject, which anyone can write (an RTL override)
                message=shown_file_name(str(message)),
            )
        )
    return rows


def _decision(data: Mapping[str, Any], verdict: str, lang: Lang) -> tuple[str, str, str]:
    """(reason code, message, advice) that decided the verdict: the verifier's own ``decision`` when it gives
    one, else the first check that did not pass (results of the older model)."""
    decision = data.get("decision")
    if isinstance(decision, Mapping) and decision.get("reason"):
        return (
            str(decision.get("reason")),
            str(decision.get(f"message_{lang}") or ""),
            str(decision.get(f"advice_{lang}") or ""),
        )
    if verdict == "VALID":
        return "ok", "", ""
    wanted = ("ERROR", "NOT_CHECKABLE") if verdict in NOT_CHECKABLE else ("INVALID", "ERROR", "NOT_CHECKABLE")
    for c in data.get("checks") or []:
        if c.get("status") in wanted:
            return str(c.get("reason", "")), str(c.get(f"message_{lang}") or c.get("message") or ""), ""
    return "", "", ""


def registry_display_name(name: str | None, lang: Lang, entries: list[TrustedEntry], names: Mapping[str, Any]) -> str:
    """The registry's name in the page language: ``name_de``/``name_en`` of the trusted entry when it has them,
    else the operator's display-name map (``[web.registry_names]``), else the name as configured."""
    if not name:
        return ""
    for entry in entries:
        if entry.name == name:
            own = getattr(entry, f"name_{lang}", None)
            if isinstance(own, str) and own:
                return own
    mapped = names.get(name)
    if isinstance(mapped, Mapping) and isinstance(mapped.get(lang), str) and mapped[lang]:
        return str(mapped[lang])
    return name


def shown_file_name(name: str) -> str:
    """The uploaded file's name as the page shows it: invisible controls (a right-to-left override makes
    `Zeugnis_\u202efdp.exe` read as `Zeugnis_exe.pdf`, zero-width characters hide a difference) become a
    visible U+FFFD, so the name on screen is the name that was sent."""
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cf") else c for c in name)


def format_instant(iso: Any, lang: Lang) -> str | None:
    """An ISO 8601 instant of the seal ("2026-11-30T21:15:25Z") in the page's local-time wording."""
    if not isinstance(iso, str) or not iso:
        return None
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return shown_file_name(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return format_time(int(when.timestamp()), lang) or shown_file_name(iso)


def seal_view(seal: Any, decision_reason: str, lang: Lang) -> SealView | None:
    """The ``seal`` member as the page shows it. Subject, organisation and issuer come from a certificate anyone
    can make: besides the template's escaping, invisible controls (an RTL override) are made visible."""
    if not isinstance(seal, Mapping):
        return None
    status = str(seal.get("status") or "")
    subject = shown_file_name(str(seal.get("subject") or ""))
    organisation = shown_file_name(str(seal.get("organisation") or ""))
    message = shown_file_name(str(seal.get(f"message_{lang}") or seal.get("message") or ""))
    who = subject or organisation
    if subject and organisation and organisation not in subject:
        who = f"{subject} ({organisation})"
    valid = status == "VALID"
    line = f"{t('sealed_by', lang)}: {who}" if who else message
    note = ""
    if not valid:
        note = t("seal_decides" if decision_reason.startswith("seal-") else "seal_not_deciding", lang)
    status_label = pick(STATUS_LABELS.get(status, (status, status)), lang)
    rows: list[tuple[str, str, bool]] = [(t("seal_status", lang), status_label if valid else message, False)]
    if seal.get("fingerprint_sha256"):
        rows.append((t("seal_fingerprint", lang), shown_file_name(str(seal["fingerprint_sha256"])), True))
    if seal.get("certificate_issuer"):
        rows.append((t("seal_cert_issuer", lang), shown_file_name(str(seal["certificate_issuer"])), False))
    if seal.get("level"):
        rows.append((t("seal_level", lang), shown_file_name(str(seal["level"])), False))
    for key in ("signed_at", "timestamped_at"):
        shown = format_instant(seal.get(key), lang)
        if shown:
            rows.append((t(f"seal_{key}", lang), shown, False))
    if isinstance(seal.get("bound"), bool):
        rows.append((t("seal_bound", lang), t("seal_bound_yes" if seal["bound"] else "seal_bound_no", lang), False))
    return SealView(
        status="valid" if valid else ("error" if status in NOT_CHECKABLE else "invalid"),
        line=line,
        message="" if valid or line == message else message,
        note=note,
        rows=rows,
    )


def result_view(
    result: VerificationResult,
    lang: Lang,
    *,
    file_name: str | None = None,
    registry_name: str | None = None,
) -> ResultView:
    data: dict[str, Any] = result.to_json(lang)
    verdict = str(data.get("verdict", "NOT_CHECKABLE"))
    source = str(data.get("source") or "pdf")
    scope = data.get("scope")
    claims_scope = scope == "claims" if scope in ("claims", "document") else source in CLAIM_SOURCES
    confirmed = verdict not in UNCONFIRMED
    issuer = data.get("issuer") or {}
    anchor = data.get("anchor") or {}

    details: list[tuple[str, str]] = []
    if issuer.get("name"):
        details.append((t("issuer_name", lang), str(issuer["name"])))
    if issuer.get("address"):
        details.append((t("issuer_address", lang), str(issuer["address"])))
    shown_registry = registry_name or data.get("registry_name")
    if shown_registry:
        details.append((t("registry", lang), str(shown_registry)))

    anchor_rows: list[tuple[str, str]] = []
    if anchor.get("block") is not None:
        when = format_time(anchor.get("timestamp"), lang)
        if when:
            anchor_rows.append((t("anchored_at", lang), when))
        anchor_rows.append((t("chain", lang), str(anchor.get("chain_id", ""))))
        anchor_rows.append((t("block", lang), str(anchor["block"])))
        if anchor.get("tx"):
            anchor_rows.append((t("transaction", lang), str(anchor["tx"])))

    claims_rows: list[tuple[str, str]] = []
    claims = data.get("claims") or {}
    if claims:
        doc_type = str(claims.get("doc_type", ""))
        claims_rows.append(
            (t("doc_type", lang), pick(DOC_TYPES[doc_type], lang) if doc_type in DOC_TYPES else doc_type)
        )
        for key in ("title", "holder"):
            if claims.get(key):
                claims_rows.append((t(key, lang), str(claims[key])))
        for key in ("issued_on", "valid_until"):
            shown = format_date(claims.get(key), lang)
            if shown:
                claims_rows.append((t(key, lang), shown))
        if claims.get("issuer_ref"):
            claims_rows.append((t("issuer_ref", lang), str(claims["issuer_ref"])))
        # key facts (format 1.1): the issuer's own labels, in its order — what to compare with the paper
        for fact in claims.get("facts") or []:
            claims_rows.append((str(fact[0]), str(fact[1])))

    checks = _check_rows(list(data.get("checks") or []), lang)
    reason, message, advice = _decision(data, verdict, lang)
    message = shown_file_name(message)  # a seal decision names the certificate's subject, which anyone can write
    if verdict == "VALID" and claims_scope:
        label = pick(CLAIMS_CONFIRMED, lang)
        summary = pick(VERDICT_SUMMARIES_CLAIMS["VALID"], lang)
    else:
        label = pick(VERDICT_LABELS.get(verdict, VERDICT_LABELS["NOT_CHECKABLE"]), lang)
        summary = message or pick(VERDICT_SUMMARIES.get(verdict, VERDICT_SUMMARIES["NOT_CHECKABLE"]), lang)
    sub_reason = ""
    if verdict in NOT_CHECKABLE:
        sub_reason = pick(NOT_CHECKABLE_REASONS[reason], lang) if reason in NOT_CHECKABLE_REASONS else ""
        advice = advice or pick(NOT_CHECKABLE_ADVICE, lang)
        # the verifier's message explains; the fixed reminder keeps "could not check" from reading as "false"
        summary = f"{summary} {pick(NOT_FALSE, lang)}" if message else summary
    elif verdict == "INVALID" and message:
        summary = f"{message} {pick(VERDICT_SUMMARIES['INVALID'], lang)}"
    input_name = (data.get("input") or {}).get("name") if isinstance(data.get("input"), Mapping) else None
    return ResultView(
        verdict="error" if verdict in NOT_CHECKABLE else verdict.lower(),
        label=label,
        summary=summary,
        source=t(SOURCE_LABELS.get(source, "source_pdf"), lang),
        qr=claims_scope,
        production_warning=data.get("production_chain") is False,
        details=details if confirmed else [],
        anchor=anchor_rows if confirmed else [],
        claims=claims_rows if confirmed else [],
        claims_note=t("claims_qr_note" if claims_scope else "claims_pdf_note", lang),
        checks=checks,
        sub_reason=sub_reason,
        advice=advice,
        issuer_name=str(issuer.get("name") or "") if confirmed else "",
        file_name=shown_file_name(str(file_name or input_name or "")),
        preview=preview_uri(getattr(result, "preview_png", None)),
        not_covered=t("not_covered", lang) if claims_scope else "",
        failed=[c for c in checks if c.status in ("invalid", "error")],
        # an unconfirmed proof names no one; a seal the registry requires still explains its INVALID
        seal=seal_view(data.get("seal"), reason, lang) if confirmed or reason.startswith("seal-") else None,
    )


@dataclass(frozen=True)
class TrustRow:
    name: str
    rows: list[tuple[str, str]]
    production: bool


def trust_view(entries: list[TrustedEntry], lang: Lang, names: Mapping[str, Any] | None = None) -> list[TrustRow]:
    """The operator's trust list as the public may see it. Endpoint URLs are left out on purpose: they often
    carry API keys, and the public needs to know how many nodes vouch, not where they are."""
    out = []
    for entry in sorted(entries, key=lambda e: (not e.production, e.name.casefold(), e.chain_id)):
        witnesses = (
            t("trust_witnesses_value", lang).format(n=len(entry.endpoints), q=entry.needed)
            if len(entry.endpoints) > 1
            else t("trust_witness_single", lang)
        )
        out.append(
            TrustRow(
                name=registry_display_name(entry.name, lang, entries, names or {}),
                production=entry.production,
                rows=[
                    (t("trust_chain", lang), str(entry.chain_id)),
                    (t("trust_address", lang), entry.address),
                    (t("trust_kind", lang), t("trust_production" if entry.production else "trust_test", lang)),
                    (t("trust_witnesses", lang), witnesses),
                ],
            )
        )
    return out


def arrival_labels(lang: Lang, registries: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The words app.js needs to draw a verdict from the JSON API (a QR code that opened this page): the same
    texts and order as the server-rendered result page, chosen here so the script holds no language.
    ``registries``: trusted registry name -> its name in this language."""
    keys = ("verdict_prefix", "issued_by", "compare_heading", "not_covered", "advice_heading", "source_qr",
            "technical_details", "technical_intro", "checks", "again", "not_production", "doc_type", "title",
            "holder", "issued_on", "valid_until", "issuer_ref", "issuer", "issuer_name", "issuer_address",
            "registry", "anchor", "anchored_at", "chain", "block", "transaction")  # fmt: skip
    return {
        "registries": dict(registries or {}),
        "ui": {key: t(key, lang) for key in keys},
        "verdicts": {key: pick(pair, lang) for key, pair in VERDICT_LABELS.items()},
        "summaries": {key: pick(pair, lang) for key, pair in VERDICT_SUMMARIES.items()},
        "claims_confirmed": pick(CLAIMS_CONFIRMED, lang),
        "claims_summary": pick(VERDICT_SUMMARIES_CLAIMS["VALID"], lang),
        "reasons": {key: pick(pair, lang) for key, pair in NOT_CHECKABLE_REASONS.items()},
        "advice": pick(NOT_CHECKABLE_ADVICE, lang),
        "not_false": pick(NOT_FALSE, lang),
        "statuses": {key: pick(pair, lang) for key, pair in STATUS_LABELS.items()},
        "titles": {key: pick(pair, lang) for key, pair in CHECK_TITLES.items()},
        "doc_types": {key: pick(pair, lang) for key, pair in DOC_TYPES.items()},
        "months": [pick(pair, lang) for pair in MONTHS],
    }
