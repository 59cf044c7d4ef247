"""The "Why" of issue 10, as a new user met it, on a real anvil node: a corrected certificate is issued again,
a failed attempt blocks nothing, nothing is spent on a document that will be refused, a power cut (damaged
outputs, a journal rolled back to an earlier durable point) ends with every input issued exactly once."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from eth_account import Account

from notary.chain import Registry, connect
from notary.chain.connect import fund_dev_account
from notary.chain.devchain import dev_registry
from notary.issuance import ClaimDefaults, InputDoc, Issuance, IssueOptions, Journal, from_manifest, from_paths
from notary.issuance.inputs import describe
from notary.issuance.run import NotAnIssuer, Summary
from notary.pdf.samples import make_certificates
from tests.cli_inprocess import run_notary
from tests.integration.test_issuance_resume import _anchors_by, _die_at, _issue
from tests.issuing import verifier_for
from verifier.result import Verdict

pytestmark = pytest.mark.anvil


def _setup(url: str, tmp_path: Path, count: int, seed: int) -> tuple[Registry, bytes, Path]:
    dev = dev_registry(connect(url), "Realschule am Rhein")
    src = tmp_path / "in"
    src.mkdir()
    for i, pdf in enumerate(make_certificates(count, seed=seed)):
        (src / f"z{i:02d}.pdf").write_bytes(pdf)
    return dev.registry, bytes(dev.issuer.key), src


def _valid(registry: Registry, path: Path) -> bool:
    return verifier_for(registry).verify_pdf(path.read_bytes()).verdict is Verdict.VALID


def _spent(registry: Registry, address: str) -> tuple[int, int]:
    """The account's nonce and balance: unchanged means no transaction was sent."""
    w3 = registry.w3
    return w3.eth.get_transaction_count(address), w3.eth.get_balance(address)


def test_a_corrected_certificate_is_issued_again_beside_the_first(anvil_url: str, tmp_path: Path) -> None:
    registry, key, src = _setup(anvil_url, tmp_path, 3, seed=71)
    issuer = Account.from_key(key).address
    out, journal = tmp_path / "out", tmp_path / "j.sqlite"
    first = _issue(anvil_url, registry.address, key, src, out, journal)
    assert first.counts == {"written": 3}
    grade_5 = (out / "z01.pdf").read_bytes()

    corrected = next(make_certificates(1, seed=72))  # grade 2: other bytes, same file name
    (src / "z01.pdf").write_bytes(corrected)
    again = _issue(anvil_url, registry.address, key, src, out, journal)
    assert again.resumed and again.counts == {"written": 3, "replaced": 1}
    assert (out / "z01.pdf").read_bytes() == grade_5  # the earlier copy is kept, not overwritten
    assert (out / "z01.v2.pdf").read_bytes().startswith(corrected)
    assert _valid(registry, out / "z01.v2.pdf") and _valid(registry, out / "z01.pdf")
    assert len(_anchors_by(registry, issuer)) == 2
    notes = [p for p in again.problems if p.src.endswith("z01.pdf")]
    assert {p.status for p in notes} == {"replaced", "issued"}
    assert any("changed after it was issued" in p.reason for p in notes)
    assert any("issued as z01.v2.pdf" in p.reason for p in notes)

    # the operator deletes the output folder: the same command writes every output again, anchoring nothing
    shutil.rmtree(out)
    third = _issue(anvil_url, registry.address, key, src, out, journal)
    assert third.counts == {"written": 3, "replaced": 1} and len(_anchors_by(registry, issuer)) == 2
    assert (out / "z01.v2.pdf").read_bytes().startswith(corrected) and _valid(registry, out / "z00.pdf")
    assert not (out / "z01.pdf").exists()  # the replaced version's original is gone: it cannot be rewritten


# ---------------------------------------------------------------------- corrected claims


