"""What the result page shows, computed from a VerificationResult: labels, dates and rows, in one language.

The templates only lay this out; every decision about wording lives here and in :mod:`verifier.web.i18n`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from verifier.messages import CHECK_TITLES
from verifier.result import Verdict, VerificationResult
from verifier.trust import TrustedEntry
from verifier.web.i18n import DOC_TYPES, STATUS_LABELS, VERDICT_LABELS, VERDICT_SUMMARIES, Lang, pick, t

LOCAL_TIME = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class CheckRow:
    title: str
    status: str  # css modifier: valid, invalid, error, skipped
    status_label: str
    message: str


@dataclass(frozen=True)
class ResultView:
    verdict: str  # css modifier
    label: str
    summary: str
    source: str
    qr: bool
    production_warning: bool
    details: list[tuple[str, str]]
    anchor: list[tuple[str, str]]
    claims: list[tuple[str, str]]
    claims_note: str
    checks: list[CheckRow]


def format_date(iso: str | None, lang: Lang) -> str | None:
    if not iso:
        return None
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day:%d.%m.%Y}" if lang == "de" else day.isoformat()


def format_time(timestamp: Any, lang: Lang) -> str | None:
    if not isinstance(timestamp, int) or timestamp <= 0:
        return None
    try:
        when = dt.datetime.fromtimestamp(timestamp, dt.UTC).astimezone(LOCAL_TIME)
    except (OverflowError, OSError, ValueError):
        return None
    if lang == "de":
        return f"{when:%d.%m.%Y, %H:%M:%S} Uhr ({when:%Z})"
    return f"{when:%Y-%m-%d %H:%M:%S} ({when:%Z})"


def result_view(result: VerificationResult, lang: Lang) -> ResultView:
    issuer = result.issuer or {}
    anchor = result.anchor or {}
    details: list[tuple[str, str]] = []
    if issuer.get("name"):
        details.append((t("issuer_name", lang), str(issuer["name"])))
    if issuer.get("address"):
        details.append((t("issuer_address", lang), str(issuer["address"])))
    if result.registry_name:
        details.append((t("registry", lang), result.registry_name))

    anchor_rows: list[tuple[str, str]] = []
    if anchor.get("block") is not None:
        anchor_rows.append((t("chain", lang), str(anchor.get("chain_id", ""))))
        anchor_rows.append((t("block", lang), str(anchor["block"])))
        when = format_time(anchor.get("timestamp"), lang)
        if when:
            anchor_rows.append((t("anchored_at", lang), when))
        if anchor.get("tx"):
            anchor_rows.append((t("transaction", lang), str(anchor["tx"])))

    claims_rows: list[tuple[str, str]] = []
    claims = result.claims or {}
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

    checks = [
        CheckRow(
            title=pick(CHECK_TITLES.get(c.name, (c.name, c.name)), lang),
            status=c.status.value.lower(),
            status_label=pick(STATUS_LABELS[c.status], lang),
            message=c.message(lang),
        )
        for c in result.checks
    ]
    qr = result.source == "qr"
    # After INVALID or ERROR nothing in the proof is confirmed: showing a name from it would lend a forgery credit.
    confirmed = result.verdict not in (Verdict.INVALID, Verdict.ERROR)
    return ResultView(
        verdict=result.verdict.value.lower(),
        label=pick(VERDICT_LABELS[result.verdict], lang),
        summary=pick(VERDICT_SUMMARIES[result.verdict], lang),
        source=t("source_qr" if qr else "source_pdf", lang),
        qr=qr,
        production_warning=result.production is False,
        details=details if confirmed else [],
        anchor=anchor_rows if confirmed else [],
        claims=claims_rows if confirmed else [],
        claims_note=t("claims_qr_note" if qr else "claims_pdf_note", lang),
        checks=checks,
    )


@dataclass(frozen=True)
class TrustRow:
    name: str
    rows: list[tuple[str, str]]
    production: bool


def trust_view(entries: list[TrustedEntry], lang: Lang) -> list[TrustRow]:
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
                name=entry.name,
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
