"""What each check says, in German and English, for a layperson. Keyed by (check name, reason code)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from verifier.result import Reason, Status, Verdict

# Check names, in pipeline order, with their titles.
CHECK_TITLES: dict[str, tuple[str, str]] = {
    "format": ("Nachweis lesbar", "Proof readable"),
    "registry": ("Vertrauenswürdiges Register", "Trusted registry"),
    "integrity": ("Dokument unverändert", "Document unchanged"),
    "notarisation-update": ("Nur der Prüfvermerk angefügt", "Only the verification stamp added"),
    "inclusion": ("Teil einer Beglaubigung des Ausstellers", "Part of a notarisation by the issuer"),
    "anchor": ("In der Blockchain verankert", "Anchored on the blockchain"),
    "issuer": ("Aussteller berechtigt", "Issuer authorised"),
    "signature": ("Signatur des Ausstellers", "Issuer's signature"),
    "status": ("Nicht widerrufen oder gesperrt", "Not revoked or suspended"),
    "expiry": ("Gültigkeitsdauer", "Validity period"),
}

# The kinds of document (claims["doc_type"]) in words; the same as the web page's (verifier/web/i18n.py), here so
# the CLI need not load the web app.
DOC_TYPES: dict[str, tuple[str, str]] = {
    "zeugnis": ("Zeugnis", "School certificate"),
    "urkunde": ("Urkunde", "Certificate"),
    "gewerbeauskunft": ("Gewerbeauskunft", "Trade register extract"),
    "familienpass": ("Familienpass", "Family pass"),
}

# Where the proof came from (VerificationResult.source), in words.
SOURCE_WORDS: dict[str, tuple[str, str]] = {
    "pdf": ("in der PDF-Datei eingebettet", "embedded in the PDF file"),
    "pdf+proof": ("separate Nachweisdatei", "separate proof file"),
    "qr": ("Text eines QR-Codes", "text of a QR code"),
    "scan": ("QR-Code in einem gescannten PDF", "QR code in a scanned PDF"),
    "photo": ("QR-Code in einem Bild", "QR code in an image"),
}


def doc_type_word(code: str, lang: str) -> str:
    pair = DOC_TYPES.get(code)
    return code if pair is None else pair[0] if lang == "de" else pair[1]


# Heading over the key facts (format 1.1): they are only worth something if the reader holds them against the paper.
FACTS_HEADING: tuple[str, str] = (
    "Mit dem Papier vergleichen – diese Angaben müssen genau so auf dem Dokument stehen:",
    "Compare with the paper – the document must show exactly these details:",
)

_TEXTS: dict[Reason, tuple[str, str]] = {
    # the city's seal (docs/seal.md; verifier/seal_check.py has the texts that name the sealer)
    Reason.NO_SEAL: ("Das Dokument trägt kein elektronisches Siegel.", "The document carries no electronic seal."),
    Reason.SEAL_MISSING: (
        "Das Register verlangt ein elektronisches Siegel; das Dokument trägt keines.",
        "The registry requires an electronic seal; the document carries none.",
    ),
    Reason.SEAL_BROKEN: ("Das elektronische Siegel ist beschädigt.", "The electronic seal is broken."),
    Reason.SEAL_NOT_COVERING: (
        "Das elektronische Siegel deckt das Dokument nicht vollständig ab.",
        "The electronic seal does not cover the whole document.",
    ),
    Reason.SEAL_UNTRUSTED: (
        "Das Siegelzertifikat stammt nicht von einer für dieses Register vertrauenswürdigen Stelle.",
        "The seal certificate does not chain to an authority trusted for this registry.",
    ),
    Reason.SEAL_WEAK_ALGORITHM: (
        "Das Siegel verwendet ein zu schwaches Verfahren (Hash oder Schlüssellänge).",
        "The seal uses an algorithm that is too weak (hash or key length).",
    ),
    Reason.SEAL_EXPIRED: ("Das Siegelzertifikat ist abgelaufen.", "The seal certificate has expired."),
    Reason.SEAL_REVOKED: ("Das Siegelzertifikat ist gesperrt.", "The seal certificate has been revoked."),
    Reason.SEAL_NOT_BOUND: (
        "Das Siegel gehört nicht zum Aussteller dieses Dokuments.",
        "The seal does not belong to the issuer of this document.",
    ),
    Reason.SEAL_EXTRA_SIGNATURE: ("Nach dem Siegel hat jemand weiter signiert.", "Someone signed after the seal."),
    Reason.SEAL_UNREADABLE: ("Das Siegel ist nicht lesbar.", "The seal cannot be read."),
    Reason.NOT_APPLICABLE: ("Entfällt bei dieser Art der Prüfung.", "Does not apply to this kind of check."),
    Reason.NOT_REACHED: (
        "Nicht geprüft: Eine frühere Prüfung hat schon entschieden oder war nicht möglich.",
        "Not checked: an earlier check already decided, or could not be done.",
    ),
    Reason.NO_PROOF: (
        "In der Datei wurde kein digitaler Echtheitsnachweis gefunden. Ob das Dokument echt ist, lässt sich so "
        "nicht prüfen.",
        "No digital proof of authenticity was found in the file. Whether the document is genuine cannot be "
        "checked this way.",
    ),
    Reason.MALFORMED_PROOF: (
        "Der Echtheitsnachweis ist beschädigt oder gefälscht.",
        "The proof of authenticity is damaged or forged.",
    ),
    Reason.UNREADABLE_PDF: (
        "Die Datei ist kein lesbares PDF; sie ist beschädigt oder unvollständig.",
        "The file is not a readable PDF; it is damaged or incomplete.",
    ),
    Reason.NO_QR_CODE: ("Im Bild wurde kein lesbarer QR-Code gefunden.", "No readable QR code was found in the image."),
    Reason.NOT_A_NOTARY_QR: (
        "Der QR-Code ist kein Prüfcode dieses Systems.",
        "The QR code is not a verification code of this system.",
    ),
    Reason.IMAGE_UNREADABLE: (
        "Das Bild oder der QR-Code darauf lässt sich nicht lesen.",
        "The image, or the QR code in it, cannot be read.",
    ),
    Reason.IMAGE_TOO_SMALL: (
        "Der QR-Code ist auf dem Bild zu klein, um ihn zu lesen.",
        "The QR code is too small in the image to be read.",
    ),
    Reason.IMAGE_BLURRED: (
        "Das Bild ist zu unscharf, um den QR-Code zu lesen.",
        "The image is too blurred to read the QR code.",
    ),
    Reason.SCAN_WITHOUT_QR: (
        "Die Datei enthält keinen digitalen Echtheitsnachweis, und auf ihren Seiten wurde kein lesbarer "
        "Prüf-QR-Code gefunden.",
        "The file holds no digital proof of authenticity, and no readable verification QR code was found on its pages.",
    ),
    Reason.UNSUPPORTED_FILE: (
        "Die Datei ist weder ein PDF noch ein Bild (PNG, JPEG oder WebP).",
        "The file is neither a PDF nor an image (PNG, JPEG or WebP).",
    ),
    Reason.EMPTY_FILE: ("Die Datei ist leer.", "The file is empty."),
    Reason.TOO_LARGE: ("Die Datei ist zu groß für die Prüfung.", "The file is too large to be checked."),
    Reason.TIMED_OUT: (
        "Die Prüfung dauerte zu lange und wurde abgebrochen.",
        "The check took too long and was stopped.",
    ),
    Reason.TOO_COMPLEX: (
        "Die Datei brauchte zu viel Speicher oder Rechenzeit und wurde nicht weiter gelesen.",
        "The file needed too much memory or computing time and was not read further.",
    ),
    Reason.UNKNOWN_FIELD: (
        "Der Echtheitsnachweis enthält Angaben, die nicht unterschrieben sind. Er wurde verändert.",
        "The proof of authenticity holds data nobody signed. It was changed.",
    ),
    Reason.NON_CANONICAL: (
        "Der Echtheitsnachweis ist nicht in der einzig zulässigen Schreibweise. Er wurde verändert.",
        "The proof of authenticity is not in its one allowed spelling. It was changed.",
    ),
    Reason.DISALLOWED_TEXT: (
        "Die Angaben im Nachweis enthalten unsichtbare oder unzulässige Zeichen, die den Text verfälschen können.",
        "The details in the proof contain invisible or forbidden characters that can disguise the text.",
    ),
    Reason.UNSUPPORTED_VERSION: (
        "Der Nachweis hat eine neuere Formatversion, die diese Prüfstelle noch nicht prüfen kann.",
        "The proof has a newer format version that this verifier cannot check yet.",
    ),
    Reason.UNTRUSTED_REGISTRY: (
        "Der Nachweis verweist auf ein Register, dem diese Prüfstelle nicht vertraut. Jeder kann ein eigenes "
        "Register anlegen und sich darin beliebig nennen.",
        "The proof points to a registry this verifier does not trust. Anyone can create a registry and give "
        "himself any name in it.",
    ),
    Reason.WRONG_CHAIN: (
        "Die Prüfstelle ist mit der falschen Blockchain verbunden; die Echtheit konnte nicht geprüft werden.",
        "The verifier is connected to the wrong blockchain; authenticity could not be checked.",
    ),
    Reason.LENGTH_MISMATCH: (
        "Die Datei ist kürzer oder länger als das beglaubigte Original.",
        "The file is shorter or longer than the notarised original.",
    ),
    Reason.HASH_MISMATCH: (
        "Der Inhalt des Dokuments wurde nach der Beglaubigung verändert.",
        "The document's content was changed after it was notarised.",
    ),
    Reason.FILE_REWRITTEN: (
        "Die Datei wurde neu geschrieben (zum Beispiel mit einem PDF-Programm neu gespeichert). Auch wenn sie "
        "gleich aussieht, ist es nicht mehr die beglaubigte Datei.",
        "The file was rewritten (for example re-saved by a PDF program). Even if it looks the same, it is no "
        "longer the notarised file.",
    ),
    Reason.UPDATE_MISMATCH: (
        "Der angefügte Prüfvermerk (QR-Code oder Nachweis) ist nicht der ursprüngliche.",
        "The appended verification stamp (QR code or proof) is not the original one.",
    ),
    Reason.EXTRA_CONTENT: (
        "Nach der Beglaubigung wurde etwas an die Datei angehängt, z. B. überlagerter Text.",
        "Something was appended to the file after notarisation, e.g. overlaid text.",
    ),
    Reason.NOT_IN_BATCH: (
        "Der Nachweis passt nicht zu diesem Dokument oder diesen Angaben.",
        "The proof does not match this document or these details.",
    ),
    Reason.NOT_ANCHORED: (
        "Dieses Dokument ist im Register nicht verankert.",
        "This document is not anchored in the registry.",
    ),
    Reason.COUNT_MISMATCH: (
        "Die Angaben zur Beglaubigung stimmen nicht mit dem Register überein.",
        "The notarisation details do not match the registry.",
    ),
    Reason.ISSUER_MISMATCH: (
        "Der Nachweis nennt einen anderen Aussteller als das Register.",
        "The proof names a different issuer than the registry.",
    ),
    Reason.ISSUER_NOT_AUTHORISED: (
        "Der Aussteller war zum Zeitpunkt der Ausstellung nicht berechtigt.",
        "The issuer was not authorised at the time of issue.",
    ),
    Reason.ISSUER_COMPROMISED: (
        "Der Schlüssel des Ausstellers galt zum Zeitpunkt der Ausstellung als kompromittiert.",
        "The issuer's key was marked compromised at the time of issue.",
    ),
    Reason.BAD_SIGNATURE: (
        "Die digitale Signatur des Ausstellers passt nicht.",
        "The issuer's digital signature does not match.",
    ),
    Reason.REVOKED: ("Das Dokument wurde widerrufen.", "The document was revoked."),
    Reason.SUSPENDED: ("Das Dokument ist vorläufig gesperrt.", "The document is suspended for now."),
    Reason.EXPIRED: ("Das Dokument ist abgelaufen.", "The document has expired."),
    Reason.CHAIN_UNREACHABLE: (
        "Die Blockchain war nicht erreichbar; die Echtheit konnte nicht geprüft werden.",
        "The blockchain could not be reached; authenticity could not be checked.",
    ),
    Reason.WITNESSES_DISAGREE: (
        "Die Blockchain-Knoten dieser Prüfstelle widersprechen sich; die Echtheit konnte nicht geprüft werden.",
        "This verifier's blockchain nodes contradict each other; authenticity could not be checked.",
    ),
    Reason.INTERNAL_ERROR: (
        "Bei der Prüfung ist ein interner Fehler aufgetreten.",
        "An internal error occurred during the check.",
    ),
}

# Why a check does not apply (SKIPPED, not-applicable), per check: "not needed" would be a wrong reason.
_NOT_APPLICABLE: dict[str, tuple[str, str]] = {
    "integrity": (
        "Entfällt: Ein QR-Code bestätigt Angaben, keine Datei.",
        "Does not apply: a QR code confirms details, not a file.",
    ),
    "notarisation-update": (
        "Entfällt: Es wurde keine gestempelte PDF-Datei geprüft.",
        "Does not apply: no stamped PDF file was checked.",
    ),
    "expiry": ("Entfällt: Das Dokument hat kein Ablaufdatum.", "Does not apply: the document has no expiry date."),
}

_OK: dict[str, tuple[str, str]] = {
    "format": ("Der digitale Nachweis ist vollständig und lesbar.", "The digital proof is complete and readable."),
    "registry": ("Das Register ist dieser Prüfstelle bekannt.", "The registry is known to this verifier."),
    "integrity": (
        "Das Dokument ist Byte für Byte das beglaubigte Original.",
        "The document is byte for byte the notarised original.",
    ),
    "notarisation-update": (
        "Nach der Beglaubigung wurde nur der Prüfvermerk angefügt, sonst nichts.",
        "After notarisation only the verification stamp was added, nothing else.",
    ),
    "inclusion": (
        "Das Dokument gehört zu den Dokumenten, die der Aussteller gemeinsam beglaubigt hat.",
        "The document is one of the documents the issuer notarised together.",
    ),
    "anchor": ("Die Beglaubigung ist in der Blockchain verankert.", "The notarisation is anchored on the blockchain."),
    "issuer": (
        "Der Aussteller war zum Zeitpunkt der Ausstellung berechtigt.",
        "The issuer was authorised at the time of issue.",
    ),
    "signature": ("Die Signatur des Ausstellers ist echt.", "The issuer's signature is genuine."),
    "status": ("Das Dokument ist weder widerrufen noch gesperrt.", "The document is neither revoked nor suspended."),
    "expiry": ("Das Dokument ist nicht abgelaufen.", "The document has not expired."),
}


def texts(check: str, reason: Reason) -> tuple[str, str]:
    """(German, English) for a check's outcome."""
    if reason is Reason.OK:
        return _OK[check]
    if reason is Reason.NOT_APPLICABLE and check in _NOT_APPLICABLE:
        return _NOT_APPLICABLE[check]
    return _TEXTS[reason]


