"""`notary verify` as people read it (issue 11), on a real anvil through the real command: a genuine PDF, a
tampered one, a plain PDF without a proof, the QR text, unreadable files and a chain that cannot be reached.
For each: the verdict, the exit code (0 valid, 1 invalid, 3 not in force, 4 not checkable, 2 usage), German text
without English words or jargon, English with --lang en, and --json printing exactly one JSON object."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from notary.core import encode_qr_text
from notary.demo import overlay_text
from tests.cli_inprocess import NOTARY, run_notary
from tests.conftest import Actors
from tests.fixtures_scans import make_photo, make_scanned_pdf
from tests.issuing import Issued, issue_samples

pytestmark = pytest.mark.anvil

# words that must never appear in the German main text: verdict and status codes, claim keys, chain jargon
ENGLISH_OR_JARGON = re.compile(
    r"\b(VALID|INVALID|ERROR|SKIPPED|NOT_CHECKABLE|REVOKED|EXPIRED|doc_type|holder|issued_on|block|tx|chain)\b"
    r"|0x[0-9a-fA-F]{6}"
)


@dataclass(frozen=True)
class Desk:
    """A verifier's desk: a user config trusting the test registry, and the files to check."""

    folder: Path
    issued: Issued
    genuine: Path
    tampered: Path
    plain: Path
    qr_text: str

    def run(self, *args: str, code: int, home: str = "home") -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
        env["XDG_CONFIG_HOME"] = str(self.folder / home)
        done = run_notary(["verify", *args], cwd=self.folder, env=env, timeout=300)  # tests/cli_inprocess.py
        assert "Traceback" not in done.stderr + done.stdout, done.stderr
        assert done.returncode == code, f"{args}: rc={done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    def json(self, *args: str, code: int, home: str = "home") -> dict[str, object]:
        done = self.run(*args, "--json", code=code, home=home)
        answer: dict[str, object] = json.loads(done.stdout)  # the whole of stdout is one JSON object
        return answer


def _trust(folder: Path, name: str, actors: Actors, rpc_url: str) -> None:
    config = folder / name / "notary"
    config.mkdir(parents=True)
    (config / "notary.toml").write_text(
        f'[[trusted]]\nname = "Stadt Mannheim"\nchain_id = {actors.registry.chain_id}\n'
        f'address = "{actors.registry.address}"\nrpc_url = "{rpc_url}"\n'
    )


