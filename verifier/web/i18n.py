"""The page's own words in German and English, and which language a request gets.

Check texts live in :mod:`verifier.messages` (shared with the CLI); this module holds only what the web page
adds around them. German is the default: the page serves German schools and city offices first.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["de", "en"]
LANGS: tuple[Lang, ...] = ("de", "en")
DEFAULT_LANG: Lang = "de"


def negotiate(query: str | None, accept_language: str | None) -> Lang:
    """``?lang=`` wins; else the best of de/en in Accept-Language; else German."""
    if query in LANGS:
        return query
    best: tuple[float, int, Lang] | None = None
    for position, item in enumerate((accept_language or "")[:512].split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        if primary not in LANGS:
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if quality <= 0:
            continue
        candidate = (quality, -position, primary)
        if best is None or candidate > best:
            best = candidate
    return best[2] if best else DEFAULT_LANG


# Keyed by the JSON values (not the enums): the verdict vocabulary grows (ERROR became NOT_CHECKABLE) and the
# page must render results of either spelling.
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "VALID": ("Gültig", "Valid"),
    "INVALID": ("Ungültig", "Invalid"),
    "REVOKED": ("Widerrufen", "Revoked"),
    "SUSPENDED": ("Gesperrt", "Suspended"),
    "EXPIRED": ("Abgelaufen", "Expired"),
    "NOT_CHECKABLE": ("Nicht prüfbar", "Cannot be checked"),
    "ERROR": ("Nicht prüfbar", "Cannot be checked"),
}

# What a QR code (or a scan or photo of the paper) can confirm is the claims it carries, not the paper itself.
CLAIMS_CONFIRMED: tuple[str, str] = (
    "Angaben bestätigt – bitte mit dem Papier vergleichen",
    "Details confirmed – compare with the paper",
)

VERDICT_SUMMARIES: dict[str, tuple[str, str]] = {
    "VALID": (
        "Das Dokument ist echt und unverändert. Es wurde von dem genannten Aussteller beglaubigt.",
        "The document is genuine and unchanged. It was notarised by the issuer named.",
    ),
    "INVALID": (
        "Dieses Dokument ist nicht echt oder wurde verändert. Verlassen Sie sich nicht darauf.",
        "This document is not genuine or was changed. Do not rely on it.",
    ),
    "REVOKED": (
        "Das Dokument wurde vom Aussteller widerrufen und gilt nicht mehr.",
        "The issuer has revoked this document; it is no longer valid.",
    ),
    "SUSPENDED": (
        "Das Dokument ist vorläufig gesperrt. Bitte fragen Sie beim Aussteller nach.",
        "The document is suspended for now. Please ask the issuer.",
    ),
    "EXPIRED": (
        "Das Dokument war echt, aber seine Gültigkeit ist abgelaufen.",
        "The document was genuine, but its period of validity has ended.",
    ),
    "NOT_CHECKABLE": (
        "Die Echtheit konnte nicht geprüft werden. Das heißt nicht, dass das Dokument falsch ist.",
        "Authenticity could not be checked. This does not mean the document is false.",
    ),
    "ERROR": (
        "Die Echtheit konnte nicht geprüft werden. Das heißt nicht, dass das Dokument falsch ist.",
        "Authenticity could not be checked. This does not mean the document is false.",
    ),
}

VERDICT_SUMMARIES_CLAIMS: dict[str, tuple[str, str]] = {
    "VALID": (
        "Diese Angaben wurden vom genannten Aussteller beglaubigt. Sie müssen genau so auf dem Papier stehen.",
        "The issuer named notarised these details. The paper must show exactly the same.",
    ),
}

# Why a document could not be checked, as a short sub-heading under "Nicht prüfbar" (reason code -> words).
# The decision message from the verifier says more; this line is what a reader takes in at a glance.
NOT_CHECKABLE_REASONS: dict[str, tuple[str, str]] = {
    "no-proof": ("Kein Nachweis gefunden", "No proof found"),
    "no-qr-code": ("Kein QR-Code gefunden", "No QR code found"),
    "no-qr-in-scan": ("Kein QR-Code im gescannten Dokument gefunden", "No QR code found in the scanned document"),
    "scan-without-qr": ("Kein QR-Code im gescannten Dokument gefunden", "No QR code found in the scanned document"),
    "image-unreadable": ("Bild nicht lesbar", "Image not readable"),
    "image-too-small": ("QR-Code im Bild zu klein", "QR code too small in the picture"),
    "image-blurred": ("Bild zu unscharf", "Picture too blurred"),
    "chain-unreachable": ("Register gerade nicht erreichbar", "Registry not reachable just now"),
    "witnesses-disagree": ("Register gerade nicht erreichbar", "Registry not reachable just now"),
    "unsupported-version": ("Nachweis einer neueren Version", "Proof of a newer version"),
    "internal-error": ("Prüfung abgebrochen", "Check stopped"),
    "not-a-notary-qr": ("Kein Prüfcode dieses Systems", "Not a verification code of this system"),
    "unreadable-pdf": ("Datei nicht lesbar", "File not readable"),
    "unsupported-file": ("Dateiart wird nicht unterstützt", "File type not supported"),
    "too-large": ("Datei zu groß", "File too large"),
    "timed-out": ("Prüfung dauerte zu lange", "Check took too long"),
    "too-complex": ("Datei zu aufwendig zu lesen", "File too complex to read"),
    "wrong-chain": ("Register gerade nicht erreichbar", "Registry not reachable just now"),
}

NOT_FALSE: tuple[str, str] = (
    "Das heißt nicht, dass das Dokument falsch ist.",
    "This does not mean the document is false.",
)

NOT_CHECKABLE_ADVICE: tuple[str, str] = (
    "Bitten Sie um die PDF-Datei des Dokuments, oder fotografieren Sie den QR-Code noch einmal: "
    "gerade von oben, scharf, gut beleuchtet und so groß, dass er das Bild zur Hälfte füllt.",
    "Ask for the document's PDF file, or photograph the QR code again: straight from above, in focus, well lit "
    "and large enough to fill half the picture.",
)

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "VALID": ("bestanden", "passed"),
    "INVALID": ("nicht bestanden", "failed"),
    "ERROR": ("nicht prüfbar", "could not be checked"),
    "NOT_CHECKABLE": ("nicht prüfbar", "could not be checked"),
    "SKIPPED": ("entfällt", "not applicable"),
}

MONTHS: tuple[tuple[str, str], ...] = (
    ("Januar", "January"), ("Februar", "February"), ("März", "March"), ("April", "April"), ("Mai", "May"),
    ("Juni", "June"), ("Juli", "July"), ("August", "August"), ("September", "September"),
    ("Oktober", "October"), ("November", "November"), ("Dezember", "December"),
)  # fmt: skip

DOC_TYPES: dict[str, tuple[str, str]] = {
    "zeugnis": ("Zeugnis", "School certificate"),
    "urkunde": ("Urkunde", "Certificate"),
    "gewerbeauskunft": ("Gewerbeauskunft", "Trade register extract"),
    "familienpass": ("Familienpass", "Family pass"),
}

UI: dict[str, tuple[str, str]] = {
    "site_title": ("Dokumente prüfen", "Verify documents"),
    "intro": (
        "Prüfen Sie, ob ein Zeugnis oder eine Urkunde echt ist, von wem es stammt und ob es widerrufen wurde. "
        "Sie brauchen kein Konto und keine App.",
        "Check whether a certificate is genuine, who issued it and whether it was revoked. "
        "You need no account and no app.",
    ),
    "skip": ("Zum Inhalt springen", "Skip to content"),
    "lang_switch": ("English", "Deutsch"),
    "upload_heading": ("PDF-Datei oder Foto des QR-Codes hochladen", "Upload the PDF file or a photo of the QR code"),
    "file_label": ("Datei auswählen (PDF, PNG oder JPEG)", "Choose a file (PDF, PNG or JPEG)"),
    "file_hint": (
        "Am Telefon können Sie hier auch direkt ein Foto des QR-Codes aufnehmen.",
        "On a phone you can also take a photo of the QR code here.",
    ),
    "drop_hint": ("Sie können die Datei auch hierher ziehen.", "You can also drag the file here."),
    "check_button": ("Prüfen", "Check"),
    "scan_heading": ("QR-Code mit der Kamera scannen", "Scan the QR code with the camera"),
    "scan_start": ("Kamera starten", "Start camera"),
    "scan_stop": ("Kamera beenden", "Stop camera"),
    "scan_running": (
        "Kamera läuft. Halten Sie den QR-Code ruhig ins Bild.",
        "Camera running. Hold the QR code steady in view.",
    ),
    "scan_found": ("QR-Code erkannt, wird geprüft …", "QR code found, checking …"),
    "scan_denied": (
        "Kein Zugriff auf die Kamera. Laden Sie stattdessen ein Foto hoch.",
        "No access to the camera. Upload a photo instead.",
    ),
    "scan_video_label": ("Kamerabild", "Camera view"),
    "paste_heading": ("Text des QR-Codes einfügen", "Paste the text of the QR code"),
    "paste_label": (
        "Text des QR-Codes (beginnt mit NT1:)",
        "Text of the QR code (starts with NT1:)",
    ),
    "privacy": (
        "Hochgeladene Dateien werden nur im Arbeitsspeicher geprüft und nie gespeichert.",
        "Uploaded files are checked in memory and never stored.",
    ),
    "result_heading": ("Ergebnis der Prüfung", "Result of the check"),
    "verdict_prefix": ("Ergebnis:", "Result:"),
    "not_production": (
        "Achtung: Testsystem – keine Produktiv-Blockchain. Dieses Ergebnis hat keine rechtliche Bedeutung.",
        "Warning: test system – not a production chain. This result has no legal standing.",
    ),
    "issuer": ("Aussteller", "Issuer"),
    "issuer_name": ("Eingetragener Name", "Registered name"),
    "issuer_address": ("Kennung des Ausstellers (Adresse)", "Issuer's identifier (address)"),
    "registry": ("Register", "Registry"),
    "anchor": ("Verankerung in der Blockchain", "Anchoring on the blockchain"),
    "chain": ("Blockchain (Chain-ID)", "Blockchain (chain ID)"),
    "block": ("Block", "Block"),
    "anchored_at": ("Zeitpunkt", "Time"),
    "transaction": ("Transaktion", "Transaction"),
    "sealed_by": ("Gesiegelt von", "Sealed by"),
    "seal": ("Elektronisches Siegel", "Electronic seal"),
    "seal_status": ("Prüfung des Siegels", "Seal check"),
    "seal_fingerprint": ("Fingerabdruck des Zertifikats (SHA-256)", "Certificate fingerprint (SHA-256)"),
    "seal_cert_issuer": ("Zertifikat ausgestellt von", "Certificate issued by"),
    "seal_level": ("Stufe (PAdES)", "Level (PAdES)"),
    "seal_signed_at": ("Gesiegelt am", "Sealed at"),
    "seal_timestamped_at": ("Zeitstempel", "Timestamp"),
    "seal_bound": ("Gehört zum Aussteller", "Belongs to the issuer"),
    "seal_bound_yes": ("Ja", "Yes"),
    "seal_bound_no": ("Nein", "No"),
    "seal_not_deciding": (
        "Das Siegel ist nicht gültig. Das Ergebnis oben betrifft das in der Blockchain verankerte Dokument und "
        "bleibt davon unberührt – verlassen Sie sich aber nicht auf dieses Siegel.",
        "The seal is not valid. The result above is about the document anchored on the blockchain and is not "
        "changed by it – but do not rely on this seal.",
    ),
    "seal_decides": (
        "Dieses Register verlangt ein gültiges Siegel. Weil es fehlt oder nicht gültig ist, ist das Dokument ungültig.",
        "This registry requires a valid seal. Because it is missing or not valid, the document is invalid.",
    ),
    "claims": ("Angaben im Nachweis", "Details in the proof"),
    "claims_qr_note": (
        "Wichtig: Der QR-Code bestätigt nur diese Angaben. Vergleichen Sie sie genau mit dem Papier. "
        "Stimmt etwas nicht überein, ist das Papier nicht das beglaubigte Dokument.",
        "Important: the QR code confirms only these details. Compare them closely with the paper. "
        "If anything differs, the paper is not the notarised document.",
    ),
    "claims_pdf_note": (
        "Diese Angaben wurden mit dem Dokument beglaubigt.",
        "These details were notarised with the document.",
    ),
    "doc_type": ("Art", "Type"),
    "title": ("Titel", "Title"),
    "holder": ("Inhaber/in", "Holder"),
    "issued_on": ("Ausgestellt am", "Issued on"),
    "valid_until": ("Gültig bis", "Valid until"),
    "issuer_ref": ("Aktenzeichen", "Reference"),
    "checks": ("Die einzelnen Prüfungen", "The individual checks"),
    "check_column": ("Prüfung", "Check"),
    "status_column": ("Ergebnis", "Result"),
    "explanation_column": ("Erklärung", "Explanation"),
    "again": ("Weiteres Dokument prüfen", "Check another document"),
    "source_pdf": ("Geprüft: PDF-Datei", "Checked: PDF file"),
    "source_qr": ("Geprüft: QR-Code", "Checked: QR code"),
    "demo_heading": ("Zum Ausprobieren", "Try it out"),
    "demo_intro": (
        "Laden Sie ein Beispiel herunter und prüfen Sie es hier:",
        "Download a sample and check it here:",
    ),
    "api_docs": ("Programmierschnittstelle (API)", "Programming interface (API)"),
    "error_heading": ("Das hat nicht geklappt", "That did not work"),
    "back": ("Zurück zur Startseite", "Back to the start page"),
    "nothing_sent": (
        "Bitte wählen Sie eine Datei aus oder fügen Sie den Text des QR-Codes ein.",
        "Please choose a file or paste the text of the QR code.",
    ),
    "unknown": ("unbekannt", "unknown"),
    "trust_link": ("Welchen Registern diese Prüfstelle vertraut", "Which registries this verifier trusts"),
    "trust_heading": ("Vertrauensliste dieser Prüfstelle", "This verifier's trust list"),
    "trust_intro": (
        "Diese Prüfstelle erkennt nur Dokumente an, die in einem der folgenden Register verankert sind. Die Liste "
        "stammt vom Betreiber dieser Seite, nie aus einem hochgeladenen Dokument. Jeder kann ein eigenes Register "
        "anlegen und sich darin beliebig nennen; ein Dokument aus einem anderen Register gilt hier als ungültig.",
        "This verifier accepts only documents anchored in one of the registries below. The list comes from the "
        "operator of this site, never from an uploaded document. Anyone can create a registry and give himself any "
        "name in it; a document from any other registry is invalid here.",
    ),
    "trust_operator": ("Diese Prüfstelle betreibt:", "This verifier is run by:"),
    "trust_empty": ("Es ist kein Register eingetragen.", "No registry is configured."),
    "trust_name": ("Name", "Name"),
    "trust_chain": ("Blockchain (Chain-ID)", "Blockchain (chain ID)"),
    "trust_address": ("Adresse des Registers", "Registry address"),
    "trust_kind": ("Art", "Kind"),
    "trust_production": ("Produktivsystem", "Production system"),
    "trust_test": (
        "Testsystem – Ergebnisse haben keine rechtliche Bedeutung",
        "Test system – results have no legal standing",
    ),
    "trust_witnesses": ("Befragte Blockchain-Knoten", "Blockchain nodes asked"),
    "trust_witnesses_value": ("{n}, davon müssen {q} übereinstimmen", "{n}, of which {q} must agree"),
    "trust_witness_single": ("1 (ein einzelner Knoten)", "1 (a single node)"),
    "file_name": ("Geprüfte Datei", "File checked"),
    "preview_alt": ("Seite 1 des geprüften Dokuments, verkleinert", "Page 1 of the checked document, reduced"),
    "preview_caption": ("Das geprüfte Dokument (Seite 1)", "The document checked (page 1)"),
    "issued_by": ("Ausgestellt von", "Issued by"),
    "compare_heading": ("Diese Angaben müssen auf dem Papier stehen:", "The paper must show these details:"),
    "not_covered": (
        "Alles andere auf dem Papier – zum Beispiel Noten – bestätigt der QR-Code nicht.",
        "The QR code does not confirm anything else on the paper, such as grades.",
    ),
    "advice_heading": ("Was Sie tun können", "What you can do"),
    "technical_details": ("Technische Details", "Technical details"),
    "technical_intro": (
        "Für Fachleute: jede einzelne Prüfung und wo der Nachweis in der Blockchain steht.",
        "For experts: every single check and where the proof is recorded on the blockchain.",
    ),
    "source_pdf_proof": ("Geprüft: PDF-Datei mit Nachweisdatei", "Checked: PDF file with proof file"),
    "source_scan": ("Geprüft: gescanntes Dokument (PDF)", "Checked: scanned document (PDF)"),
    "source_photo": ("Geprüft: Foto", "Checked: photo"),
    "operator_heading": ("Betreiber dieser Prüfstelle", "Operator of this verifier"),
    "operator_unnamed": (
        "Für diese Prüfstelle ist kein Betreiber eingetragen (Test- oder Entwicklungsbetrieb).",
        "No operator is configured for this verifier (test or development use).",
    ),
    "contact": ("Kontakt", "Contact"),
    "impressum": ("Impressum", "Legal notice"),
    "privacy_page": ("Datenschutzerklärung", "Privacy notice"),
    "accessibility_page": ("Erklärung zur Barrierefreiheit", "Accessibility statement"),
    "logo_alt": ("Logo", "Logo"),
    "legal_nav": ("Rechtliches", "Legal"),
    "demo_link": ("Beispieldokumente zum Ausprobieren", "Sample documents to try"),
    "demo_page_intro": (
        "Diese Prüfstelle läuft im Vorführbetrieb. Laden Sie ein Beispiel herunter und prüfen Sie es auf der "
        "Startseite:",
        "This verifier runs in demonstration mode. Download a sample and check it on the start page:",
    ),
    "arrival_checking": ("Der QR-Code aus dem Link wird geprüft …", "Checking the QR code from the link …"),
    "arrival_failed": (
        "Die Prüfung hat gerade nicht geklappt. Bitte laden Sie die Seite neu oder versuchen Sie es später.",
        "The check did not work just now. Please reload the page or try again later.",
    ),
    "arrival_noscript": (
        "Sie kommen über einen QR-Code? Ohne JavaScript kann diese Seite den Code aus der Adresse nicht lesen. "
        "Kopieren Sie den Teil der Adresse nach „#“ in das Feld „Text des QR-Codes einfügen“ weiter unten.",
        "Did a QR code bring you here? Without JavaScript this page cannot read the code from the address. "
        "Copy the part of the address after “#” into the field “Paste the text of the QR code” below.",
    ),
    "impressum_missing": (
        "Der Betreiber dieser Prüfstelle hat kein Impressum hinterlegt. Eine öffentlich betriebene Prüfstelle "
        "muss eines haben: Verlassen Sie sich auf Ergebnisse dieser Seite nur, wenn Sie wissen, wer sie betreibt.",
        "The operator of this verifier has not supplied a legal notice. A verifier run for the public must have "
        "one: rely on results from this site only if you know who runs it.",
    ),
    "docs_other_lang": ("This page in English", "Diese Seite auf Deutsch"),
    "trust_witnesses_note": (
        "Hat ein Register mehrere Knoten, fragt die Prüfstelle alle. Widersprechen sie sich, lautet das Ergebnis "
        "„Nicht prüfbar“ – nie „Gültig“. So entscheidet kein einzelner Knotenbetreiber über ein Ergebnis.",
        "When a registry has several nodes, the verifier asks all of them. If they contradict each other, the "
        "result is “Cannot be checked” – never “Valid”. So no single node operator decides a result.",
    ),
}


def t(key: str, lang: Lang) -> str:
    de, en = UI[key]
    return de if lang == "de" else en


def pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "de" else pair[1]
