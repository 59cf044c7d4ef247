"""A newcomer's path through the CLI after `make demo`: issue, verify, revoke and see the verdict change."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from notary import localchain
from notary.pdf.samples import make_certificates
from tests.cli_inprocess import run_notary
from tests.conftest import ROOT

pytestmark = pytest.mark.anvil


def notary(cwd: Path, *args: str, code: int | None = 0, real: bool = False) -> subprocess.CompletedProcess[str]:
    """``notary ARGS`` in ``cwd``: in this process (tests/cli_inprocess.py), or the installed script if ``real``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    env["XDG_CONFIG_HOME"] = str(cwd / "user-config")  # the demo adds its registry to the user's trust list
    result = run_notary(args, cwd=cwd, env=env, timeout=180, real=real)
    assert "Traceback" not in result.stderr, result.stderr
    if code is not None:
        assert result.returncode == code, f"{args}: rc={result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> object:
    workdir = tmp_path_factory.mktemp("demo")
    notary(workdir, "demo", "--no-serve", "--chain-port", str(localchain.free_port()))
    yield workdir
    notary(workdir, "chain", "down", code=None)


def test_demo_leaves_a_configured_folder_with_verifiable_samples(demo_dir: Path) -> None:
    notarised = sorted((demo_dir / "demo" / "notarised").glob("*.pdf"))
    assert len(notarised) == 5
    ok = json.loads(notary(demo_dir, "verify", str(notarised[1]), "--json").stdout)
    assert ok["verdict"] == "VALID" and ok["issuer"]["name"].startswith("Staatliche Realschule")
    assert ok["anchor"]["chain_id"] == 31337 and ok["anchor"]["tx"].startswith("0x")
    tampered = next((demo_dir / "demo" / "tampered").glob("*.pdf"))
    bad = json.loads(notary(demo_dir, "verify", str(tampered), "--json", code=1).stdout)
    assert bad["verdict"] == "INVALID"
    qr = json.loads(notary(demo_dir, "verify", str(demo_dir / "demo" / "qr-foto.png"), "--json").stdout)
    assert qr["verdict"] == "VALID" and qr["source"] == "photo" and qr["claims"]["holder"]
    # idempotent: reuses the chain, the registry and the outputs
    again = notary(demo_dir, "demo", "--no-serve", "--chain-port", "1")
    assert "already running" in again.stdout and "already deployed" in again.stdout


def test_issue_verify_revoke_suspend(demo_dir: Path) -> None:
    src = demo_dir / "eingang"
    src.mkdir()
    for i, pdf in enumerate(make_certificates(3, seed=42)):
        (src / f"urkunde-{i}.pdf").write_bytes(pdf)
    (src / "manifest.csv").write_text(
        "path;type;title;holder;issue_date;valid_until\n"
        "urkunde-0.pdf;urkunde;Geburtsurkunde;Mia Köhler;01.02.2026;\n"
        "urkunde-1.pdf;gewerbeauskunft;Gewerbeauskunft;Bäckerei Fuß;2026-01-02;2026-01-31\n"
        "urkunde-2.pdf;urkunde;Heiratsurkunde;;2026-03-04;\n",
        encoding="utf-8",
    )
    issued = notary(demo_dir, "issue", "--manifest", str(src / "manifest.csv"), "--out", "ausgang", "--sidecar",
                    "--json", code=1)  # fmt: skip  # one row lacks a holder
    summary = json.loads(issued.stdout)
    assert (summary["issued"], summary["failed"]) == (2, 1)
    report = (demo_dir / "ausgang" / "notary-report.csv").read_text(encoding="utf-8")
    assert "missing claim holder" in report

    birth = demo_dir / "ausgang" / "urkunde-0.pdf"
    assert json.loads(notary(demo_dir, "verify", str(birth), "--json").stdout)["verdict"] == "VALID"
    # the original plus its sidecar proof verifies too
    sidecar = demo_dir / "ausgang" / "urkunde-0.pdf.proof.json"
    assert notary(demo_dir, "verify", str(src / "urkunde-0.pdf"), "--proof", str(sidecar)).returncode == 0
    expired = json.loads(notary(demo_dir, "verify", "ausgang/urkunde-1.pdf", "--json", code=3).stdout)
    assert expired["verdict"] == "EXPIRED"

    notary(demo_dir, "suspend", "--document", str(birth), "--reason", "withdrawn")
    assert json.loads(notary(demo_dir, "verify", str(birth), "--json", code=3).stdout)["verdict"] == "SUSPENDED"
    notary(demo_dir, "unsuspend", "--document", str(birth))
    notary(demo_dir, "revoke", "--document", str(birth), "--reason", "superseded")
    revoked = notary(demo_dir, "verify", str(birth), "--lang", "en", code=3)
    assert "REVOKED" in revoked.stdout and "superseded" in revoked.stdout
    history = json.loads(notary(demo_dir, "status", str(birth), "--json").stdout)
    assert [e["state"] for e in history["history"]] == ["suspended", "active", "revoked"]
    again = notary(demo_dir, "revoke", "--document", str(birth), "--reason", "fraud", code=1)
    assert "AlreadyRevoked" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    bad_reason = notary(demo_dir, "revoke", "--document", str(birth), "--reason", "because", code=1)
    assert "unknown reason" in bad_reason.stderr

    runs = notary(demo_dir, "journal", "list").stdout
    assert "2/3 issued" in runs or "2/3" in runs