# ---------------------------------------------------------------------- the verdict in words (CLI, web, API)

VERDICT_HEADLINES: dict[Verdict, tuple[str, str]] = {
    Verdict.VALID: ("Gültig", "Valid"),
    Verdict.INVALID: ("Ungültig", "Not valid"),
    Verdict.REVOKED: ("Widerrufen", "Revoked"),
    Verdict.SUSPENDED: ("Vorläufig gesperrt", "Suspended"),
    Verdict.EXPIRED: ("Abgelaufen", "Expired"),
    Verdict.NOT_CHECKABLE: ("Nicht prüfbar", "Cannot be checked"),
}

# A QR verdict confirms claims, not a paper: its headline says so.
CLAIMS_CONFIRMED: tuple[str, str] = (
    "Angaben bestätigt – bitte mit dem Papier vergleichen",
    "Details confirmed – please compare them with the paper",
)

STATUS_WORDS: dict[Status, tuple[str, str]] = {
    Status.VALID: ("bestanden", "passed"),
    Status.INVALID: ("nicht bestanden", "failed"),
    Status.ERROR: ("nicht prüfbar", "could not be checked"),
    Status.SKIPPED: ("entfällt", "does not apply"),
}

# The deciding sentence of a VALID verdict, by scope.
VALID_TEXTS: dict[str, tuple[str, str]] = {
    "document": (
        "Das Dokument ist echt und seit der Ausstellung unverändert.",
        "The document is genuine and unchanged since it was issued.",
    ),
    "claims": (
        "Der QR-Code ist echt: Diese Angaben wurden so ausgestellt.",
        "The QR code is genuine: these details were issued as shown.",
    ),
}