def _issue_asked(
    url: str, address: str, key: bytes, asked: list[InputDoc], spec: str, out: Path, journal_path: Path,
    today: dt.date,
) -> Summary:  # fmt: skip
    """One run of the command as `notary issue` makes it (spec = what cli/issue_cmd.py describes), on ``today``."""
    journal = Journal(journal_path)
    with ThreadPoolExecutor(2) as pool:
        try:
            return Issuance(
                journal, Registry(connect(url), address), Account.from_key(key),
                IssueOptions(out_dir=out, batch_size=5, chunk=4, chain_wait=60, today=today), executor=pool,
            ).issue(asked, spec=spec)  # fmt: skip
        finally:
            journal.close()


def _holder(registry: Registry, path: Path) -> str:
    result = verifier_for(registry).verify_pdf(path.read_bytes())
    assert result.verdict is Verdict.VALID, (path, result.verdict)
    assert result.claims is not None
    return str(result.claims["holder"])


def _manifest(src: Path, holders: list[str]) -> Path:
    manifest = src / "m.csv"
    rows = [f"z{i:02d}.pdf;zeugnis;Abschlusszeugnis der Realschule;{h}" for i, h in enumerate(holders)]
    manifest.write_text("path;type;title;holder\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return manifest


def test_a_holder_typo_fixed_in_the_manifest_is_issued_again_as_v2(anvil_url: str, tmp_path: Path) -> None:
    """Same bytes, corrected claims: a new document beside the first, not "already done" and not a duplicate."""
    registry, key, src = _setup(anvil_url, tmp_path, 3, seed=91)
    issuer = Account.from_key(key).address
    out, journal = tmp_path / "out", tmp_path / "j.sqlite"
    day = dt.date(2026, 7, 15)
    manifest = _manifest(src, ["Jonas Schäfer", "Lena Mülller", "Ali Yılmaz"])
    spec = describe([], manifest)

    def run(today: dt.date) -> Summary:
        asked = list(from_manifest(manifest, ClaimDefaults()))
        return _issue_asked(anvil_url, registry.address, key, asked, spec, out, journal, today)

    assert run(day).counts == {"written": 3}
    typo = (out / "z01.pdf").read_bytes()
    _manifest(src, ["Jonas Schäfer", "Lena Müller", "Ali Yılmaz"])  # the secretary fixes the typo
    fixed = run(day + dt.timedelta(days=1))
    assert fixed.resumed and fixed.counts == {"written": 3, "replaced": 1}
    assert (out / "z01.pdf").read_bytes() == typo  # kept, and still valid on chain
    assert _holder(registry, out / "z01.pdf") == "Lena Mülller"
    assert _holder(registry, out / "z01.v2.pdf") == "Lena Müller"
    assert (out / "z01.v2.pdf").read_bytes().startswith((src / "z01.pdf").read_bytes())
    assert len(_anchors_by(registry, issuer)) == 2
    notes = {p.status: p.reason for p in fixed.problems if p.src.endswith("z01.pdf")}
    assert "claims asked for changed after it was issued" in notes["replaced"]
    assert "'Lena Mülller' -> 'Lena Müller'" in notes["replaced"] and "notary revoke --document" in notes["replaced"]
    assert "its claims changed since it was issued as z01.pdf" in notes["issued"]
    assert "issued as z01.v2.pdf" in notes["issued"]
    report = (out / "notary-report.csv").read_text(encoding="utf-8")
    assert "replaced" in report and "z01.v2.pdf" in report

    # the same command once more (a day later still): nothing changed, nothing is issued again
    again = run(day + dt.timedelta(days=2))
    assert again.counts == {"written": 3, "replaced": 1} and len(_anchors_by(registry, issuer)) == 2
    assert not (out / "z01.v3.pdf").exists()


def test_a_holder_corrected_on_the_command_line_is_issued_again_as_v2(anvil_url: str, tmp_path: Path) -> None:
    """`notary issue z00.pdf --holder …` run again with the name corrected: the claim options are not part of
    the run's identity, so the run resumes — and must issue what is now asked for."""
    registry, key, src = _setup(anvil_url, tmp_path, 1, seed=93)
    issuer = Account.from_key(key).address
    out, journal = tmp_path / "out", tmp_path / "j.sqlite"
    pdf = src / "z00.pdf"
    spec = describe([pdf], None)
    day = dt.date(2026, 7, 15)

    def run(holder: str, today: dt.date) -> Summary:
        flags = ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis", holder=holder, facts="Note=2,3")
        asked = list(from_paths([pdf], flags))
        return _issue_asked(anvil_url, registry.address, key, asked, spec, out, journal, today)

    assert run("Lena Mülller", day).counts == {"written": 1}
    fixed = run("Lena Müller", day)
    assert fixed.resumed and fixed.counts == {"written": 1, "replaced": 1}
    assert _holder(registry, out / "z00.pdf") == "Lena Mülller"
    assert _holder(registry, out / "z00.v2.pdf") == "Lena Müller"
    assert len(_anchors_by(registry, issuer)) == 2
    # resumed on a later day, the issue date still left to default: unchanged claims, nothing happens
    later = run("Lena Müller", day + dt.timedelta(days=30))
    assert later.counts == {"written": 1, "replaced": 1} and later.batches == 2
    assert len(_anchors_by(registry, issuer)) == 2 and not (out / "z00.v3.pdf").exists()
    # a fact corrected is a claim corrected too
    flags = ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis", holder="Lena Müller", facts="Note=2,0")
    facts = _issue_asked(anvil_url, registry.address, key, list(from_paths([pdf], flags)), spec, out, journal, day)
    assert facts.counts == {"written": 1, "replaced": 2}
    assert _holder(registry, out / "z00.v3.pdf") == "Lena Müller" and len(_anchors_by(registry, issuer)) == 3


def _die_before_journaling_the_new_version(*args: object) -> None:
    """The run with corrected claims, killed after the earlier version was set aside and before the new one
    was journaled: the narrowest window of the change."""

    def add_docs(self: Journal, rows: object) -> None:
        os._exit(9)

    Journal.add_docs = add_docs  # type: ignore[method-assign]  # in the forked child only
    _issue_asked(*args)  # type: ignore[arg-type]


def test_a_claim_correction_killed_midway_is_finished_by_the_same_command(anvil_url: str, tmp_path: Path) -> None:
    registry, key, src = _setup(anvil_url, tmp_path, 2, seed=99)
    issuer = Account.from_key(key).address
    out, journal = tmp_path / "out", tmp_path / "j.sqlite"
    manifest = _manifest(src, ["Jonas Schäfer", "Lena Mülller"])
    spec, day = describe([], manifest), dt.date(2026, 7, 15)

    def asked() -> list[InputDoc]:
        return list(from_manifest(manifest, ClaimDefaults()))

    _issue_asked(anvil_url, registry.address, key, asked(), spec, out, journal, day)
    _manifest(src, ["Jonas Schäfer", "Lena Müller"])
    child = multiprocessing.get_context("fork").Process(
        target=_die_before_journaling_the_new_version,
        args=(anvil_url, registry.address, key, asked(), spec, out, journal, day),
    )
    child.start()
    child.join(120)
    assert child.exitcode == 9
    done = _issue_asked(anvil_url, registry.address, key, asked(), spec, out, journal, day)
    assert done.counts == {"written": 2, "replaced": 1}
    assert (
        _holder(registry, out / "z01.v2.pdf") == "Lena Müller" and _holder(registry, out / "z01.pdf") == "Lena Mülller"
    )
    assert len(_anchors_by(registry, issuer)) == 2
    assert any("its claims changed since it was issued as z01.pdf" in p.reason for p in done.problems)


def test_the_command_says_on_screen_which_copy_a_corrected_holder_replaced(anvil_url: str, tmp_path: Path) -> None:
    """The real `notary issue FILE --holder …`, run again with the name corrected: the v2 is issued, the screen
    names the replaced copy with how to revoke it, and both copies verify with their own holder."""
    dev = dev_registry(connect(anvil_url), "Realschule am Rhein")
    (tmp_path / "school.json").write_text(json.dumps(Account.encrypt(dev.issuer.key, "pw", kdf="pbkdf2", iterations=2)))
    (tmp_path / "notary.toml").write_text(
        f'chain = "{anvil_url}"\nregistry = "{dev.registry.address}"\nkey_file = "school.json"\n'
        f'\n[[trusted]]\nname = "Schule"\nchain_id = {dev.registry.chain_id}\n'
        f'address = "{dev.registry.address}"\nrpc_url = "{anvil_url}"\n'
    )
    (tmp_path / "z.pdf").write_bytes(next(make_certificates(1, seed=97)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    env.update(NOTARY_CONFIG=str(tmp_path / "notary.toml"), NOTARY_KEY_PASSWORD="pw",
               XDG_CONFIG_HOME=str(tmp_path / "user-config"))  # fmt: skip

    def notary(*args: str) -> subprocess.CompletedProcess[str]:
        done = run_notary(args, cwd=tmp_path, env=env, timeout=300)  # in this process: tests/cli_inprocess.py
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stdout, done.stderr)
        return done

    claims = ("--type", "zeugnis", "--title", "Abschlusszeugnis", "--out", "out")
    notary("issue", "z.pdf", *claims, "--holder", "Lena Mülller")
    fixed = notary("issue", "z.pdf", *claims, "--holder", "Lena Müller").stdout
    assert "issued 1," in fixed and "1 earlier versions replaced" in fixed and "(resumed)" in fixed
    assert "replaced" in fixed and "'Lena Mülller' -> 'Lena Müller'" in fixed
    assert "notary revoke --document" in fixed and "issued as z.v2.pdf" in fixed
    for name, holder in (("z.pdf", "Lena Mülller"), ("z.v2.pdf", "Lena Müller")):
        shown = json.loads(notary("verify", str(tmp_path / "out" / name), "--json").stdout)
        assert shown["verdict"] == "VALID" and shown["claims"]["holder"] == holder
    again = notary("issue", "z.pdf", *claims, "--holder", "Lena Müller", "--json").stdout
    assert json.loads(again)["batches"] == 2 and not (tmp_path / "out" / "z.v3.pdf").exists()


def test_a_resume_on_a_later_day_reissues_nothing(anvil_url: str, tmp_path: Path) -> None:
    """The issue date defaults to the day of the run: a later run of the same command is no claim change."""
    registry, key, src = _setup(anvil_url, tmp_path, 4, seed=95)
    issuer = Account.from_key(key).address
    out, journal = tmp_path / "out", tmp_path / "j.sqlite"
    flags = ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis", holder="Jonas Schäfer")

    def run(today: dt.date) -> Summary:
        return _issue_asked(anvil_url, registry.address, key, list(from_paths([src], flags)), f"day:{src}", out,
                            journal, today)  # fmt: skip

    first = run(dt.date(2026, 7, 15))
    assert first.counts == {"written": 4}
    outputs = {p.name: p.read_bytes() for p in out.glob("z*.pdf")}
    later = run(dt.date(2027, 1, 4))
    assert later.resumed and later.counts == {"written": 4} and later.problem_count == 0
    assert {p.name: p.read_bytes() for p in out.glob("z*.pdf")} == outputs
    assert len(_anchors_by(registry, issuer)) == 1
    # an issue date now given explicitly, and other than the recorded one, is a change
    dated = ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis", holder="Jonas Schäfer",
                          issue_date="2026-07-01")  # fmt: skip
    redated = _issue_asked(anvil_url, registry.address, key, list(from_paths([src], dated)), f"day:{src}", out,
                           journal, dt.date(2027, 1, 4))  # fmt: skip
    assert redated.counts == {"written": 4, "replaced": 4} and len(_anchors_by(registry, issuer)) == 2
    assert all("issued_on '2026-07-15' -> '2026-07-01'" in p.reason for p in redated.problems
               if p.status == "replaced")  # fmt: skip


def test_a_key_that_is_not_an_issuer_is_refused_before_anything_and_blocks_nothing(
    anvil_url: str, tmp_path: Path
) -> None:
    registry, key, src = _setup(anvil_url, tmp_path, 2, seed=73)
    stranger = Account.create()
    fund_dev_account(registry.w3, stranger.address)
    before = _spent(registry, stranger.address)
    out, journal = tmp_path / "out", tmp_path / "j.sqlite"
    with pytest.raises(NotAnIssuer, match="is not an issuer"):
        _issue(anvil_url, registry.address, bytes(stranger.key), src, out, journal)
    assert _spent(registry, stranger.address) == before
    assert not out.exists()
    # the right key then issues everything: nothing is "already issued in run 1"
    summary = _issue(anvil_url, registry.address, key, src, out, journal)
    assert summary.counts == {"written": 2}


def test_an_attempt_the_registry_refused_does_not_count_as_issued(anvil_url: str, tmp_path: Path) -> None:
    """The key is retired between the pre-flight check and the anchoring: the batch reverts, nothing is on chain,
    and another issuer's run of the same files is not blocked by the failed attempt."""
    dev = dev_registry(connect(anvil_url), "Bürgeramt Nord")
    src = tmp_path / "in"
    src.mkdir()
    for i, pdf in enumerate(make_certificates(2, seed=74)):
        (src / f"z{i}.pdf").write_bytes(pdf)

    def retire(stage: str) -> None:
        if stage == "batch-signed":
            dev.registry.retire_issuer(dev.admin, dev.issuer.address)

    journal = tmp_path / "j.sqlite"
    with pytest.raises(Exception, match="refused to anchor"):
        _issue(anvil_url, dev.registry.address, bytes(dev.issuer.key), src, tmp_path / "out1", journal, retire)
    assert _anchors_by(dev.registry, dev.issuer.address) == []
    successor = Account.create()
    fund_dev_account(dev.registry.w3, successor.address)
    dev.registry.add_issuer(dev.admin, successor.address, "Bürgeramt Nord (neuer Schlüssel)")
    summary = _issue(anvil_url, dev.registry.address, bytes(successor.key), src, tmp_path / "out2", journal)
    assert summary.counts == {"written": 2}
    assert all(_valid(dev.registry, p) for p in (tmp_path / "out2").glob("z*.pdf"))


def test_refusals_cost_nothing_on_chain(anvil_url: str, tmp_path: Path) -> None:
    """An already notarised PDF, a non-PDF and a PDF without claims are refused before any transaction."""
    registry, key, src = _setup(anvil_url, tmp_path, 1, seed=75)
    issuer = Account.from_key(key).address
    _issue(anvil_url, registry.address, key, src, tmp_path / "out", tmp_path / "j.sqlite")
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(tmp_path / "out" / "z00.pdf", again / "notarised-copy.pdf")
    (again / "letter.pdf").write_bytes(b"Sehr geehrte Damen und Herren\n")
    before = _spent(registry, issuer)
    summary = _issue(anvil_url, registry.address, key, again, tmp_path / "out2", tmp_path / "j.sqlite")
    assert summary.counts == {"failed": 2} and summary.batches == 0
    assert _spent(registry, issuer) == before
    reasons = {Path(p.src).name: p.reason for p in summary.problems}
    assert "already notarised" in reasons["notarised-copy.pdf"] and "not a PDF" in reasons["letter.pdf"]


def test_an_expired_valid_until_is_issued_with_a_warning(anvil_url: str, tmp_path: Path) -> None:
    registry, key, src = _setup(anvil_url, tmp_path, 2, seed=76)
    defaults = ClaimDefaults(doc_type="gewerbeauskunft", title="Gewerbeauskunft", holder="Bäckerei Fuß",
                             issue_date="2026-01-02", valid_until="2026-01-31")  # fmt: skip
    journal = Journal(tmp_path / "j.sqlite")
    try:
        with ThreadPoolExecutor(2) as pool:
            summary = Issuance(
                journal, Registry(connect(anvil_url), registry.address), Account.from_key(key),
                IssueOptions(out_dir=tmp_path / "out", today=dt.date(2026, 3, 1)), executor=pool,
            ).issue(from_paths([src], defaults), spec="expired")  # fmt: skip
    finally:
        journal.close()
    assert summary.counts == {"written": 2}
    assert summary.problem_count == 2
    assert all(p.status == "issued" and "valid_until 2026-01-31 has passed" in p.reason for p in summary.problems)
    assert "has passed" in (tmp_path / "out" / "notary-report.csv").read_text(encoding="utf-8")


def test_a_symbolic_link_out_of_the_folder_is_refused_and_never_read(anvil_url: str, tmp_path: Path) -> None:
    registry, key, src = _setup(anvil_url, tmp_path, 1, seed=77)
    secret = tmp_path / "elsewhere" / "secret.pdf"
    secret.parent.mkdir()
    secret.write_bytes(next(make_certificates(1, seed=78)))
    (src / "link.pdf").symlink_to(secret)
    (src / "inside.pdf").symlink_to(src / "z00.pdf")  # a link within the folder is fine (and a repeat of z00)
    summary = _issue(anvil_url, registry.address, key, src, tmp_path / "out", tmp_path / "j.sqlite")
    assert summary.counts["failed"] == 1 and summary.counts["written"] >= 1
    failed = [p for p in summary.problems if p.status == "failed"]
    assert len(failed) == 1 and "symbolic link that leads outside the folder" in failed[0].reason
    assert not (tmp_path / "out" / "link.pdf").exists()
    db = sqlite3.connect(tmp_path / "j.sqlite")
    hashed = db.execute("SELECT COUNT(*) FROM docs WHERE src LIKE '%link.pdf' AND doc_hash IS NOT NULL").fetchone()
    assert hashed[0] == 0  # never read


def test_strict_stops_at_the_first_failure_before_spending_more(anvil_url: str, tmp_path: Path) -> None:
    registry, key, src = _setup(anvil_url, tmp_path, 9, seed=79)
    issuer = Account.from_key(key).address
    (src / "z04.pdf").write_bytes(b"kein PDF")  # in the second chunk of four
    before = _spent(registry, issuer)
    out, journal = tmp_path / "out", tmp_path / "j.sqlite"
    summary = _issue(anvil_url, registry.address, key, src, out, journal, strict=True)
    assert summary.stopped is not None and "z04.pdf" in summary.stopped and "not a PDF" in summary.stopped
    assert summary.batches == 0 and _spent(registry, issuer)[0] == before[0]  # no transaction at all
    # fixed, the same command finishes the run
    (src / "z04.pdf").write_bytes(next(make_certificates(1, seed=80)))
    done = _issue(anvil_url, registry.address, key, src, out, journal, strict=True)
    assert done.stopped is None and done.counts == {"written": 9}
    assert all(_valid(registry, p) for p in out.glob("z*.pdf"))


# ---------------------------------------------------------------------- power cuts


def test_damaged_outputs_are_written_again_from_the_same_anchor(anvil_url: str, tmp_path: Path) -> None:
    registry, key, src = _setup(anvil_url, tmp_path, 6, seed=81)
    issuer = Account.from_key(key).address
    out, journal = tmp_path / "out", tmp_path / "j.sqlite"
    _issue(anvil_url, registry.address, key, src, out, journal)
    good = {p.name: p.read_bytes() for p in out.glob("z*.pdf")}
    (out / "z00.pdf").write_bytes(b"")  # zero-length: the rename reached the disk, the data did not
    (out / "z01.pdf").write_bytes(good["z01.pdf"][: len(good["z01.pdf"]) // 2])  # truncated
    (out / "z02.pdf").unlink()
    damaged_middle = bytearray(good["z03.pdf"])
    damaged_middle[len(damaged_middle) // 2] ^= 0xFF  # same length, one byte wrong
    (out / "z03.pdf").write_bytes(bytes(damaged_middle))
    summary = _issue(anvil_url, registry.address, key, src, out, journal)
    assert summary.counts == {"written": 6}
    assert {p.name: p.read_bytes() for p in out.glob("z*.pdf")} == good
    assert len(_anchors_by(registry, issuer)) == 2  # 6 documents in batches of 5: nothing anchored again


def _snapshot_then_die(snapshot_at: str, die_at: str, journal: Path, copy: Path) -> object:
    """A checkpoint hook: a consistent copy of the journal when ``snapshot_at`` is reached (the durable state a
    power cut could leave), then a hard kill at the next ``die_at``."""
    state = {"copied": False}

    def checkpoint(stage: str) -> None:
        if stage == snapshot_at and not state["copied"]:
            source = sqlite3.connect(journal)
            target = sqlite3.connect(copy)
            source.backup(target)
            target.close()
            source.close()
            state["copied"] = True
        elif stage == die_at and state["copied"]:
            os._exit(9)

    return checkpoint


@pytest.mark.parametrize(
    ("snapshot_at", "die_at"),
    [("prepared", "stamped-part"), ("batch-signed", "anchored"), ("tx-recorded", "stamped-part"),
     ("anchored", "stamped-part")],
)  # fmt: skip
def test_a_journal_rolled_back_to_an_earlier_durable_point_still_issues_each_once(
    anvil_url: str, tmp_path: Path, snapshot_at: str, die_at: str
) -> None:
    registry, key, src = _setup(anvil_url, tmp_path, 12, seed=83)
    issuer = Account.from_key(key).address
    out, journal, copy = tmp_path / "out", tmp_path / "j.sqlite", tmp_path / "j-durable.sqlite"
    child = multiprocessing.get_context("fork").Process(
        target=_issue,
        args=(anvil_url, registry.address, key, src, out, journal, _snapshot_then_die(snapshot_at, die_at, journal,
                                                                                      copy)),
    )  # fmt: skip
    child.start()
    child.join(180)
    assert child.exitcode == 9
    for suffix in ("-wal", "-shm"):
        Path(f"{journal}{suffix}").unlink(missing_ok=True)
    shutil.copy(copy, journal)  # the power cut took everything after the durable point
    outputs = sorted(out.rglob("*.pdf"))
    if outputs:  # and the last output written before the kill is cut short, as on a disk without the data
        outputs[-1].write_bytes(outputs[-1].read_bytes()[:100])
    summary = _issue(anvil_url, registry.address, key, src, out, journal)
    assert summary.counts == {"written": 12}
    roots = _anchors_by(registry, issuer)
    assert len(roots) == len(set(roots)) == 3  # 12 documents in batches of 5, each anchored exactly once
    written = sorted(out.glob("z*.pdf"))
    assert [p.name for p in written] == sorted(p.name for p in src.glob("*.pdf"))
    for path in written:
        assert path.read_bytes().startswith((src / path.name).read_bytes()) and _valid(registry, path)
    assert not list(out.glob(".*.tmp"))


def test_the_stage_trace_names_every_stage(anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry, key, src = _setup(anvil_url, tmp_path, 6, seed=85)
    trace = tmp_path / "stages.log"
    monkeypatch.setenv("NOTARY_STAGE_TRACE", str(trace))
    _issue(anvil_url, registry.address, key, src, tmp_path / "out", tmp_path / "j.sqlite")
    lines = [line.split(" ", 2) for line in trace.read_text().splitlines()]
    stages = [stage for stage, _, _ in lines]
    for stage in ("prepare", "journal", "sign", "send", "mined", "stamp", "write"):
        assert stage in stages, stage
    assert stages.index("prepare") < stages.index("journal") < stages.index("sign") < stages.index("send")
    assert stages.index("send") < stages.index("mined") < stages.index("stamp") < stages.index("write")
    assert all(batch.isdigit() for _, batch, _ in lines)


def test_an_unfinished_run_does_not_anchor_what_another_run_issued_meanwhile(anvil_url: str, tmp_path: Path) -> None:
    """Prepared but never anchored counts as nothing: another run may issue the files; the first one, resumed,
    then skips them instead of anchoring them a second time."""
    registry, key, src = _setup(anvil_url, tmp_path, 3, seed=87)
    issuer = Account.from_key(key).address
    journal = tmp_path / "j.sqlite"
    child = multiprocessing.get_context("fork").Process(
        target=_issue, args=(anvil_url, registry.address, key, src, tmp_path / "out1", journal, _die_at("prepared", 1))
    )
    child.start()
    child.join(120)
    assert child.exitcode == 9
    other = _issue(anvil_url, registry.address, key, src, tmp_path / "out2", journal)
    assert other.counts == {"written": 3}
    resumed = _issue(anvil_url, registry.address, key, src, tmp_path / "out1", journal)
    assert resumed.resumed and resumed.counts == {"duplicate": 3} and resumed.batches == 0
    assert all("same content already issued" in p.reason and "out2" in p.reason for p in resumed.problems)
    assert len(_anchors_by(registry, issuer)) == 1


def test_a_refused_batch_can_be_cut_again_with_the_same_root(tmp_path: Path) -> None:
    """Derived salts give a refused batch's documents the same leaves when they are prepared again: the journal
    frees the refused root, so resuming does not trip over it."""
    journal = Journal(tmp_path / "j.sqlite")
    try:
        run = journal.open_run("k", chain_id=1, registry="0xabc", issuer="0xdef", out_dir="/o", spec="s", options={})
        row = (run.id, 0, "/in/a.pdf", "a.pdf", "prepared", None, b"h" * 32, 1, "{}", b"s" * 32, b"l" * 32, None)
        journal.add_docs([row])
        doc_id = journal.unbatched(run.id, 1)[0][0]
        batch = journal.create_batch(run.id, b"r" * 32, 1, 1, b"sig", [doc_id])
        journal.mark_refused(batch, "IssuerNotAuthorised")
        assert journal.issued_elsewhere(1, "0xABC", b"h" * 32) is None  # never anchored: issued nowhere
        journal.retry_failures(run.id)
        journal.add_docs([row])
        doc_id = journal.unbatched(run.id, 1)[0][0]
        journal.create_batch(run.id, b"r" * 32, 1, 2, b"sig2", [doc_id])  # same root: no IntegrityError
    finally:
        journal.close()


V1_SCHEMA = """
CREATE TABLE runs (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, chain_id INTEGER NOT NULL, registry TEXT NOT NULL,
    issuer TEXT NOT NULL, out_dir TEXT NOT NULL, spec TEXT NOT NULL, options TEXT NOT NULL, created REAL NOT NULL,
    finished REAL);
CREATE TABLE docs (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,
    src TEXT NOT NULL, rel_out TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, doc_hash BLOB, size INTEGER,
    claims TEXT, salt BLOB, leaf BLOB, batch_id INTEGER REFERENCES batches(id), out_path TEXT, UNIQUE (run_id, src));
CREATE INDEX docs_hash ON docs(doc_hash);
CREATE INDEX docs_batch ON docs(batch_id);
CREATE INDEX docs_run_state ON docs(run_id, state);
CREATE TABLE batches (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), root BLOB NOT NULL UNIQUE,
    count INTEGER NOT NULL, issued_at INTEGER NOT NULL, signature BLOB NOT NULL, state TEXT NOT NULL, tx_hash TEXT,
    raw_tx BLOB, block INTEGER, timestamp INTEGER);
INSERT INTO runs VALUES (1, 'k', 1, '0xabc', '0xdef', '/o', 's', '{}', 0, 1);
INSERT INTO batches VALUES (1, 1, x'01', 1, 1, x'02', 'anchored', '0xt', NULL, 5, 6);
INSERT INTO docs VALUES (1, 1, 0, '/in/a.pdf', 'a.pdf', 'written', NULL, x'0a', 1, '{}', x'0b', x'0c', 1, '/o/a.pdf');
"""


def test_a_journal_of_the_earlier_schema_is_carried_over(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    db.close()
    journal = Journal(path)
    try:
        assert journal.state_counts(1) == {"written": 1}
        assert journal.issued_elsewhere(1, "0xABC", b"\x0a") == "run 1 (/in/a.pdf -> /o/a.pdf)"
        assert list(journal.written_docs(1)) == [(1, "/o/a.pdf", None)]  # no recorded hash: existence is checked
        # one input may now have several versions in a run
        journal.replace([(1, "the input changed")])
        journal.add_docs([(1, 1, "/in/a.pdf", "a.v2.pdf", "prepared", None, b"\x0d", 1, "{}", b"s", b"l", None)])
        assert journal.replaced_outputs(1) == {"/in/a.pdf": ["a.pdf"]}
    finally:
        journal.close()
    assert Journal(path).state_counts(1) == {"replaced": 1, "prepared": 1}  # opening it again changes nothing


def test_the_journal_commits_durably(tmp_path: Path) -> None:
    """synchronous=FULL in WAL mode: a commit (an intent) is on disk before the step it announces runs."""
    journal = Journal(tmp_path / "j.sqlite")
    try:
        assert journal.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert journal.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        journal.close()
