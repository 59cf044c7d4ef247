"""Review findings on bulk issuance inputs: a document anchored but not written must not be anchored again from
another output folder; manifest paths may not leave the manifest's folder; a file listed twice is issued once."""

from __future__ import annotations

import csv
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from eth_account import Account

from notary.chain import Registry, connect
from notary.issuance import ClaimDefaults, InputDoc, Issuance, IssueOptions, Journal, Summary, from_paths
from notary.issuance.inputs import from_manifest
from notary.pdf.samples import make_certificates
from tests.integration.test_issuance_resume import DEFAULTS, _anchors_by, _fresh_registry
from tests.issuing import verifier_for
from verifier.result import Verdict

pytestmark = pytest.mark.anvil


def _run(url: str, address: str, key: bytes, inputs: list[InputDoc], out: Path, journal: Path, spec: str) -> Summary:
    j = Journal(journal)
    try:
        with ThreadPoolExecutor(2) as pool:
            return Issuance(
                j, Registry(connect(url), address), Account.from_key(key), IssueOptions(out_dir=out, chain_wait=60),
                executor=pool,
            ).issue(inputs, spec=spec)  # fmt: skip
    finally:
        j.close()


def _report(out: Path) -> dict[str, dict[str, str]]:
    with (out / "notary-report.csv").open(encoding="utf-8") as handle:
        return {row["input"]: row for row in csv.DictReader(handle)}


def test_a_document_anchored_but_not_written_is_not_anchored_again_elsewhere(anvil_url: str, tmp_path: Path) -> None:
    registry, key = _fresh_registry(anvil_url)
    issuer = Account.from_key(key).address
    src, out1, out2, journal = tmp_path / "in", tmp_path / "out1", tmp_path / "out2", tmp_path / "j.sqlite"
    src.mkdir()
    for i, pdf in enumerate(make_certificates(3, seed=51)):
        (src / f"z{i}.pdf").write_bytes(pdf)
    out1.mkdir()
    (out1 / "z0.pdf").write_bytes(b"left over from last year")  # stamping z0 into out1 fails, after anchoring

    def run(out: Path) -> Summary:
        return _run(anvil_url, registry.address, key, list(from_paths([src], DEFAULTS)), out, journal, f"t:{src}")

    first = run(out1)
    assert first.counts == {"written": 2, "failed": 1}
    z0 = _report(out1)[str(src / "z0.pdf")]
    assert z0["status"] == "failed" and z0["reason"].startswith("anchored, not written: ") and z0["root"]
    assert "exists with other content" in z0["reason"]
    json_rows = json.loads((out1 / "notary-report.json").read_text(encoding="utf-8"))["documents"]
    assert any(r["reason"].startswith("anchored, not written: ") for r in json_rows if r["reason"])

    # the operator follows the advice "choose another output folder": nothing is anchored a second time
    second = run(out2)
    assert second.counts == {"duplicate": 3} and second.batches == 0
    reason = _report(out2)[str(src / "z0.pdf")]["reason"]
    assert "same content already issued" in reason and "anchored, not written" in reason
    assert len(_anchors_by(registry, issuer)) == 1

    # the right repair: clear the stale file and run the first command again; it writes z0 from the same anchor
    (out1 / "z0.pdf").unlink()
    again = run(out1)
    assert again.counts == {"written": 3} and len(_anchors_by(registry, issuer)) == 1
    assert verifier_for(registry).verify_pdf((out1 / "z0.pdf").read_bytes()).verdict is Verdict.VALID