def test_bad_input_is_one_line_not_a_traceback(demo_dir: Path) -> None:
    junk = demo_dir / "junk.bin"
    junk.write_bytes(os.urandom(300))
    for args in (
        ("verify", str(junk)),
        ("verify", str(demo_dir / "does-not-exist.pdf")),
        ("verify", "--payload", "NT1:$$$"),
        ("verify", str(demo_dir)),
        ("issue", str(demo_dir / "nothing-here")),
        ("revoke", "--batch", "0x1234"),
        ("registry", "add-issuer", "not-an-address", "--name", "x"),
    ):
        result = notary(demo_dir, *args, code=None, real=args[0] == "revoke")  # one through the installed script
        assert result.returncode in (1, 2, 4), args
        assert result.stderr.strip() or result.stdout.strip()


def test_data_is_printed_as_text_never_as_markup(demo_dir: Path) -> None:
    """Claims, names, paths and error messages come from outside: printed whole, never interpreted by rich."""
    src = demo_dir / "markup-in"
    src.mkdir()
    (src / "zeugnis.pdf").write_bytes(next(make_certificates(1, seed=61)))
    out = "ausgang-a[/b]c"  # a folder "ausgang-a[" holding "b]c": "[/b]" used to be a MarkupError traceback
    issued = notary(demo_dir, "issue", str(src), "--out", out, "--type", "zeugnis", "--title", "x [/x] y",
                    "--holder", "Lena Müller [geb. Schmidt]")  # fmt: skip
    assert f"notarised PDFs in {out}/" in issued.stdout
    shown = notary(demo_dir, "verify", f"{out}/zeugnis.pdf", "--lang", "en", "--details").stdout
    assert "VALID" in shown.splitlines()[0]
    assert "Holder: Lena Müller [geb. Schmidt]" in shown and "Title: x [/x] y" in shown
    assert "Document unchanged" in shown and "Validity period" in shown  # the checks table still follows
    missing = notary(demo_dir, "verify", "/tmp/a[/b]c.pdf", code=2, real=True)  # as the installed script says it
    assert missing.stderr.strip() == "error: Datei nicht gefunden: /tmp/a[/b]c.pdf"  # German by default
    bracketed = notary(demo_dir, "verify", "[bold red]nope[/].pdf", code=2)
    assert "[bold red]nope[/].pdf" in bracketed.stderr


def test_an_invalid_document_shows_nothing_of_its_proof_as_if_confirmed(demo_dir: Path) -> None:
    tampered = next((demo_dir / "demo" / "tampered").glob("*.pdf"))
    facts = json.loads(notary(demo_dir, "verify", str(tampered), "--json", code=1).stdout)
    assert facts["verdict"] == "INVALID" and facts["claims"]["holder"]
    for lang, note in (("en", "NOT confirmed"), ("de", "NICHT bestätigt")):
        shown = notary(demo_dir, "verify", str(tampered), "--lang", lang, code=1).stdout
        assert note in shown
        assert facts["claims"]["holder"] not in shown and facts["claims"]["title"] not in shown
        lines = shown.splitlines()
        # no issuer line, no anchor line (the checks may still name the issuer the chain has for the key)
        assert not any(line.startswith(("Issuer:", "Aussteller:", "Anchored:", "Verankert:")) for line in lines)