# What a QR code does not cover (guarantee 7): said beside every claims verdict.
QR_NOT_COVERED: tuple[str, str] = (
    "Der QR-Code bestätigt nur die hier genannten Angaben, nicht den übrigen Inhalt des Papiers (zum Beispiel "
    "weitere Noten oder Unterschriften). Stimmt eine Angabe nicht genau mit dem Papier überein, ist das Papier "
    "nicht echt.",
    "The QR code confirms only the details listed here, not the rest of the paper (for example other grades or "
    "signatures). If any detail differs from the paper, the paper is not genuine.",
)

# Labels of the claims, for people (the JSON keeps the keys).
CLAIM_LABELS: dict[str, tuple[str, str]] = {
    "doc_type": ("Art des Dokuments", "Kind of document"),
    "title": ("Titel", "Title"),
    "holder": ("Inhaber/in", "Holder"),
    "issued_on": ("Ausgestellt am", "Issued on"),
    "valid_until": ("Gültig bis", "Valid until"),
    "issuer_ref": ("Zeichen des Ausstellers", "Issuer's reference"),
}

_ASK_ISSUER = (
    "Fragen Sie beim Aussteller nach, ob das Dokument echt ist, oder lassen Sie es sich direkt von dort schicken.",
    "Ask the issuer whether the document is genuine, or have it sent to you by the issuer directly.",
)
_TRY_LATER = ("Bitte versuchen Sie es später noch einmal.", "Please try again later.")
# the sizes are those verifier/scan_quality.py judges by (MIN_LONG_SIDE with a margin, a 200-dpi scan)
_RETAKE = (
    "Bitte das ganze Blatt bei gutem Licht, scharf und formatfüllend fotografieren, mindestens 1600 Pixel an der "
    "langen Seite, oder mit mindestens 200 dpi scannen.",
    "Please photograph the whole page in good light, in focus and filling the frame, at least 1600 pixels on the "
    "long side, or scan it at 200 dpi or more.",
)

