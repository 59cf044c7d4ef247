"""Key facts (format 1.1) through the `notary` command on a real anvil: given in a manifest's `facts` column or
with `--fact`, bound in the proof, read back from the PDF, from its QR printed at 150 dpi and from the QR text,
shown in text (German and English) and JSON; malformed facts refused with one line and nothing anchored."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from eth_account import Account

from notary.demo import render_page
from notary.errors import FormatError
from notary.issuance import ClaimDefaults, from_paths
from notary.issuance.inputs import format_facts, parse_claims, parse_facts
from notary.pdf.samples import make_certificates
from tests.cli_inprocess import run_notary
from tests.conftest import Actors

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.anvil

GRADES = [["Abschluss", "Mittlerer Schulabschluss"], ["Durchschnittsnote", "1,7"]]
ODD = [["Fach=Note", "Mathe | Physik = 2"], ["Pfad", "A\\B"]]  # every escape of the notation, read back exactly
FLAGGED = [["Aktenzeichen", "G 117/2026"], ["Standesamt", "Würzburg"]]
FLAGGED_PAIRS = tuple((label, value) for label, value in FLAGGED)


@dataclass(frozen=True)
class Office:
    folder: Path
    actors: Actors

    def run(self, *args: str, code: int | None = 0) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
        env.update(NOTARY_CONFIG=str(self.folder / "notary.toml"), NOTARY_KEY_PASSWORD=PASSWORD)
        env["XDG_CONFIG_HOME"] = str(self.folder / "user-config")
        result = run_notary(args, cwd=self.folder, env=env, timeout=300)  # in this process: tests/cli_inprocess.py
        assert "Traceback" not in result.stderr, result.stderr
        if code is not None:
            assert result.returncode == code, f"{args}: rc={result.returncode}\n{result.stdout}\n{result.stderr}"
        return result

    def verify(self, *args: str) -> dict[str, object]:
        answer: dict[str, object] = json.loads(self.run("verify", *args, "--json").stdout)
        return answer

    def sent(self) -> int:
        """Transactions the issuer has sent: anything anchored shows here."""
        return int(self.actors.w3.eth.get_transaction_count(self.actors.issuer.address))


@pytest.fixture(scope="module")
def office(anvil_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    folder = tmp_path_factory.mktemp("facts")
    actors = Actors(anvil_url)
    keystore = Account.encrypt(actors.issuer.key, PASSWORD, kdf="pbkdf2", iterations=2)
    (folder / "school.json").write_text(json.dumps(keystore))
    (folder / "notary.toml").write_text(
        f'chain = "{anvil_url}"\nregistry = "{actors.registry.address}"\nkey_file = "school.json"\n'
        f'\n[[trusted]]\nname = "Stadt"\nchain_id = {actors.registry.chain_id}\n'
        f'address = "{actors.registry.address}"\nrpc_url = "{anvil_url}"\n'
    )
    inputs = folder / "in"
    inputs.mkdir()
    for i, pdf in enumerate(make_certificates(7, seed=31)):
        (inputs / f"doc-{i}.pdf").write_bytes(pdf)
    yield Office(folder, actors)


def _facts_shown(stdout: str) -> list[str]:
    """The lines after the heading that tells the reader to compare with the paper."""
    lines = stdout.splitlines()
    heading = (
        "Mit dem Papier vergleichen",
        "Compare with the paper",
        "Diese Angaben müssen genau so",
        "The paper must show exactly",
    )
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    return [line.strip() for line in lines[start + 1 :] if line.startswith("  ")]


def test_manifest_facts_are_bound_and_shown_from_pdf_qr_image_and_qr_text(office: Office) -> None:
    manifest = office.folder / "in" / "manifest.csv"
    manifest.write_text(
        "path;type;title;holder;issue_date;facts\n"
        f"doc-0.pdf;zeugnis;Abschlusszeugnis der Realschule;Lena Müller;25.07.2025;{format_facts(GRADES)}\n"
        f"doc-1.pdf;zeugnis;Abschlusszeugnis der Realschule;Jonas Schäfer;25.07.2025;{format_facts(ODD)}\n"
        "doc-2.pdf;zeugnis;Abschlusszeugnis der Realschule;Mia Köhler;25.07.2025;\n",
        encoding="utf-8",
    )
    assert format_facts(ODD) == "Fach\\=Note=Mathe \\| Physik \\= 2 | Pfad=A\\\\B"
    summary = json.loads(office.run("issue", "--manifest", str(manifest), "--out", "out", "--json").stdout)
    assert (summary["issued"], summary["failed"]) == (3, 0)

    grades, odd, plain = (office.folder / "out" / f"doc-{i}.pdf" for i in range(3))
    answer = office.verify(str(grades))
    assert answer["verdict"] == "VALID"
    assert answer["claims"]["facts"] == GRADES  # type: ignore[index]
    assert office.verify(str(odd))["claims"]["facts"] == ODD  # type: ignore[index]
    without = office.verify(str(plain))
    assert without["verdict"] == "VALID" and "facts" not in without["claims"]  # type: ignore[operator]

    german = office.run("verify", str(grades)).stdout
    assert "Mit dem Papier vergleichen" in german
    assert german.index("Inhaber/in: Lena Müller") < german.index("Mit dem Papier vergleichen")  # after the claims
    assert _facts_shown(german)[:2] == ["Abschluss: Mittlerer Schulabschluss", "Durchschnittsnote: 1,7"]
    english = office.run("verify", str(grades), "--lang", "en").stdout
    assert "Compare with the paper" in english and "vergleichen" not in english
    assert _facts_shown(english)[:2] == ["Abschluss: Mittlerer Schulabschluss", "Durchschnittsnote: 1,7"]
    assert "vergleichen" not in office.run("verify", str(plain)).stdout

    # the QR as a scanner sees the printout, and its text as a phone app reads it
    photo = office.folder / "grades-150dpi.png"
    render_page(grades.read_bytes(), 150).save(photo)
    scanned = office.verify(str(photo))
    assert scanned["verdict"] == "VALID" and scanned["source"] == "photo"
    assert scanned["claims"]["facts"] == GRADES  # type: ignore[index]
    codes = [c for c in zxingcpp.read_barcodes(render_page(grades.read_bytes(), 150)) if c.valid]
    assert len(codes) == 1
    typed = office.verify("--payload", codes[0].text)
    assert typed["verdict"] == "VALID" and typed["claims"]["facts"] == GRADES  # type: ignore[index]
    shown = office.run("verify", "--payload", codes[0].text).stdout
    compare = _facts_shown(shown)  # a paper verdict: every claim under one heading, the key facts among them
    assert compare.index("Abschluss: Mittlerer Schulabschluss") + 1 == compare.index("Durchschnittsnote: 1,7")


def test_fact_flags_for_single_documents_and_replaced_by_a_manifest_cell(office: Office) -> None:
    single = office.folder / "in" / "doc-3.pdf"
    flags = [arg for label, value in FLAGGED for arg in ("--fact", f"{label}={value}")]
    summary = json.loads(office.run("issue", str(single), "--out", "flagged", "--type", "urkunde", "--title",
                                    "Geburtsurkunde", "--holder", "Mia Köhler", *flags, "--json").stdout)  # fmt: skip
    assert summary["issued"] == 1
    answer = office.verify(str(office.folder / "flagged" / "doc-3.pdf"))
    assert answer["verdict"] == "VALID" and answer["claims"]["facts"] == FLAGGED  # type: ignore[index]

    # with a manifest the flags are every row's default; a row's own cell replaces them whole
    manifest = office.folder / "in" / "mixed.csv"
    manifest.write_text(
        "path;type;title;holder;facts\n"
        "doc-4.pdf;urkunde;Geburtsurkunde;Ben Weiß;\n"
        "doc-5.pdf;urkunde;Sterbeurkunde;Karl Groß;Aktenzeichen=S 9/2026\n",
        encoding="utf-8",
    )
    mixed = json.loads(office.run("issue", "--manifest", str(manifest), "--out", "mixed", *flags, "--json").stdout)
    assert mixed["issued"] == 2
    assert office.verify(str(office.folder / "mixed" / "doc-4.pdf"))["claims"]["facts"] == FLAGGED  # type: ignore[index]
    own = office.verify(str(office.folder / "mixed" / "doc-5.pdf"))["claims"]
    assert own["facts"] == [["Aktenzeichen", "S 9/2026"]]  # type: ignore[index]


@pytest.mark.parametrize(
    ("fact", "said"),
    [
        ("Abschluss", "has no '='"),
        ("=Realschule", "no label"),
        ("Abschluss=", "no value"),
        ("Note=1 | Fach=Mathe", "one fact per --fact"),
        ("Pfad=C:\\temp", "is not an escape"),
        ("Note=1\u200b,7", "fact 'Note'"),  # a zero-width space: the claims' text rules hold for facts too
        ("N" * 41 + "=1", "too long"),
    ],
)
def test_a_malformed_fact_flag_is_one_line_and_nothing_is_spent(office: Office, fact: str, said: str) -> None:
    before = office.sent()
    refused = office.run("issue", str(office.folder / "in" / "doc-0.pdf"), "--out", "refused", "--type", "zeugnis",
                         "--title", "Zeugnis", "--holder", "Lena Müller", "--fact", fact, code=2)  # fmt: skip
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0] and "--fact" in lines[0], refused.stderr
    assert office.sent() == before and not (office.folder / "refused").exists()


def test_too_many_or_repeated_fact_flags_are_refused(office: Office) -> None:
    nine = [arg for i in range(9) for arg in ("--fact", f"F{i}=v")]
    twice = ["--fact", "Note=1", "--fact", "Note=2"]
    for flags, said in ((nine, "limit 8"), (twice, "given twice")):
        refused = office.run("issue", str(office.folder / "in" / "doc-0.pdf"), "--out", "refused", "--type",
                             "zeugnis", "--title", "Zeugnis", "--holder", "Lena Müller", *flags, code=2)  # fmt: skip
        assert len(refused.stderr.strip().splitlines()) == 1 and said in refused.stderr, refused.stderr


def test_a_malformed_facts_cell_fails_its_document_before_anything_is_anchored(office: Office) -> None:
    manifest = office.folder / "in" / "bad.csv"
    manifest.write_text(
        "path;type;title;holder;facts\n"
        "doc-6.pdf;zeugnis;Abschlusszeugnis;Lena Müller;Abschluss=Realschule || Durchschnittsnote=1,7\n",
        encoding="utf-8",
    )
    before = office.sent()
    failed = office.run("issue", "--manifest", str(manifest), "--out", "bad", code=1)
    assert "fact 2 is empty" in failed.stdout
    assert office.sent() == before and not (office.folder / "bad" / "doc-6.pdf").exists()
    report = (office.folder / "bad" / "notary-report.csv").read_text(encoding="utf-8")
    assert "fact 2 is empty" in report


def test_the_notation_reads_back_what_it_writes() -> None:
    for facts in (GRADES, ODD, [["\\", "|"], ["=", "\\|="]]):
        pairs = tuple((label, value) for label, value in facts)
        assert parse_facts(format_facts(pairs)) == pairs
    assert parse_facts("  ") == ()
    assert parse_facts(" Abschluss = Realschule  |Note=1,7 ") == (("Abschluss", "Realschule"), ("Note", "1,7"))
    for bad in ("A=1 |", "| A=1", "A=1\\", "A=\\n"):
        with pytest.raises(FormatError, match=r"empty|escape|ends the text"):
            parse_facts(bad)


def test_a_claims_csv_for_given_files_carries_facts_and_flags_are_the_default(tmp_path: Path) -> None:
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.7\n")  # listing only: never read here
    claims = tmp_path / "claims.csv"
    claims.write_text("path,facts\na.pdf,Aktenzeichen=G 117/2026\nb.pdf,\n", encoding="utf-8")
    defaults = ClaimDefaults("urkunde", "Geburtsurkunde", "Mia Köhler", facts=format_facts(FLAGGED_PAIRS))
    docs = {d.rel_out: d for d in from_paths([tmp_path / "a.pdf", tmp_path / "b.pdf"], defaults, claims)}
    today = dt.date(2026, 2, 1)
    assert parse_claims(docs["a.pdf"].fields, today).facts == (("Aktenzeichen", "G 117/2026"),)
    assert parse_claims(docs["b.pdf"].fields, today).facts == FLAGGED_PAIRS