@pytest.fixture(scope="module")
def desk(anvil_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    folder = tmp_path_factory.mktemp("desk")
    actors = Actors(anvil_url)
    issued = issue_samples(actors.registry, actors.issuer, folder / "school", count=2, seed=111)
    _trust(folder, "home", actors, anvil_url)
    _trust(folder, "offline", actors, "http://127.0.0.1:1")
    genuine = folder / "zeugnis.pdf"
    genuine.write_bytes(issued.notarised[0].read_bytes())
    tampered = folder / "zeugnis-geaendert.pdf"
    tampered.write_bytes(overlay_text(genuine.read_bytes(), "1,0"))
    plain = folder / "brief.pdf"
    plain.write_bytes(issued.originals[1].read_bytes())
    yield Desk(folder, issued, genuine, tampered, plain, encode_qr_text(issued.proof(0).for_qr()))


def _main_text(stdout: str) -> str:
    """Everything before the technical details and the trust-list line."""
    return stdout.split("Technische Details")[0].split("Technical details")[0]


def test_genuine_pdf(desk: Desk) -> None:
    german = desk.run(str(desk.genuine), code=0).stdout
    lines = german.splitlines()
    assert lines[0] == "GÜLTIG"
    assert lines[1] == "Das Dokument ist echt und seit der Ausstellung unverändert."
    assert "Datei: zeugnis.pdf" in lines
    assert "Aussteller: Realschule am Park, Mannheim" in lines
    assert "  Inhaber/in: Lena Müller" in lines
    assert any(re.fullmatch(r"Beglaubigt am: \d{1,2}\. [A-Zä][a-zä]+ \d{4}, \d\d:\d\d Uhr", line) for line in lines)
    assert not ENGLISH_OR_JARGON.search(_main_text(german)), _main_text(german)
    assert "Technische Details: mit --details anzeigen" in german
    english = desk.run(str(desk.genuine), "--lang", "en", code=0).stdout
    assert english.splitlines()[0] == "VALID" and "The document is genuine" in english
    assert "  Holder: Lena Müller" in english and "Lena" in english and "Inhaber" not in english
    answer = desk.json(str(desk.genuine), code=0)
    assert answer["verdict"] == "VALID" and answer["scope"] == "document"
    assert answer["input"] == {"name": "zeugnis.pdf", "kind": "pdf"}
    assert answer["decision"]["reason"] == "ok"  # type: ignore[index]
    assert answer["decision"]["message_de"].startswith("Das Dokument ist echt")  # type: ignore[index]


def test_details_hold_the_checks_and_the_chain_facts(desk: Desk) -> None:
    shown = desk.run(str(desk.genuine), "--details", code=0).stdout
    details = shown.split("Technische Details", 1)[1]
    assert "bestanden" in details and "Dokument unverändert" in details
    assert "Adresse des Ausstellers: 0x" in details and "Transaktion: 0x" in details and "Block: " in details
    assert "nicht bestanden" not in details
    english = desk.run(str(desk.genuine), "--details", "--lang", "en", code=0).stdout
    assert "passed" in english.split("Technical details", 1)[1] and "bestanden" not in english


def test_tampered_pdf_shows_the_deciding_reason_first(desk: Desk) -> None:
    german = desk.run(str(desk.tampered), code=1).stdout
    lines = german.splitlines()
    assert lines[0] == "UNGÜLTIG"
    assert lines[1] == "Nach der Beglaubigung wurde etwas an die Datei angehängt, z. B. überlagerter Text."
    assert "Datei: zeugnis-geaendert.pdf" in lines
    assert "Lena Müller" not in german and "NICHT bestätigt" in german
    assert not ENGLISH_OR_JARGON.search(_main_text(german)), _main_text(german)
    english = desk.run(str(desk.tampered), "--lang", "en", code=1).stdout
    assert english.splitlines()[:2] == [
        "INVALID",
        "Something was appended to the file after notarisation, e.g. overlaid text.",
    ]
    answer = desk.json(str(desk.tampered), code=1)
    assert answer["verdict"] == "INVALID" and answer["scope"] == "document"
    assert answer["decision"]["reason"] == "extra-content"  # type: ignore[index]
    assert answer["decision"]["advice_de"]  # type: ignore[index]


def test_plain_pdf_without_proof_is_not_checkable_never_invalid(desk: Desk) -> None:
    german = desk.run(str(desk.plain), code=4).stdout
    lines = german.splitlines()
    assert lines[0] == "NICHT PRÜFBAR"
    assert "kein digitaler Echtheitsnachweis gefunden" in lines[1]
    assert "UNGÜLTIG" not in german and "Datei: brief.pdf" in lines
    assert not ENGLISH_OR_JARGON.search(_main_text(german)), _main_text(german)
    english = desk.run(str(desk.plain), "--lang", "en", code=4).stdout
    assert english.splitlines()[0] == "CANNOT BE CHECKED" and "No digital proof" in english
    answer = desk.json(str(desk.plain), code=4)
    assert answer["verdict"] == "NOT_CHECKABLE" and answer["scope"] is None
    assert answer["decision"]["reason"] == "no-proof"  # type: ignore[index]
    assert answer["input"] == {"name": "brief.pdf", "kind": "pdf"}


def test_qr_text_confirms_claims_to_compare_with_the_paper(desk: Desk) -> None:
    german = desk.run("--payload", desk.qr_text, code=0).stdout
    lines = german.splitlines()
    assert lines[0] == "Angaben bestätigt – bitte mit dem Papier vergleichen"  # not GÜLTIG: the paper is unproved
    assert "  Inhaber/in: Lena Müller" in lines and "  Titel: Abschlusszeugnis der Realschule" in lines
    assert "nicht den übrigen Inhalt des Papiers" in german  # what the QR does not cover
    assert german.index("Inhaber/in") < german.index("nicht den übrigen Inhalt")
    assert not ENGLISH_OR_JARGON.search(_main_text(german)), _main_text(german)
    english = desk.run("--payload", desk.qr_text, "--lang", "en", code=0).stdout
    assert english.splitlines()[0] == "Details confirmed – please compare them with the paper"
    assert "not the rest of the paper" in english
    answer = desk.json("--payload", desk.qr_text, code=0)
    assert answer["scope"] == "claims" and answer["source"] == "qr"
    assert answer["input"] == {"name": None, "kind": "qr-text"}
    assert answer["decision"]["advice_en"] and "paper" in answer["decision"]["advice_en"]  # type: ignore[index]


def test_a_scanned_pdf_is_verified_as_paper(desk: Desk) -> None:
    scan = desk.folder / "scan.pdf"
    scan.write_bytes(make_scanned_pdf(desk.genuine.read_bytes(), dpi=200))
    german = desk.run(str(scan), code=0).stdout
    assert german.splitlines()[0] == "Angaben bestätigt – bitte mit dem Papier vergleichen"
    assert "  Inhaber/in: Lena Müller" in german.splitlines() and "Datei: scan.pdf" in german
    assert not ENGLISH_OR_JARGON.search(_main_text(german)), _main_text(german)
    answer = desk.json(str(scan), code=0)
    assert answer["source"] == "scan" and answer["scope"] == "claims"
    assert answer["input"] == {"name": "scan.pdf", "kind": "pdf"}


def test_a_blurred_photo_is_not_checkable_with_advice_to_retake(desk: Desk) -> None:
    photo = desk.folder / "foto-unscharf.jpg"
    photo.write_bytes(make_photo(desk.genuine.read_bytes(), blur=True))
    german = desk.run(str(photo), code=4).stdout
    lines = german.splitlines()
    assert lines[:2] == ["NICHT PRÜFBAR", "Das Bild ist zu unscharf, um den QR-Code zu lesen."]
    assert "scharf stellen" in lines[2] and "1600 Pixel" in lines[2]
    answer = desk.json(str(photo), code=4)
    assert answer["decision"]["reason"] == "image-blurred"  # type: ignore[index]
    assert answer["input"] == {"name": "foto-unscharf.jpg", "kind": "image"} and answer["source"] == "photo"


@pytest.mark.parametrize(
    ("name", "data", "reason", "kind"),
    [
        ("notiz.bin", b"just some bytes, neither PDF nor image\n" * 8, "unsupported-file", "image"),
        ("foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00broken" * 40, "image-unreadable", "image"),
        ("kaputt.pdf", b"%PDF-1.7\nnot really a pdf\n", "unreadable-pdf", "pdf"),
    ],
)
def test_unreadable_files_are_not_checkable(desk: Desk, name: str, data: bytes, reason: str, kind: str) -> None:
    path = desk.folder / name
    path.write_bytes(data)
    german = desk.run(name, code=4)
    assert german.stdout.splitlines()[0] == "NICHT PRÜFBAR" and german.stderr == ""
    assert not ENGLISH_OR_JARGON.search(_main_text(german.stdout)), german.stdout
    answer = desk.json(name, code=4)
    assert answer["verdict"] == "NOT_CHECKABLE" and answer["decision"]["reason"] == reason  # type: ignore[index]
    assert answer["input"] == {"name": name, "kind": kind}


def test_chain_down_is_not_checkable_with_advice(desk: Desk) -> None:
    german = desk.run(str(desk.genuine), code=4, home="offline").stdout
    lines = german.splitlines()
    assert lines[0] == "NICHT PRÜFBAR"
    assert lines[1].startswith("Die Blockchain war nicht erreichbar")
    assert "später" in german and "Lena Müller" not in german
    assert not ENGLISH_OR_JARGON.search(_main_text(german)), _main_text(german)
    english = desk.run(str(desk.genuine), "--lang", "en", code=4, home="offline").stdout
    assert english.splitlines()[0] == "CANNOT BE CHECKED" and "try again later" in english
    answer = desk.json(str(desk.genuine), code=4, home="offline")
    assert answer["verdict"] == "NOT_CHECKABLE" and answer["decision"]["reason"] == "chain-unreachable"  # type: ignore[index]
    # a forgery stays decidable while the chain is down
    assert desk.json(str(desk.tampered), code=1, home="offline")["verdict"] == "INVALID"


def test_json_is_one_object_also_for_a_missing_file_and_bad_options(desk: Desk) -> None:
    missing = desk.run("gibt-es-nicht.pdf", "--json", code=2)
    assert json.loads(missing.stdout) == {
        "error": "no-such-file",
        "message": "no such file: gibt-es-nicht.pdf",
        "message_de": "Datei nicht gefunden: gibt-es-nicht.pdf",
        "message_en": "no such file: gibt-es-nicht.pdf",
    }
    assert missing.stderr.strip() == "error: Datei nicht gefunden: gibt-es-nicht.pdf"  # German by default
    folder = json.loads(desk.run(".", "--json", code=2).stdout)
    assert folder["error"] == "no-such-file"
    both = json.loads(desk.run(str(desk.genuine), "--payload", "x", "--json", code=2).stdout)
    assert both["error"] == "usage"
    lang = json.loads(desk.run(str(desk.genuine), "--lang", "fr", "--json", code=2).stdout)
    assert lang["error"] == "usage" and "--lang" in lang["message"]
    no_trust = json.loads(desk.run(str(desk.genuine), "--json", code=78, home="nowhere").stdout)
    assert no_trust["error"] == "configuration"


def test_notary_lang_chooses_english(desk: Desk) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    env.update(XDG_CONFIG_HOME=str(desk.folder / "home"), NOTARY_LANG="en")
    done = subprocess.run([NOTARY, "verify", str(desk.plain)], cwd=desk.folder, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 4 and done.stdout.splitlines()[0] == "CANNOT BE CHECKED"


def test_help_names_the_exit_codes(desk: Desk) -> None:
    shown = " ".join(desk.run("--help", code=0).stdout.split())
    for needle in ("0 VALID", "1 INVALID", "3 REVOKED, SUSPENDED or EXPIRED", "4 NOT_CHECKABLE", "2 usage error",
                   "78 configuration error"):  # fmt: skip
        assert needle in shown, needle