def test_issued_anchors_survive_the_local_chain_being_killed_right_after(demo_dir: Path) -> None:
    """`notary issue` on the managed chain has anvil write each anchor before stamping: a SIGKILL right after the
    run (inside anvil's one-second state interval) loses nothing that was handed out."""
    src = demo_dir / "kill-in"
    src.mkdir()
    for i, pdf in enumerate(make_certificates(2, seed=63)):
        (src / f"k{i}.pdf").write_bytes(pdf)
    notary(demo_dir, "issue", str(src), "--out", "kill-out", "--type", "zeugnis", "--title", "Zeugnis",
           "--holder", "Kim Kaiser", "--batch-size", "1")  # fmt: skip
    chain = localchain.running(demo_dir / ".notary")
    assert chain is not None
    os.kill(chain.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while localchain.process_alive(chain.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    notary(demo_dir, "chain", "up", "--port", str(chain.port))
    for name in ("k0.pdf", "k1.pdf"):
        verdict = json.loads(notary(demo_dir, "verify", f"kill-out/{name}", "--json").stdout)["verdict"]
        assert verdict == "VALID", name


def test_failures_and_skips_are_on_screen_with_their_reasons_and_the_exit_code(demo_dir: Path) -> None:
    """A folder of PDFs without claims, a non-PDF and an encrypted PDF: the reasons are on screen, not only in the
    report; the exit code says that documents failed."""
    src = demo_dir / "ohne-angaben"
    src.mkdir()
    for i, pdf in enumerate(make_certificates(23, seed=65)):
        (src / f"z{i:02d}.pdf").write_bytes(pdf)
    (src / "brief.pdf").write_bytes(b"Sehr geehrte Damen und Herren\n")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(next(make_certificates(1, seed=64)))))
    writer.encrypt("geheim")
    with (src / "a-verschluesselt.pdf").open("wb") as handle:
        writer.write(handle)
    failed = notary(demo_dir, "issue", str(src), "--out", "ohne-out", code=1)
    screen = failed.stdout
    assert "failed 25" in screen and "missing claim type, title, holder" in screen and "not a PDF" in screen
    assert "brief.pdf" in screen and "a-verschluesselt.pdf" in screen and "encrypt" in screen.lower()
    assert "and 5 more, see the report" in screen and "notary-report.csv" in screen
    assert "Traceback" not in failed.stderr


def test_issuing_twice_resumes_and_another_folder_skips_visibly(demo_dir: Path) -> None:
    src = demo_dir / "zweimal"
    src.mkdir()
    for i, pdf in enumerate(make_certificates(2, seed=66)):
        (src / f"z{i}.pdf").write_bytes(pdf)
    claims = ("--type", "zeugnis", "--title", "Zeugnis", "--holder", "Kim Kaiser", "--valid-until", "2020-01-31",
              "--issue-date", "2020-01-02")  # fmt: skip
    first = notary(demo_dir, "issue", str(src), "--out", "zweimal-out", *claims)
    assert "issued 2" in first.stdout and "valid_until 2020-01-31 has passed" in first.stdout  # a warning, exit 0
    again = notary(demo_dir, "issue", str(src), "--out", "zweimal-out", *claims)
    assert "issued 2" in again.stdout and "(resumed)" in again.stdout
    elsewhere = notary(demo_dir, "issue", str(src), "--out", "zweimal-anders", *claims, code=3)
    assert "skipped 2 duplicates" in elsewhere.stdout and "skipped-duplicate" in elsewhere.stdout
    assert "same content already issued" in elsewhere.stdout and "zweimal-out" in elsewhere.stdout
    shown = notary(demo_dir, "journal", "show", "--state", "duplicate").stdout
    assert shown.count("same content already issued") == 2
    written = notary(demo_dir, "journal", "show", "--json").stdout
    assert json.loads(written)["documents"]


def test_issue_help_documents_the_exit_codes_and_strict() -> None:
    shown = notary(ROOT, "issue", "--help", real=True).stdout  # the installed script's help
    assert "Exit codes" in shown and "--strict" in shown
    for line in ("0   every input is issued", "1   some documents failed", "3   nothing failed",
                 "4   refused before starting"):  # fmt: skip
        assert line in shown, line


def test_a_key_that_is_not_an_issuer_is_refused_before_the_run(demo_dir: Path) -> None:
    src = demo_dir / "fremd-in"
    src.mkdir()
    (src / "z.pdf").write_bytes(next(make_certificates(1, seed=67)))
    made = notary(demo_dir, "keys", "new", "fremd", "--password-file", ".notary/demo-password", "--json")
    key_file = json.loads(made.stdout)["path"]
    runs_before = notary(demo_dir, "journal", "list", "--json").stdout
    refused = notary(demo_dir, "issue", str(src), "--out", "fremd-out", "--key-file", key_file, "--type", "zeugnis",
                     "--title", "Zeugnis", "--holder", "Kim Kaiser", code=4)  # fmt: skip
    assert "is not an issuer" in refused.stderr and "nothing was issued or spent" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert notary(demo_dir, "journal", "list", "--json").stdout == runs_before  # no run was even started
    assert not (demo_dir / "fremd-out").exists()
