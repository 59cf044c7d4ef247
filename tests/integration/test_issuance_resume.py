"""Bulk issuance survives crashes and chain faults: every input issued exactly once, every output verifies.

The crash tests kill a child process at each durable step (a real os._exit, no cleanup) and resume in a new
run of the same command, on a real anvil node shared by both processes.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from eth_account import Account
from pypdf import PdfReader, PdfWriter

from notary import localchain
from notary.chain import Registry, connect
from notary.chain.devchain import dev_registry
from notary.issuance import ClaimDefaults, Issuance, IssueOptions, Journal, Summary, from_paths
from notary.pdf.samples import make_certificates
from tests.issuing import verifier_for
from verifier.result import Verdict

pytestmark = pytest.mark.anvil
DEFAULTS = ClaimDefaults(doc_type="zeugnis", title="Abschlusszeugnis der Realschule", holder="Jonas Schäfer")


def _fresh_registry(url: str) -> tuple[Registry, bytes]:
    dev = dev_registry(connect(url), "Bürgeramt Mannheim")
    return dev.registry, bytes(dev.issuer.key)


def _make_inputs(folder: Path, count: int, seed: int = 5) -> None:
    (folder / "klasse-10a").mkdir(parents=True)
    for i, pdf in enumerate(make_certificates(count, seed=seed)):
        (folder / ("klasse-10a" if i % 2 else "") / f"z{i:03d}.pdf").write_bytes(pdf)


def _issue(
    url: str, address: str, key: bytes, src: Path, out: Path, journal_path: Path, checkpoint: object = None,
    **options: object,
) -> Summary:  # fmt: skip
    registry = Registry(connect(url), address)
    journal = Journal(journal_path)
    with ThreadPoolExecutor(2) as pool:
        try:
            return Issuance(
                journal, registry, Account.from_key(key),
                IssueOptions(out_dir=out, batch_size=5, chunk=4, chain_wait=60, **options),  # type: ignore[arg-type]
                executor=pool, checkpoint=checkpoint,  # type: ignore[arg-type]
            ).issue(from_paths([src], DEFAULTS), spec=f"test:{src}")  # fmt: skip
        finally:
            journal.close()


def _die_at(stage: str, nth: int) -> object:
    seen = {"n": 0}

    def checkpoint(name: str) -> None:
        if name == stage:
            seen["n"] += 1
            if seen["n"] == nth:
                os._exit(9)

    return checkpoint


def _anchors_by(registry: Registry, issuer: str) -> list[bytes]:
    return [event.root for event in registry.anchors(issuer)]


def _assert_complete(registry: Registry, issuer: str, src: Path, out: Path, summary: Summary, count: int) -> None:
    assert summary.counts == {"written": count}, summary.counts
    outputs = sorted(out.rglob("z*.pdf"))
    assert [p.relative_to(out) for p in outputs] == sorted(p.relative_to(src) for p in src.rglob("*.pdf"))
    verifier = verifier_for(registry)
    for path in outputs:
        assert verifier.verify_pdf(path.read_bytes()).verdict is Verdict.VALID, path
    roots = _anchors_by(registry, issuer)
    assert len(roots) == len(set(roots)) == -(-count // 5)  # each batch anchored once, none extra
    assert not list(out.rglob("*.tmp"))


@pytest.mark.parametrize(
    ("stage", "nth"),
    [("prepared", 2), ("batch-signed", 1), ("tx-recorded", 2), ("tx-sent", 1), ("tx-mined", 2), ("anchored", 1),
     ("stamped-part", 2)],
)  # fmt: skip
def test_resume_after_a_crash_at_each_stage(anvil_url: str, tmp_path: Path, stage: str, nth: int) -> None:
    registry, key = _fresh_registry(anvil_url)
    src, out, journal = tmp_path / "in", tmp_path / "out", tmp_path / "journal.sqlite"
    _make_inputs(src, 12)
    child = multiprocessing.get_context("fork").Process(
        target=_issue, args=(anvil_url, registry.address, key, src, out, journal, _die_at(stage, nth))
    )
    child.start()
    child.join(120)
    assert child.exitcode == 9, f"the child did not crash at {stage}"
    summary = _issue(anvil_url, registry.address, key, src, out, journal)
    assert summary.resumed
    _assert_complete(registry, Account.from_key(key).address, src, out, summary, 12)


def test_a_recorded_transaction_whose_nonce_was_used_meanwhile_is_signed_again(anvil_url: str, tmp_path: Path) -> None:
    registry, key = _fresh_registry(anvil_url)
    src, out, journal = tmp_path / "in", tmp_path / "out", tmp_path / "journal.sqlite"
    _make_inputs(src, 6)
    child = multiprocessing.get_context("fork").Process(
        target=_issue, args=(anvil_url, registry.address, key, src, out, journal, _die_at("tx-recorded", 1))
    )
    child.start()
    child.join(120)
    assert child.exitcode == 9
    issuer = Account.from_key(key)
    Registry(connect(anvil_url), registry.address).anchor(issuer, os.urandom(32), 1)  # takes the recorded nonce
    summary = _issue(anvil_url, registry.address, key, src, out, journal)
    assert summary.counts == {"written": 6}
    verifier = verifier_for(registry)
    assert all(verifier.verify_pdf(p.read_bytes()).verdict is Verdict.VALID for p in out.rglob("z*.pdf"))
    assert len(_anchors_by(registry, issuer.address)) == 2 + 1  # two batches of ours plus the interloper


def test_duplicates_are_skipped_unless_reissue_is_allowed(anvil_url: str, tmp_path: Path) -> None:
    registry, key = _fresh_registry(anvil_url)
    first, second = tmp_path / "first", tmp_path / "second"
    _make_inputs(first, 3, seed=11)
    _issue(anvil_url, registry.address, key, first, tmp_path / "out1", tmp_path / "j.sqlite")
    second.mkdir()
    for path in first.rglob("*.pdf"):
        (second / path.name).write_bytes(path.read_bytes())
    (second / "copy-of-first.pdf").write_bytes(next(first.rglob("*.pdf")).read_bytes())
    (second / "new.pdf").write_bytes(next(make_certificates(1, seed=99)))
    summary = _issue(anvil_url, registry.address, key, second, tmp_path / "out2", tmp_path / "j.sqlite")
    assert summary.counts == {"duplicate": 4, "written": 1}
    report = (tmp_path / "out2" / "notary-report.csv").read_text()
    assert report.count("skipped-duplicate") == 4 and "same content already issued" in report
    again = _issue(anvil_url, registry.address, key, second, tmp_path / "out3", tmp_path / "j.sqlite",
                   allow_reissue=True)  # fmt: skip
    assert again.counts == {"written": 5}


def test_bad_files_fail_alone_with_a_reason(anvil_url: str, tmp_path: Path) -> None:
    registry, key = _fresh_registry(anvil_url)
    src = tmp_path / "in"
    _make_inputs(src, 3, seed=21)
    good = next(make_certificates(1, seed=22))
    (src / "notes.pdf").write_bytes(b"Dies ist kein PDF.\n")
    (src / "empty.pdf").write_bytes(b"")
    (src / "truncated.pdf").write_bytes(good[: len(good) // 4])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good)))
    writer.encrypt("geheim")
    buffer = io.BytesIO()
    writer.write(buffer)
    (src / "encrypted.pdf").write_bytes(buffer.getvalue())
    summary = _issue(anvil_url, registry.address, key, src, tmp_path / "out", tmp_path / "j.sqlite")
    assert summary.counts == {"written": 3, "failed": 4}
    rows = {line.split(",")[0].rsplit("/", 1)[-1]: line for line in (tmp_path / "out" / "notary-report.csv").open()}
    assert "not a PDF" in rows["notes.pdf"] and "not a PDF" in rows["empty.pdf"]
    assert "failed" in rows["truncated.pdf"] and "encrypt" in rows["encrypted.pdf"].lower()
    # fixing a file and running the same command again issues it
    (src / "notes.pdf").write_bytes(next(make_certificates(1, seed=23)))
    again = _issue(anvil_url, registry.address, key, src, tmp_path / "out", tmp_path / "j.sqlite")
    assert again.counts == {"written": 4, "failed": 3}


def test_the_node_restarting_mid_run_is_waited_for(tmp_path: Path) -> None:
    data_dir = tmp_path / "chain"
    chain = localchain.up(data_dir, port=localchain.free_port())
    try:
        registry, key = _fresh_registry(chain.url)
        src, out = tmp_path / "in", tmp_path / "out"
        _make_inputs(src, 12, seed=31)
        restarted = threading.Event()
        messages: list[str] = []

        def checkpoint(stage: str) -> None:
            if stage == "anchored" and not restarted.is_set():
                restarted.set()
                localchain.down(data_dir)  # clean stop: the state is written
                threading.Timer(2.0, lambda: localchain.up(data_dir, port=chain.port)).start()

        class Say:
            def start(self, total: int | None) -> None: ...
            def advance(self, done: int) -> None: ...
            def say(self, message: str) -> None:
                messages.append(message)

        registry_client = Registry(connect(chain.url), registry.address)
        journal = Journal(tmp_path / "j.sqlite")
        with ThreadPoolExecutor(2) as pool:
            summary = Issuance(
                journal, registry_client, Account.from_key(key),
                IssueOptions(out_dir=out, batch_size=5, chunk=4, chain_wait=60), Say(), pool, checkpoint,
            ).issue(from_paths([src], DEFAULTS), spec="restart")  # fmt: skip
        journal.close()
        assert restarted.is_set() and any("waiting for the chain" in m for m in messages)
        _assert_complete(registry_client, Account.from_key(key).address, src, out, summary, 12)
    finally:
        localchain.down(data_dir)