def test_manifest_paths_leaving_its_folder_fail_and_are_never_read_or_written(anvil_url: str, tmp_path: Path) -> None:
    registry, key = _fresh_registry(anvil_url)
    school, elsewhere = tmp_path / "school", tmp_path / "elsewhere"
    school.mkdir()
    elsewhere.mkdir()
    pdfs = list(make_certificates(3, seed=53))
    (elsewhere / "secret.pdf").write_bytes(pdfs[0])
    (elsewhere / "linked.pdf").write_bytes(pdfs[1])
    (school / "ok.pdf").write_bytes(pdfs[2])
    (school / "link.pdf").symlink_to(elsewhere / "linked.pdf")
    manifest = school / "manifest.csv"
    manifest.write_text(
        "path;type;title;holder\n"
        "../elsewhere/secret.pdf;zeugnis;Zeugnis;A B\n"
        "sub/../../elsewhere/secret.pdf;zeugnis;Zeugnis;A B\n"
        "link.pdf;zeugnis;Zeugnis;A B\n"
        ";zeugnis;Zeugnis;A B\n"
        "ok.pdf;zeugnis;Zeugnis;A B\n",
        encoding="utf-8",
    )
    out, journal = school / "out", tmp_path / "j.sqlite"
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())

    def run() -> Summary:
        return _run(anvil_url, registry.address, key, list(from_manifest(manifest, ClaimDefaults())), out, journal,
                    "manifest")  # fmt: skip

    summary = run()
    assert summary.counts == {"written": 1, "failed": 4}
    rows = list(_report(out).values())
    failed = [r for r in rows if r["status"] == "failed"]
    assert all(r["reason"].startswith("manifest line ") and not r["leaf"] and not r["output"] for r in failed)
    assert sum("must stay inside the manifest's folder" in r["reason"] for r in failed) == 2
    assert sum("leads outside the manifest's folder" in r["reason"] for r in failed) == 1
    assert sum("no path given" in r["reason"] for r in failed) == 1
    # never read: nothing was hashed for them; never written: the only new files are the output and reports
    hashed = Journal(journal).db.execute("SELECT COUNT(*) FROM docs WHERE doc_hash IS NOT NULL").fetchone()[0]
    assert hashed == 1
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    new = set(after) - set(before) - {Path("j.sqlite"), Path("j.sqlite-wal"), Path("j.sqlite-shm")}
    assert new == {Path("school/out/ok.pdf"), Path("school/out/notary-report.csv"),
                   Path("school/out/notary-report.json")}  # fmt: skip
    # the same command again resumes quietly, with the same outcome
    assert run().counts == {"written": 1, "failed": 4}


def test_a_file_listed_twice_is_issued_once_and_reported_as_a_duplicate(anvil_url: str, tmp_path: Path) -> None:
    registry, key = _fresh_registry(anvil_url)
    school = tmp_path / "school"
    school.mkdir()
    pdfs = list(make_certificates(2, seed=55))
    (school / "ok.pdf").write_bytes(pdfs[0])
    (school / "other.pdf").write_bytes(pdfs[1])
    manifest = school / "manifest.csv"
    manifest.write_text(
        "path;type;title;holder\nok.pdf;zeugnis;Zeugnis;A B\nother.pdf;zeugnis;Zeugnis;C D\n"
        "ok.pdf;zeugnis;Zeugnis;A B\n./ok.pdf;zeugnis;Zeugnis;A B\n",
        encoding="utf-8",
    )
    journal = tmp_path / "j.sqlite"

    def run() -> Summary:
        inputs = list(from_manifest(manifest, ClaimDefaults()))
        return _run(anvil_url, registry.address, key, inputs, tmp_path / "out", journal, "twice")

    summary = run()  # used to crash: sqlite3.IntegrityError UNIQUE (run_id, src)
    assert summary.counts == {"written": 2, "duplicate": 2}
    rows = _report(tmp_path / "out")
    dups = [r for r in rows.values() if r["status"] == "skipped-duplicate"]
    assert len(dups) == 2 and all("listed more than once" in r["reason"] for r in dups)
    assert len(_anchors_by(registry, Account.from_key(key).address)) == 1
    assert run().counts == {"written": 2, "duplicate": 2}  # resuming gives the same, no crash

    # a file named twice on the command line (or beside its folder) likewise
    single = tmp_path / "fresh.pdf"
    single.write_bytes(next(make_certificates(1, seed=56)))
    twice = list(from_paths([single, tmp_path / "." / "fresh.pdf"], DEFAULTS))
    other = _run(anvil_url, registry.address, key, twice, tmp_path / "out2", journal, "paths")
    assert other.counts == {"written": 1, "duplicate": 1}


def test_two_inputs_with_the_same_output_name_do_not_collide(anvil_url: str, tmp_path: Path) -> None:
    """`notary issue a/x.pdf b/x.pdf`: the second would overwrite (or, after anchoring, fail on) the first's output."""
    registry, key = _fresh_registry(anvil_url)
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    pdfs = list(make_certificates(2, seed=61))
    (first / "x.pdf").write_bytes(pdfs[0])
    (second / "x.pdf").write_bytes(pdfs[1])
    inputs = list(from_paths([first / "x.pdf", second / "x.pdf"], DEFAULTS))
    out = tmp_path / "out"
    summary = _run(anvil_url, registry.address, key, inputs, out, tmp_path / "j.sqlite", "clash")
    assert summary.counts == {"written": 1, "failed": 1}
    clash = _report(out)[str(second / "x.pdf")]
    assert clash["status"] == "failed" and "output name x.pdf is taken" in clash["reason"] and not clash["root"]
    assert verifier_for(registry).verify_pdf((out / "x.pdf").read_bytes()).verdict is Verdict.VALID
    assert (out / "x.pdf").read_bytes().startswith(pdfs[0])
