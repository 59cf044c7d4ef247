"""What each check says, in German and English, for a layperson. Keyed by (check name, reason code)."""

from __future__ import annotations

from verifier.result import Reason

# Check names, in pipeline order, with their titles.
CHECK_TITLES: dict[str, tuple[str, str]] = {
    "format": ("Nachweis lesbar", "Proof readable"),
    "registry": ("Vertrauenswürdiges Register", "Trusted registry"),
    "integrity": ("Dokument unverändert", "Document unchanged"),
    "notarisation-update": ("Nur der Prüfvermerk angefügt", "Only the verification stamp added"),
    "inclusion": ("Teil eines beglaubigten Stapels", "Part of a notarised batch"),
    "anchor": ("In der Blockchain verankert", "Anchored on the blockchain"),
    "issuer": ("Aussteller berechtigt", "Issuer authorised"),
    "signature": ("Signatur des Ausstellers", "Issuer's signature"),
    "status": ("Nicht widerrufen oder gesperrt", "Not revoked or suspended"),
    "expiry": ("Gültigkeitsdauer", "Validity period"),
}

# Heading over the key facts (format 1.1): they are only worth something if the reader holds them against the paper.
FACTS_HEADING: tuple[str, str] = (
    "Mit dem Papier vergleichen – diese Angaben müssen genau so auf dem Dokument stehen:",
    "Compare with the paper – the document must show exactly these details:",
)

_TEXTS: dict[Reason, tuple[str, str]] = {
    Reason.NOT_APPLICABLE: ("Für diese Art der Prüfung nicht nötig.", "Not needed for this kind of check."),
    Reason.NOT_REACHED: (
        "Nicht geprüft, weil eine frühere Prüfung fehlschlug.",
        "Not checked because an earlier check failed.",
    ),
    Reason.NO_PROOF: (
        "Die Datei enthält keinen digitalen Echtheitsnachweis. Sie wurde nicht mit diesem System ausgestellt "
        "oder der Nachweis wurde entfernt.",
        "The file holds no digital proof of authenticity. It was not issued with this system, or the proof "
        "was removed.",
    ),
    Reason.MALFORMED_PROOF: (
        "Der Echtheitsnachweis ist beschädigt oder gefälscht.",
        "The proof of authenticity is damaged or forged.",
    ),
    Reason.UNREADABLE_PDF: ("Die Datei ist kein lesbares PDF.", "The file is not a readable PDF."),
    Reason.NO_QR_CODE: ("Im Bild wurde kein QR-Code gefunden.", "No QR code was found in the image."),
    Reason.NOT_A_NOTARY_QR: (
        "Der QR-Code ist kein Prüfcode dieses Systems.",
        "The QR code is not a verification code of this system.",
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
        "Der Blockchain-Knoten gehört zu einer anderen Kette als erwartet.",
        "The blockchain node belongs to another chain than expected.",
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
        "Die Angaben zum Stapel stimmen nicht mit dem Register überein.",
        "The batch details do not match the registry.",
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
        "Die Blockchain war nicht erreichbar; die Echtheit konnte nicht geprüft werden. Bitte später erneut versuchen.",
        "The blockchain could not be reached; authenticity could not be checked. Please try again later.",
    ),
    Reason.WITNESSES_DISAGREE: (
        "Die Blockchain-Knoten dieser Prüfstelle widersprechen sich; die Echtheit konnte nicht geprüft werden. "
        "Bitte später erneut versuchen.",
        "This verifier's blockchain nodes contradict each other; authenticity could not be checked. "
        "Please try again later.",
    ),
    Reason.INTERNAL_ERROR: (
        "Bei der Prüfung ist ein interner Fehler aufgetreten.",
        "An internal error occurred during the check.",
    ),
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
        "Das Dokument gehört zu einem beglaubigten Stapel.",
        "The document belongs to a notarised batch.",
    ),
    "anchor": ("Der Stapel ist in der Blockchain verankert.", "The batch is anchored on the blockchain."),
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
    return _TEXTS[reason]
