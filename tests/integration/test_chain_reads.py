"""The verifier's lean chain reads (raw JSON-RPC batches, notary/chain/batch_rpc.py) on a real anvil node: they give
exactly what web3's contract layer gives, show every status change at once, and fall back to web3 whenever the
lean path cannot be trusted to answer (a node without batches, a dropped connection, a dead node)."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notary.chain import Registry, connect
from notary.chain.records import State
from notary.core import Proof
from notary.errors import ChainError
from tests.conftest import Actors
from tests.issuing import Issued, issue_samples
from verifier.checks import ChainFacts
from verifier.pipeline import read_facts

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def chain(anvil_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Actors, Issued, Issued]:
    actors = Actors(anvil_url)
    first = issue_samples(actors.registry, actors.issuer, tmp_path_factory.mktemp("first"), count=3, seed=3)
    second = issue_samples(actors.registry, actors.issuer2, tmp_path_factory.mktemp("second"), count=2, seed=4)
    return actors, first, second


def _pair(url: str, address: str) -> tuple[Registry, Registry]:
    """(lean, web3-only) registries for the same node."""
    lean = Registry(connect(url, timeout=5), address)
    assert lean._batch_rpc() is not None, "the lean path must be in use on a plain http:// node"
    return lean, Registry(connect(url, timeout=5), address, lean_reads=False)


def _facts_both_ways(lean: Registry, plain: Registry, proof: Proof) -> ChainFacts:
    found = read_facts(lean, proof)
    assert found == read_facts(plain, proof)
    # the batch read issuance makes before and after anchoring: the same record and status either way
    assert lean.batch(bytes(proof.root), proof.issuer) == plain.batch(bytes(proof.root), proof.issuer)
    return found


def test_lean_reads_equal_web3_reads_for_every_status(chain: tuple[Actors, Issued, Issued], anvil_url: str) -> None:
    actors, first, second = chain
    registry = actors.registry
    lean, plain = _pair(anvil_url, registry.address)
    proofs = [first.proof(i) for i in range(3)] + [second.proof(i) for i in range(2)]
    for _ in range(2):  # the second round uses the remembered anchors (issuerAt sent beside documentStatus)
        for proof in proofs:
            facts = _facts_both_ways(lean, plain, proof)
            assert facts.view.included and facts.issuer is not None and facts.anchor_tx is not None

    doc = proofs[0]
    registry.set_document_state(
        actors.revoker, bytes(doc.root), bytes(doc.leaf()), [bytes(p) for p in doc.merkle_proof], State.REVOKED, 3
    )
    assert _facts_both_ways(lean, plain, doc).view.document_status.state is State.REVOKED
    registry.set_batch_state(actors.revoker, bytes(proofs[3].root), State.SUSPENDED, 4)
    assert _facts_both_ways(lean, plain, proofs[4]).view.batch_status.state is State.SUSPENDED
    registry.mark_compromised(actors.admin, actors.issuer2.address, 1)
    issuer = _facts_both_ways(lean, plain, proofs[3]).issuer
    assert issuer is not None and not issuer.trusted_at_time
    registry.retire_issuer(actors.admin, actors.issuer.address)
    issuer = _facts_both_ways(lean, plain, proofs[1]).issuer
    assert issuer is not None and issuer.retired_at_block > 0

    unknown = replace(doc, root=type(doc.root)(b"\x07" * 32))
    facts = _facts_both_ways(lean, plain, unknown)
    assert not facts.view.batch.anchored and facts.issuer is None and facts.anchor_tx is None
    wrong_path = replace(doc, merkle_proof=type(doc.merkle_proof).from_siblings([b"\x01" * 32] * 2))
    assert not _facts_both_ways(lean, plain, wrong_path).view.included


def test_a_remembered_anchor_that_no_longer_matches_is_not_used(
    chain: tuple[Actors, Issued, Issued], anvil_url: str
) -> None:
    actors, first, _ = chain
    lean, plain = _pair(anvil_url, actors.registry.address)
    proof = first.proof(2)
    expected = _facts_both_ways(lean, plain, proof)
    root = bytes(proof.root)
    # as after a reorg that anchored the root elsewhere: the remembered anchor names another issuer, block, time
    memo = (proof.issuer.lower(), root)  # roots are per issuer (issue 13)
    lean._batches_seen[memo] = replace(
        lean._batches_seen[memo], issuer=actors.issuer2.address, block_number=1, timestamp=1
    )
    assert read_facts(lean, proof) == expected


class _Proxy(BaseHTTPRequestHandler):
    """Forwards JSON-RPC to the node. ``refuse_batches``: answers every batch with one error object, as some
    providers do. ``drop_after``: closes the kept-alive connection after each answer without saying so, as a
    node's idle timeout does."""

    protocol_version = "HTTP/1.1"
    upstream = ""
    refuse_batches = False
    drop_after = False
    batches = 0
    singles = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        if isinstance(json.loads(body), list):
            cls.batches += 1
        else:
            cls.singles += 1
        if cls.refuse_batches and body.lstrip().startswith(b"["):
            answer = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no batches"}})
            data = answer.encode()
        else:
            request = urllib.request.Request(cls.upstream, body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as reply:
                data = reply.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = cls.drop_after

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy(anvil_url: str) -> Iterator[type[_Proxy]]:
    handler = type("Proxy", (_Proxy,), {"upstream": anvil_url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


def test_a_node_without_batches_is_read_through_web3(
    chain: tuple[Actors, Issued, Issued], anvil_url: str, proxy: type[_Proxy]
) -> None:
    actors, first, _ = chain
    proxy.refuse_batches = True
    lean = Registry(connect(proxy.url, timeout=5), actors.registry.address)  # type: ignore[attr-defined]
    plain = Registry(connect(anvil_url, timeout=5), actors.registry.address, lean_reads=False)
    for i in range(3):
        assert read_facts(lean, first.proof(i)) == read_facts(plain, first.proof(i))
    assert proxy.batches == 1, "after one refusal the node is not offered batches again"
    assert proxy.singles > 0


def test_a_dropped_connection_is_reopened_once(
    chain: tuple[Actors, Issued, Issued], anvil_url: str, proxy: type[_Proxy]
) -> None:
    actors, first, _ = chain
    proxy.drop_after = True
    lean = Registry(connect(proxy.url, timeout=5), actors.registry.address)  # type: ignore[attr-defined]
    plain = Registry(connect(anvil_url, timeout=5), actors.registry.address, lean_reads=False)
    for _ in range(2):
        for i in range(3):
            proof = first.proof(i)
            view, _issuer = lean.document_and_issuer(
                bytes(proof.root), bytes(proof.leaf()), [bytes(p) for p in proof.merkle_proof], proof.issuer
            )
            assert view == read_facts(plain, proof).view
    assert proxy.singles == 0, "every read went through the lean path, none fell back to web3"


def test_an_unreachable_node_is_the_same_chain_error(chain: tuple[Actors, Issued, Issued]) -> None:
    actors, first, _ = chain
    dead = Registry(connect("http://127.0.0.1:1", timeout=2), actors.registry.address)
    proof = first.proof(0)
    with pytest.raises(ChainError, match="cannot reach the chain while reading a document's status"):
        read_facts(dead, proof)


def test_issuance_batch_reads_take_the_lean_path(chain: tuple[Actors, Issued, Issued], anvil_url: str) -> None:
    """Issuing reads each batch two or three times; on a plain node those reads never touch web3's contract layer
    (each of its calls costs milliseconds of CPU beside the workers)."""
    actors, first, _ = chain
    lean, plain = _pair(anvil_url, actors.registry.address)
    proof = first.proof(0)
    expected = plain.batch(bytes(proof.root), proof.issuer)

    class NoContract:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"web3's contract layer was used ({name})")

    lean.contract = NoContract()
    assert lean.batch(bytes(proof.root), proof.issuer) == expected
    assert expected[0].anchored
