"""The issuing workers: a document is stamped by the process that prepared it (which still holds the original it
read, hashed and parsed), work is balanced all the same, and a held original is used only when it is exactly
the file's content now."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from notary.issuance import documents
from notary.issuance.workers import Workers
from notary.pdf.samples import make_certificates


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    pool = Workers(2)
    try:
        yield pool
    finally:
        pool.shutdown()


def _pid(_: object) -> int:
    return os.getpid()


def _slow_pid(delay: float) -> int:
    time.sleep(delay)
    return os.getpid()


def _fail(item: int) -> int:
    if item == 7:
        raise ValueError("seven")
    return item


def test_results_come_in_order_and_keyed_items_go_where_their_key_was_remembered(workers: Workers) -> None:
    keys = [f"doc-{i}" for i in range(40)]
    first = list(workers.map_keyed(_pid, keys, keys, chunksize=3, depth=None, remember=True))
    assert len(set(first)) == 2  # spread over both processes
    again = list(workers.map_keyed(_pid, list(reversed(keys)), list(reversed(keys)), chunksize=5, depth=4))
    assert again == list(reversed(first))  # each to the process that ran it before
    assert list(workers.map(pow, [2, 3, 4], [2, 2, 2], chunksize=2)) == [4, 9, 16]


def test_a_process_out_of_work_takes_over_the_rest_of_a_busier_one(workers: Workers) -> None:
    keys = [f"busy-{i}" for i in range(12)]
    pids = list(workers.map_keyed(_pid, [None] * 12, keys, chunksize=1, depth=None, remember=True))
    # every item remembered by the same process: the other one, with nothing of its own, takes some over
    one = pids[0]
    same = [k for k, p in zip(keys, pids, strict=True) if p == one]
    ran = list(workers.map_keyed(_slow_pid, [0.05] * len(same), same, chunksize=1, depth=1))
    assert len(set(ran)) == 2, ran


def _touch(path: str) -> None:
    Path(path).touch()


def test_work_starts_before_the_first_result_is_asked_for(workers: Workers, tmp_path: Path) -> None:
    """As with Executor.map, and beyond the chunks in flight: the workers stamp one batch while the caller
    anchors the next one, without asking for results meanwhile."""
    paths = [str(tmp_path / f"{i}") for i in range(12)]
    results = workers.map_keyed(_touch, paths, paths, chunksize=1, depth=1, remember=True)
    deadline = time.monotonic() + 60  # generous: a loaded machine may take long, an idle one takes milliseconds
    while not all(Path(p).exists() for p in paths) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(Path(p).exists() for p in paths)
    assert list(results) == [None] * 12


def test_a_failure_in_a_worker_is_raised_to_the_caller(workers: Workers) -> None:
    with pytest.raises(ValueError, match="seven"):
        list(workers.map(_fail, range(20), chunksize=4))
    assert list(workers.map(_fail, range(3))) == [0, 1, 2]  # the pool still works


def test_a_held_original_is_used_only_while_the_file_is_unchanged(tmp_path: Path) -> None:
    first, second = make_certificates(2, seed=3)
    src = tmp_path / "a.pdf"
    src.write_bytes(first)
    placement = documents.Placement("Digital geprüft")
    prepared = documents.prepare(str(src), placement)
    assert prepared.doc_hash is not None
    held = documents._HELD.take(str(src), prepared.doc_hash)
    assert held is not None and held.data == first and held.hasher.digest() == prepared.doc_hash
    assert documents._HELD.take(str(src), prepared.doc_hash) is None  # taken once

    documents.prepare(str(src), placement)
    assert documents._HELD.take(str(src), b"\x00" * 32) is None  # another content was anchored

    documents.prepare(str(src), placement)
    src.write_bytes(second)  # rewritten after it was read: read again (and refused by its hash) in stamp_staged
    assert documents._HELD.take(str(src), prepared.doc_hash) is None


def test_held_originals_stay_within_their_limits(tmp_path: Path) -> None:
    """Bytes up to the byte limit (beyond it only the parse is held: the bytes are read again and their hash
    checked), entries up to their count (the oldest forgotten first)."""
    held = documents._HeldOriginals(limit=120_000, entries=3)
    placement = documents.Placement("Digital geprüft")
    hashes = []
    for i, pdf in enumerate(make_certificates(4, seed=8)):
        path = tmp_path / f"{i}.pdf"
        path.write_bytes(pdf)
        prepared = documents.prepare(str(path), placement)
        assert prepared.doc_hash is not None
        hashes.append(prepared.doc_hash)
        entry = documents._HELD.take(str(path), prepared.doc_hash)
        assert entry is not None and entry.data == pdf
        held.put(str(path), entry.hasher, entry.identity, entry.doc, pdf)
        assert held.size <= 120_000
    assert held.take(str(tmp_path / "0.pdf"), hashes[0]) is None  # the oldest, forgotten
    with_bytes = [held.take(str(tmp_path / f"{i}.pdf"), hashes[i]) for i in (1, 2, 3)]
    assert [h is not None and h.data is not None for h in with_bytes] == [True, False, False]  # room for two
    assert all(h is not None and h.doc_hash == hashes[i] for h, i in zip(with_bytes, (1, 2, 3), strict=True))


def test_the_children_do_not_collect_what_they_inherited_and_this_process_still_does() -> None:
    import gc

    before = gc.get_freeze_count()
    pool = Workers(2)
    try:
        assert gc.get_freeze_count() == before  # unfrozen again here: this process collects as before
        inherited = [pool.submit(gc.get_freeze_count).result() for _ in range(2)]  # one call per process
    finally:
        pool.shutdown()
    assert all(count > 1000 for count in inherited)  # the parent's objects, frozen at the fork
