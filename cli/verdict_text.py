"""The verdict of `notary verify` as people read it: one language throughout, the deciding reason first, what a
QR code confirms and what it does not, dates in words; addresses, blocks, transactions and the list of checks
only under the technical details (``--details``).

Lines are (text, style) pairs, printed as plain text (never markup): names and claims come from outside.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from verifier.messages import (
    CHECK_TITLES,
    CLAIM_LABELS,
    CLAIMS_CONFIRMED,
    FACTS_HEADING,
    QR_NOT_COVERED,
    SOURCE_WORDS,
    STATUS_WORDS,
    doc_type_word,
    format_iso_date,
    format_timestamp,
    reason_texts,
)
from verifier.result import Reason, Status, Verdict, VerificationResult

Line = tuple[str, str]

HEADLINES: dict[Verdict, tuple[str, str, str]] = {
    Verdict.VALID: ("GÜLTIG", "VALID", "bold green"),
    Verdict.INVALID: ("UNGÜLTIG", "INVALID", "bold red"),
    Verdict.REVOKED: ("WIDERRUFEN", "REVOKED", "bold red"),
    Verdict.SUSPENDED: ("VORLÄUFIG GESPERRT", "SUSPENDED", "bold yellow"),
    Verdict.EXPIRED: ("ABGELAUFEN", "EXPIRED", "bold yellow"),
    Verdict.NOT_CHECKABLE: ("NICHT PRÜFBAR", "CANNOT BE CHECKED", "bold magenta"),
}
STATUS_STYLE = {Status.VALID: "green", Status.INVALID: "red", Status.ERROR: "magenta", Status.SKIPPED: "dim"}
_CLAIM_ORDER = ("doc_type", "title", "holder", "issued_on", "valid_until", "issuer_ref")
_DATES = ("issued_on", "valid_until")
_NOT_CONFIRMED = (
    "Die Angaben im Nachweis (Aussteller, Inhaber/in, Titel …) sind NICHT bestätigt und werden nicht angezeigt.",
    "The details in the proof (issuer, holder, title …) are NOT confirmed and are not shown.",
)
_ALWAYS_ADVISE = frozenset({Reason.CHAIN_UNREACHABLE, Reason.WITNESSES_DISAGREE})  # the reason text no longer says
_TEST_ONLY = (" — nur zum Testen, ohne rechtliche Wirkung", " — for testing only, no legal standing")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "de" else pair[1]


def verdict_lines(result: VerificationResult, lang: str, *, details: bool = False) -> list[Line]:
    return [
        *_headline(result, lang),
        *_about_input(result, lang),
        *_confirmed(result, lang),
        *_technical(result, lang, details),
    ]


def _headline(result: VerificationResult, lang: str) -> Iterator[Line]:
    de, en, style = HEADLINES[result.verdict]
    if result.verdict is Verdict.VALID and result.scope == "claims":
        # a QR code proves its details, not the paper: never "VALID" alone (as the web page)
        yield _pick(CLAIMS_CONFIRMED, lang), style
    else:
        yield (de if lang == "de" else en), style
    decision = result.decision
    yield decision.message(lang), ""
    # further evidence against the document than the deciding reason, each in plain words
    if result.verdict is Verdict.INVALID:
        deciding = decision.reason
        for check in result.checks:
            if check.status is Status.INVALID and check.reason is not deciding and check.name != "expiry":
                yield ("Außerdem: " if lang == "de" else "Also: ") + _pick(reason_texts(check.reason), lang), ""
    advice = decision.advice(lang)
    if advice and (result.scope != "claims" or decision.reason in _ALWAYS_ADVISE):
        yield advice, "italic"


def _about_input(result: VerificationResult, lang: str) -> Iterator[Line]:
    if result.input_name:
        yield f"{'Datei' if lang == 'de' else 'File'}: {result.input_name}", ""
    elif result.kind == "qr-text":
        yield ("Geprüft: der Text eines QR-Codes" if lang == "de" else "Checked: the text of a QR code"), ""


def _confirmed(result: VerificationResult, lang: str) -> Iterator[Line]:
    """What the verdict confirms. After INVALID or NOT_CHECKABLE nothing in the proof is confirmed: printing its
    issuer name or claims would lend a forgery the credit of this tool."""
    issuer, anchor, claims = result.issuer or {}, result.anchor or {}, result.claims or {}
    confirmed = result.verdict not in (Verdict.INVALID, Verdict.NOT_CHECKABLE)
    if claims and not confirmed:
        style = STATUS_STYLE[Status.INVALID if result.verdict is Verdict.INVALID else Status.ERROR]
        yield _pick(_NOT_CONFIRMED, lang), style
        return
    if not confirmed:
        return
    yield "", ""
    if issuer.get("name"):
        yield f"{'Aussteller' if lang == 'de' else 'Issuer'}: {issuer['name']}", ""
    if result.seal:  # the city's seal (docs/seal.md): "Gesiegelt von: …", or what is wrong with it
        seal = result.seal
        yield str(seal["message_de" if lang == "de" else "message_en"]), STATUS_STYLE[Status(seal["status"])]
    if anchor.get("timestamp") is not None:
        label = "Beglaubigt am" if lang == "de" else "Notarised on"
        yield f"{label}: {format_timestamp(int(anchor['timestamp']), lang)}", ""
    if result.registry_name:
        note = "" if result.production is not False else _pick(_TEST_ONLY, lang)
        yield f"{'Register' if lang == 'de' else 'Registry'}: {result.registry_name}{note}", ""
    yield from _claims(result, claims, lang)


def _claims(result: VerificationResult, claims: dict[str, Any], lang: str) -> Iterator[Line]:
    if not claims:
        return
    paper = result.scope == "claims"
    yield "", ""
    if paper:
        yield (
            (
                "Diese Angaben müssen genau so auf dem Papier stehen:"
                if lang == "de"
                else "The paper must show exactly these details:"
            ),
            "bold",
        )
    for key in _CLAIM_ORDER:
        value = claims.get(key)
        if value:
            if key in _DATES:
                shown = format_iso_date(str(value), lang)
            else:
                shown = doc_type_word(str(value), lang) if key == "doc_type" else str(value)
            yield f"  {_pick(CLAIM_LABELS[key], lang)}: {shown}", ""
    if claims.get("facts"):
        if not paper:  # on paper the heading above already says to compare
            yield _pick(FACTS_HEADING, lang), "bold"
        for label, value in claims["facts"]:
            yield f"  {label}: {value}", ""
    if paper:
        yield _pick(QR_NOT_COVERED, lang), "italic"


def _technical(result: VerificationResult, lang: str, details: bool) -> Iterator[Line]:
    heading = "Technische Details" if lang == "de" else "Technical details"
    yield "", ""
    if not details:
        yield (f"{heading}: mit --details anzeigen" if lang == "de" else f"{heading}: add --details"), "dim"
        return
    yield heading, "bold"
    width = max(len(_pick(w, lang)) for w in STATUS_WORDS.values())
    for check in result.checks:
        word = _pick(STATUS_WORDS[check.status], lang).ljust(width)
        title = _pick(CHECK_TITLES.get(check.name, (check.name, check.name)), lang)
        yield f"  {word}  {title}: {check.message(lang)}", STATUS_STYLE[check.status]
    de = lang == "de"
    issuer, anchor = result.issuer or {}, result.anchor or {}
    facts: list[tuple[str, Any]] = [
        ("Prüfergebnis (Code)" if de else "Verdict (code)", f"{result.verdict.value} / {result.decision.reason.value}"),
        (
            "Quelle des Nachweises" if de else "Proof taken from",
            _pick(SOURCE_WORDS.get(result.source, (result.source,) * 2), lang),
        ),
        ("Adresse des Ausstellers" if de else "Issuer address", issuer.get("address")),
        ("Ketten-ID" if de else "Chain ID", anchor.get("chain_id")),
        ("Adresse des Registers" if de else "Registry address", anchor.get("registry")),
        ("Merkle-Wurzel" if de else "Merkle root", anchor.get("root")),
        ("Block", anchor.get("block")),
        ("Transaktion" if de else "Transaction", anchor.get("tx")),
    ]
    for label, value in facts:
        if value is not None:
            yield f"  {label}: {value}", "dim"