# What the reader can do, by deciding reason (None: nothing useful to add).
ADVICE: dict[Reason, tuple[str, str]] = {
    Reason.NO_PROOF: (
        "Liegt Ihnen das Dokument auf Papier vor, prüfen Sie den QR-Code auf dem Papier (Foto oder Scan). Sonst "
        "bitten Sie den Aussteller um die digital beglaubigte Datei.",
        "If you have the document on paper, check the QR code on the paper (photo or scan). Otherwise ask the "
        "issuer for the digitally notarised file.",
    ),
    Reason.SCAN_WITHOUT_QR: (
        "Bitte die Seite mit dem QR-Code mit mindestens 200 dpi scannen oder fotografieren, oder die Original-PDF "
        "vom Aussteller verwenden. Ohne QR-Code lässt sich ein Papierdokument hier nicht prüfen.",
        "Please scan the page with the QR code at 200 dpi or more, or photograph it, or use the original PDF from "
        "the issuer. Without a QR code a paper document cannot be checked here.",
    ),
    Reason.NO_QR_CODE: (
        "Der QR-Code muss vollständig zu sehen sein. " + _RETAKE[0],
        "The whole QR code must be visible. " + _RETAKE[1],
    ),
    Reason.IMAGE_TOO_SMALL: _RETAKE,
    Reason.IMAGE_BLURRED: (
        "Bitte die Kamera ruhig halten und scharf stellen. " + _RETAKE[0],
        "Please hold the camera still and let it focus. " + _RETAKE[1],
    ),
    Reason.IMAGE_UNREADABLE: (
        "Ist der QR-Code zu sehen, aber nicht lesbar (Spiegelung, Knick oder abgeschnitten): "
        + _RETAKE[0]
        + " Lässt sich die Datei selbst nicht öffnen, speichern Sie das Bild als PNG oder JPEG.",
        "If the QR code is visible but cannot be read (glare, a fold, or cut off): "
        + _RETAKE[1]
        + " If the file itself cannot be opened, save the picture as PNG or JPEG.",
    ),
    Reason.UNREADABLE_PDF: (
        "Bitten Sie um eine vollständige Kopie der Datei, wie sie ausgestellt wurde.",
        "Ask for a complete copy of the file as it was issued.",
    ),
    Reason.UNSUPPORTED_FILE: (
        "Prüfen können Sie ein PDF, ein Foto oder einen Scan des QR-Codes (PNG, JPEG oder WebP).",
        "You can check a PDF, or a photo or scan of the QR code (PNG, JPEG or WebP).",
    ),
    Reason.NOT_A_NOTARY_QR: (
        "Prüfen Sie den QR-Code im Prüfvermerk des Dokuments, nicht einen anderen QR-Code auf dem Papier.",
        "Check the QR code in the document's verification stamp, not another QR code on the paper.",
    ),
    Reason.UNSUPPORTED_VERSION: _TRY_LATER,
    Reason.CHAIN_UNREACHABLE: _TRY_LATER,
    Reason.WITNESSES_DISAGREE: _TRY_LATER,
    Reason.WRONG_CHAIN: _TRY_LATER,
    Reason.INTERNAL_ERROR: _TRY_LATER,
    Reason.TOO_LARGE: (
        "Prüfen Sie statt der ganzen Datei ein Foto oder einen Scan des QR-Codes.",
        "Instead of the whole file, check a photo or scan of the QR code.",
    ),
    Reason.TIMED_OUT: _TRY_LATER,
    Reason.TOO_COMPLEX: (
        "Prüfen Sie statt der ganzen Datei ein Foto oder einen Scan des QR-Codes.",
        "Instead of the whole file, check a photo or scan of the QR code.",
    ),
    Reason.FILE_REWRITTEN: (
        "Bitten Sie um die Datei, wie sie ausgestellt wurde: nicht neu gespeichert, nicht ausgedruckt und wieder "
        "eingescannt.",
        "Ask for the file exactly as it was issued: not re-saved, not printed and scanned again.",
    ),
    Reason.UNTRUSTED_REGISTRY: _ASK_ISSUER,
    Reason.REVOKED: (
        "Fragen Sie beim Aussteller nach dem aktuell gültigen Dokument.",
        "Ask the issuer for the document currently in force.",
    ),
    Reason.SUSPENDED: (
        "Fragen Sie beim Aussteller nach, warum das Dokument gesperrt ist.",
        "Ask the issuer why the document is suspended.",
    ),
    Reason.EXPIRED: (
        "Fragen Sie beim Aussteller nach einem aktuellen Dokument.",
        "Ask the issuer for a current document.",
    ),
}

# Every other INVALID reason: evidence against the document; the issuer is who can say more.
INVALID_ADVICE: tuple[str, str] = _ASK_ISSUER


def reason_texts(reason: Reason) -> tuple[str, str]:
    """(German, English) for a reason on its own, without any check's details."""
    return _TEXTS[reason]


# ---------------------------------------------------------------------- dates and times, as people write them

_MONTHS = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip
LOCAL_TIME = ZoneInfo("Europe/Berlin")  # the verifier's legal time zone (expiry is judged in it too)


def format_date(day: dt.date, lang: str) -> str:
    """15. Juli 2025 / 15 July 2025."""
    month = _MONTHS["de" if lang == "de" else "en"][day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "de" else f"{day.day} {month} {day.year}"


def format_timestamp(seconds: int, lang: str) -> str:
    """30. November 2026, 14:05 Uhr / 30 November 2026, 14:05 (German time, which the documents are issued in)."""
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(LOCAL_TIME)
    clock = f"{moment:%H:%M}"
    return f"{format_date(moment.date(), lang)}, {clock}" + (" Uhr" if lang == "de" else "")


def format_iso_date(text: str, lang: str) -> str:
    """A claim's ISO date in words; any other text as it is."""
    try:
        return format_date(dt.date.fromisoformat(text), lang)
    except (TypeError, ValueError):
        return text
