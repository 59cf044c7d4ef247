"""The registry on chain, implemented once with web3: reads for verifiers, signed transactions for issuers.

This module and connect.py are the only places that import web3. Transactions are signed locally with the
sender's key, carry explicit gas limits, use a locally tracked nonce per sender (re-read after any failure), are
simulated first so a refusal comes back as a named error, pay for gas as the chain wants it (fees.py), and wait
for their receipt and confirmations (blocks on top of the mined one) by polling, because anvil may return a hash
before its receipt is queryable. Event logs are read in chunks of blocks, since nodes cap the range (Besu's
``--rpc-max-logs-range``).

Batch roots live in one namespace per issuer (contract 2.x): every batch read and status change names the issuer.
A verifier knows it from the proof (its EIP-712 signer); tools that only have a root may leave it out, and the
adapter then finds the one registered issuer that anchored it (see ``issuer_of``).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import requests
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import BadFunctionCallOutput, TransactionNotFound, Web3Exception

from notary.chain import legacy, view_abi
from notary.chain.artifact import DEFAULT_EVM, abi, build_of, bytecode
from notary.chain.batch_rpc import BatchRpc, RpcFailure
from notary.chain.fees import FeeOracle, FeePolicy
from notary.chain.identity import WrongChain
from notary.chain.records import (
    AdminState,
    AnchorEvent,
    BatchRecord,
    DocumentView,
    IssuerRecord,
    State,
    StatusEvent,
    StatusRecord,
    TxResult,
)
from notary.chain.reverts import decode_revert_data, revert_from_exception
from notary.errors import ChainError, ChainRefusal, ContractRevert, NotaryError

T = TypeVar("T")

# Explicit gas limits: estimating every transaction costs a round trip and, on eth-tester, a full execution.
GAS = {
    "deploy": 4_500_000,
    "anchor": 90_000,
    "anchorSigned": 110_000,
    "anchorWithMetadata": 150_000,
    "addIssuer": 200_000,
    "renameIssuer": 200_000,
    "retireIssuer": 80_000,
    "markCompromised": 120_000,
    "grantRole": 100_000,
    "revokeRole": 100_000,
    "revokeBatch": 110_000,
    "suspendBatch": 110_000,
    "unsuspendBatch": 110_000,
    "beginDefaultAdminTransfer": 120_000,
    "cancelDefaultAdminTransfer": 80_000,
    "acceptDefaultAdminTransfer": 150_000,
}
_DOC_STATUS_GAS = 130_000
_PER_PROOF_STEP_GAS = 3_000
DEFAULT_LOG_CHUNK = 1_000  # blocks per eth_getLogs request
DEFAULT_RECEIPT_TIMEOUT = 120.0  # seconds for the receipt itself
DEFAULT_BLOCK_TIME = 12.0  # seconds per block assumed when waiting for confirmations
GENESIS_RECHECK = 30.0  # seconds between re-reads of the genesis block before signing
MEMO_ENTRIES = 4_096  # batches and anchoring transactions remembered per registry object (LRU)
# Seconds between beginning and accepting an admin hand-over: long enough for the city office to notice a
# hand-over it did not intend and cancel it, short enough not to stall a planned one.
DEFAULT_ADMIN_DELAY = 86_400

REVOKER_ROLE = Web3.keccak(text="REVOKER_ROLE")
ISSUER_ROLE = Web3.keccak(text="ISSUER_ROLE")
ADMIN_ROLE = b"\x00" * 32
ZERO = "0x" + "00" * 20


def anchor_log_data(issuer: str, root: bytes) -> bytes:
    """The data of ``issuer``'s ``BatchAnchored`` log for ``root``: abi.encode(issuer, root). The event is
    anonymous and has no topics; no other log of the registry is without topics."""
    return bytes(12) + bytes.fromhex(Web3.to_checksum_address(issuer)[2:]) + bytes(root)


def _chain_call(what: str, fn: Callable[[], T]) -> T:
    """Run one RPC interaction; transport failures become ChainError (undecidable, never 'invalid')."""
    try:
        return fn()
    except NotaryError:  # already said well (a revert, a bad setting)
        raise
    except (requests.RequestException, ConnectionError, TimeoutError, OSError) as exc:
        raise ChainError(f"cannot reach the chain while {what}: {type(exc).__name__}") from exc
    except BadFunctionCallOutput as exc:  # empty return data: no contract at the address on this chain
        raise ChainError(
            f"no registry contract answers on this chain while {what}: the chain was reset, or this node is "
            "another chain than the registry's"
        ) from exc
    except Web3Exception as exc:
        revert = revert_from_exception(exc)
        if revert is not None:
            raise revert from exc
        raise ChainError(f"the chain answered badly while {what}: {exc}") from exc
    except Exception as exc:
        revert = revert_from_exception(exc)
        if revert is not None:
            raise revert from exc
        raise ChainError(f"the chain answered badly while {what}: {type(exc).__name__}: {exc}") from exc


chain_call = _chain_call


@dataclass(frozen=True, slots=True)
class SignedTx:
    """A signed transaction and what is needed to explain its failure; safe to store (no key material)."""

    sender: str
    to: str | None
    data: str
    gas: int
    nonce: int
    raw: bytes
    tx_hash: str


class Registry:
    """A NotaryRegistry at ``address`` on the chain behind ``w3``."""

    def __init__(
        self,
        w3: Web3,
        address: str,
        *,
        confirmations: int = 0,
        receipt_timeout: float = DEFAULT_RECEIPT_TIMEOUT,
        block_time: float = DEFAULT_BLOCK_TIME,
        poll_interval: float = 0.02,
        fees: FeePolicy | None = None,
        log_chunk: int = DEFAULT_LOG_CHUNK,
        expected_chain_id: int | None = None,
        expected_genesis: str | None = None,
        lean_reads: bool = True,
    ) -> None:
        if log_chunk < 1:
            raise ValueError("log_chunk must be at least 1 block")
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract = w3.eth.contract(address=self.address, abi=abi())
        self.confirmations = confirmations
        self.receipt_timeout = receipt_timeout
        self.block_time = block_time
        self.poll_interval = poll_interval
        self.fees = FeeOracle(w3, fees or FeePolicy())
        self.log_chunk = log_chunk
        self.expected_chain_id = expected_chain_id
        self.expected_genesis = expected_genesis
        self._genesis_checked = -float("inf")
        self._chain_id: int | None = None
        self._nonces: dict[str, int] = {}
        self._nonce_lock = threading.Lock()
        # False: not decided yet (see _batch_rpc); None: every read goes through web3's contract layer
        self._rpc: BatchRpc | bool | None = False if lean_reads else None
        self._version: int | None = None  # 1 for a registry deployed before issue 13 (legacy.py), learnt lazily
        self._batches_seen: OrderedDict[tuple[str, bytes], BatchRecord] = OrderedDict()
        self._anchor_txs: OrderedDict[tuple[bytes, int], str] = OrderedDict()
        self._memo_lock = threading.Lock()

    # ------------------------------------------------------------------ deployment

    @classmethod
    def deploy(
        cls,
        w3: Web3,
        admin: LocalAccount,
        *,
        evm_version: str | None = None,
        admin_delay: int = DEFAULT_ADMIN_DELAY,
        **kwargs: Any,
    ) -> tuple[Registry, TxResult]:
        """Deploy the build for ``evm_version`` (default: the node's, probed) with ``admin`` as its admin; an admin
        hand-over takes two steps ``admin_delay`` seconds apart.

        Returns the registry and the deployment transaction. The caller checks the views (evm.check_views)."""
        from notary.chain.connect import is_memory
        from notary.chain.evm import detect_evm_version, require_evm

        if evm_version is None:
            evm_version = DEFAULT_EVM if is_memory(w3) else detect_evm_version(w3)
        elif not is_memory(w3):
            require_evm(w3, evm_version)
        factory = w3.eth.contract(abi=abi(), bytecode=bytecode(evm_version))
        data = factory.constructor(admin.address, admin_delay).data_in_transaction
        probe = cls(w3, "0x" + "00" * 20, **kwargs)
        result, receipt = probe._send(admin, None, data, GAS["deploy"], "deploying the registry")
        address = receipt.get("contractAddress")
        if not address:
            raise ChainError("the deployment transaction created no contract")
        return cls(w3, address, **kwargs), result

    # ------------------------------------------------------------------ reads

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            found = _chain_call("reading the chain id", lambda: int(self.w3.eth.chain_id))
            if self.expected_chain_id is not None and found != self.expected_chain_id:
                raise WrongChain(
                    f"wrong chain: the node is chain {found}, the registry {self.address} is on chain "
                    f"{self.expected_chain_id}"
                )
            self._chain_id = found
        return self._chain_id

    def block_number(self) -> int:
        return _chain_call("reading the block number", lambda: int(self.w3.eth.block_number))

    def block_timestamp(self, number: int) -> int:
        return _chain_call("reading a block", lambda: int(self.w3.eth.get_block(number)["timestamp"]))

    def has_code(self) -> bool:
        """True when one of our builds (any EVM version) sits at the address (a registry, not something else)."""
        return self.deployed_build() is not None

    def deployed_build(self) -> str | None:
        """The EVM version of the build at the address, or None if no build of ours is there."""
        code = _chain_call("reading the registry code", lambda: bytes(self.w3.eth.get_code(self.address)))
        return build_of(code)

    def batch(self, root: bytes, issuer: str | None = None) -> tuple[BatchRecord, StatusRecord]:
        """``issuer``'s batch ``root`` and its status as it counts (not anchored by that issuer: issuer is zero).
        Without ``issuer``, the one issuer that anchored ``root`` (``issuer_of``)."""
        if self._version != 1:
            try:
                who = self._resolve(root, issuer)
                answer = self._views([("batch", (who, bytes(root)))])[0]  # issuance reads each batch 2-3 times
                if answer is None:
                    answer = _chain_call("reading a batch", lambda: self.contract.functions.batch(who, root).call())
                record, status = answer
                return _batch(root, record), _status(status)
            except ContractRevert:
                if not self._legacy():
                    raise
        record, status = _chain_call("reading a batch", lambda: self._v1().functions.batch(root).call())
        batch = _batch(root, record)
        if not batch.anchored:
            return batch, legacy.v1_status(status)
        judged = self.issuer_at(batch.issuer, batch.block_number, batch.timestamp)
        return batch, legacy.discounted(legacy.v1_status(status), judged.compromised_from)

    def document(self, root: bytes, leaf: bytes, proof: Sequence[bytes], issuer: str | None = None) -> DocumentView:
        if self.expected_chain_id is not None:
            _ = self.chain_id  # a wrong chain is told as such before its empty answers are misread
        return self.document_and_issuer(root, leaf, proof, issuer)[0]

    def document_and_issuer(
        self, root: bytes, leaf: bytes, proof: Sequence[bytes], issuer: str | None = None
    ) -> tuple[DocumentView, IssuerRecord | None]:
        """The document's view in ``issuer``'s namespace (the proof's signer) and, when that issuer anchored the
        batch, the issuer judged at the anchoring block and time; both read now (latest block), nothing cached.

        One round trip for a batch seen before: its remembered anchor (issuer, block, time) supplies the
        ``issuerAt`` arguments sent beside ``documentStatus``, and that answer is used only when this very
        ``documentStatus`` answer names the same anchor (a reorg or another node may not); else it is read again.
        """
        if self.expected_chain_id is not None:
            _ = self.chain_id
        if self._version == 1:
            return self._v1_document_and_issuer(root, leaf, proof)
        try:
            return self._document_and_issuer(root, leaf, proof, self._resolve(root, issuer))
        except ContractRevert:
            if not self._legacy():
                raise
        return self._v1_document_and_issuer(root, leaf, proof)

    def _document_and_issuer(
        self, root: bytes, leaf: bytes, proof: Sequence[bytes], who: str
    ) -> tuple[DocumentView, IssuerRecord | None]:
        memo_key = (who.lower(), bytes(root))
        with self._memo_lock:
            seen = self._batches_seen.get(memo_key)
        calls: list[tuple[str, tuple[Any, ...]]] = [("documentStatus", (who, root, leaf, list(proof)))]
        if seen is not None:
            calls.append(("issuerAt", (seen.issuer, seen.block_number, seen.timestamp)))
        answers = self._views(calls)
        view = _document_view(root, answers[0] or self._document_call(who, root, leaf, proof))
        batch = view.batch
        if not batch.anchored:
            return view, None
        self._remember(self._batches_seen, memo_key, batch)
        guessed = seen is not None and (seen.issuer, seen.block_number, seen.timestamp) == (
            batch.issuer, batch.block_number, batch.timestamp,
        )  # fmt: skip
        if guessed and answers[1] is not None:
            return view, _issuer_record(batch.issuer, answers[1])
        return view, self.issuer_at(batch.issuer, batch.block_number, batch.timestamp)

    def issuer_at(self, address: str, block_number: int, timestamp: int) -> IssuerRecord:
        address = Web3.to_checksum_address(address)
        answer = self._views([("issuerAt", (address, block_number, timestamp))])[0]
        if answer is None:
            answer = _chain_call(
                "reading an issuer",
                lambda: tuple(self.contract.functions.issuerAt(address, block_number, timestamp).call()),
            )
        return _issuer_record(address, answer)

    def _legacy(self) -> bool:
        """Whether this is a version-1 registry; asked only after a version-2 view was refused (version 1 has no
        MAX_REASON), so reading a version-2 registry costs nothing more."""
        if self._version is None:
            try:
                _chain_call("reading the registry's version", lambda: self.contract.functions.MAX_REASON().call())
                self._version = 2
            except ContractRevert:
                self._version = 1
        return self._version == 1

    def _v1(self) -> Any:
        return self.w3.eth.contract(address=self.address, abi=legacy.v1_abi())

    def _v1_document_and_issuer(
        self, root: bytes, leaf: bytes, proof: Sequence[bytes]
    ) -> tuple[DocumentView, IssuerRecord | None]:
        """Version 1: one namespace of roots; rule 1 applied here (legacy.py)."""
        answer = _chain_call(
            "reading a document's status",
            lambda: tuple(self._v1().functions.documentStatus(root, leaf, list(proof)).call()),
        )
        included, record, batch_status, document_status = answer
        batch = _batch(root, record)
        view = DocumentView(bool(included), batch, legacy.v1_status(batch_status), legacy.v1_status(document_status))
        if not batch.anchored:
            return view, None
        judged = self.issuer_at(batch.issuer, batch.block_number, batch.timestamp)
        since = judged.compromised_from
        return dataclasses.replace(
            view,
            batch_status=legacy.discounted(view.batch_status, since),
            document_status=legacy.discounted(view.document_status, since),
        ), judged

    def _document_call(self, issuer: str, root: bytes, leaf: bytes, proof: Sequence[bytes]) -> tuple[Any, ...]:
        return tuple(
            _chain_call(
                "reading a document's status",
                lambda: self.contract.functions.documentStatus(issuer, root, leaf, list(proof)).call(),
            )
        )

    def issuers(self) -> list[str]:
        """Every address ever registered as an issuer, in order (from the IssuerAdded events)."""
        found = [Web3.to_checksum_address(log["args"]["issuer"]) for log in self.logs("IssuerAdded", 0, {})]
        return list(dict.fromkeys(found))

    def issuer_of(self, root: bytes) -> list[str]:
        """The registered issuers that anchored ``root`` (usually one; several if others anchored the same root in
        their own namespaces). One view call per registered issuer: for tools, not for a verifier's hot path."""
        return [who for who in self.issuers() if self._raw_batch(who, root)[0].anchored]

    def _raw_batch(self, issuer: str, root: bytes) -> tuple[BatchRecord, StatusRecord]:
        record, status = _chain_call("reading a batch", lambda: self.contract.functions.batch(issuer, root).call())
        return _batch(root, record), _status(status)

    def _resolve(self, root: bytes, issuer: str | None, sender: str | None = None) -> str:
        """The issuer whose namespace ``root`` is read or changed in: ``issuer`` if given; else ``sender`` if it
        anchored ``root``; else the only issuer that did (the zero address if none did: reads then find nothing
        and changes are refused by the contract with BatchNotAnchored)."""
        if issuer is not None:
            return Web3.to_checksum_address(issuer)
        if sender is not None and self._raw_batch(Web3.to_checksum_address(sender), root)[0].anchored:
            return Web3.to_checksum_address(sender)
        found = self.issuer_of(root)
        if len(found) > 1:
            raise ChainRefusal(
                f"batch root 0x{bytes(root).hex()} was anchored by several issuers ({', '.join(found)}): "
                "name the issuer"
            )
        return found[0] if found else ZERO

    def _views(self, calls: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[Any, ...] | None]:
        """View calls at the latest block in one JSON-RPC batch, decoded; None for each answer to be read the
        ordinary (web3) way instead, so failures keep their usual wording, retries and errors."""
        rpc = self._batch_rpc()
        if rpc is None:
            return [None] * len(calls)
        payload: list[tuple[str, list[Any]]] = []
        for name, args in calls:
            data = view_abi.call_data(name, args)
            if data is None:
                return [None] * len(calls)
            payload.append(("eth_call", [{"to": self.address, "data": data}, "latest"]))
        try:
            answers = rpc.call(payload)
        except RpcFailure:
            return [None] * len(calls)
        return [view_abi.decoded(name, answer) for (name, _), answer in zip(calls, answers, strict=True)]

    def _batch_rpc(self) -> BatchRpc | None:
        if self._rpc is False:
            self._rpc = _batch_rpc_for(self.w3)
        return self._rpc if isinstance(self._rpc, BatchRpc) else None

    def _remember(self, memo: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        with self._memo_lock:
            memo[key] = value
            memo.move_to_end(key)
            while len(memo) > MEMO_ENTRIES:
                memo.popitem(last=False)

    def issuer(self, address: str) -> IssuerRecord:
        """An issuer judged now (latest block)."""
        number = self.block_number()
        return self.issuer_at(address, number, self.block_timestamp(number))

    def has_role(self, role: bytes, address: str) -> bool:
        address = Web3.to_checksum_address(address)
        return bool(_chain_call("reading a role", lambda: self.contract.functions.hasRole(role, address).call()))

    def recover_batch_signer(self, root: bytes, count: int, issued_at: int, signature: bytes) -> str:
        return str(
            _chain_call(
                "recovering a signer",
                lambda: self.contract.functions.recoverBatchSigner(root, count, issued_at, signature).call(),
            )
        )

    def anchor_tx(self, root: bytes, block_number: int, issuer: str | None = None) -> str | None:
        """The hash of the transaction that anchored ``issuer``'s ``root`` in ``block_number`` (from its event).

        Remembered once found: which transaction anchored a root in a given block never changes (a reorg that
        anchors it elsewhere changes the block, and so the question). Not finding it is not remembered. Without
        ``issuer``: the first anchor of ``root`` in that block, by whichever issuer."""
        if self._version == 1:
            logs = _chain_call(
                "reading the anchoring event",
                lambda: self._v1().events.BatchAnchored.get_logs(
                    from_block=block_number, to_block=block_number, argument_filters={"root": root}
                ),
            )
            return "0x" + bytes(logs[0]["transactionHash"]).hex() if logs else None
        wanted = bytes(root) if issuer is None else anchor_log_data(issuer, root)
        key = (wanted, block_number)
        with self._memo_lock:
            known = self._anchor_txs.get(key)
        if known is not None:
            return known
        found_logs = self._anchor_logs(block_number, block_number)
        logs = [log for log in found_logs if bytes(log["data"])[64 - len(wanted) :] == wanted]
        if not logs:
            return None
        found = "0x" + bytes(logs[0]["transactionHash"]).hex()
        self._remember(self._anchor_txs, key, found)
        return found

    def anchors(self, issuer: str | None = None, from_block: int = 0) -> list[AnchorEvent]:
        """Every anchor (of ``issuer``, or of all issuers) from ``from_block`` on, oldest first, from the
        BatchAnchored logs (for audits; count, block and time are in ``batch``)."""
        last = self.block_number()
        found: list[AnchorEvent] = []
        for start in range(from_block, last + 1, self.log_chunk):
            for log in self._anchor_logs(start, min(start + self.log_chunk - 1, last)):
                data = bytes(log["data"])
                event = AnchorEvent(
                    issuer=Web3.to_checksum_address(data[12:32]), root=data[32:64],
                    block_number=int(log["blockNumber"]), tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                )  # fmt: skip
                if issuer is None or event.issuer.lower() == issuer.lower():
                    found.append(event)
        return found

    def _anchor_logs(self, start: int, end: int) -> list[Any]:
        """The registry's logs without topics (BatchAnchored, anonymous) in blocks ``start`` .. ``end``."""
        query: Any = {"address": self.address, "fromBlock": start, "toBlock": end}
        logs = _chain_call("reading the anchoring events", lambda: self.w3.eth.get_logs(query))
        return [log for log in logs if not log["topics"] and len(bytes(log["data"])) == 64]

    def status_history(
        self, root: bytes, leaf: bytes | None = None, from_block: int = 0, issuer: str | None = None
    ) -> list[StatusEvent]:
        """Status changes of ``issuer``'s batch and (if ``leaf`` is given) of that document, oldest first (without
        ``issuer``: of every issuer's batch with this root; each event names its issuer). Each says who made it,
        so a change a compromised key made (and the views ignore) still shows."""
        mine = {} if issuer is None else {"issuer": Web3.to_checksum_address(issuer)}
        found = self.logs("BatchStatusChanged", from_block, {"root": root, **mine})
        events = [_status_event(log, None) for log in found]
        if leaf is not None:
            found = self.logs("DocumentStatusChanged", from_block, {"root": root, "leaf": leaf, **mine})
            events.extend(_status_event(log, leaf) for log in found)
        return sorted(events, key=lambda e: (e.block_number, e.tx_hash))

    def logs(self, event: str, from_block: int, filters: dict[str, Any], to_block: int | None = None) -> list[Any]:
        """An event's logs from ``from_block`` to ``to_block`` (default: the head), ``log_chunk`` blocks a request."""
        last = self.block_number() if to_block is None else to_block
        found: list[Any] = []
        for start in range(from_block, last + 1, self.log_chunk):
            end = min(start + self.log_chunk - 1, last)
            found.extend(_chain_call(f"reading {event} events", partial(self._logs, event, start, end, filters)))
        return found

    def _logs(self, event: str, start: int, end: int, filters: dict[str, Any]) -> list[Any]:
        return list(self.contract.events[event].get_logs(from_block=start, to_block=end, argument_filters=filters))

    # ------------------------------------------------------------------ writes (admin)

    def add_issuer(self, admin: LocalAccount, issuer: str, name: str) -> TxResult:
        return self._transact(admin, "addIssuer", [Web3.to_checksum_address(issuer), name])

    def rename_issuer(self, admin: LocalAccount, issuer: str, name: str) -> TxResult:
        return self._transact(admin, "renameIssuer", [Web3.to_checksum_address(issuer), name])

    def retire_issuer(self, admin: LocalAccount, issuer: str) -> TxResult:
        return self._transact(admin, "retireIssuer", [Web3.to_checksum_address(issuer)])

    def mark_compromised(self, admin: LocalAccount, issuer: str, compromised_from: int = 0) -> TxResult:
        return self._transact(admin, "markCompromised", [Web3.to_checksum_address(issuer), compromised_from])

    def grant_revoker(self, admin: LocalAccount, account: str) -> TxResult:
        return self._transact(admin, "grantRole", [REVOKER_ROLE, Web3.to_checksum_address(account)])

    def revoke_revoker(self, admin: LocalAccount, account: str) -> TxResult:
        return self._transact(admin, "revokeRole", [REVOKER_ROLE, Web3.to_checksum_address(account)])

    # ------------------------------------------------------------------ admin hand-over (two steps, a delay)

    def admin_state(self) -> AdminState:
        """The admin, a pending hand-over (if any) and the delay, read now."""
        functions = self.contract.functions
        admin = _chain_call("reading the admin", lambda: functions.defaultAdmin().call())
        pending, schedule = _chain_call("reading the admin hand-over", lambda: functions.pendingDefaultAdmin().call())
        delay = _chain_call("reading the admin delay", lambda: functions.defaultAdminDelay().call())
        return AdminState(
            admin=Web3.to_checksum_address(admin),
            pending=None if int(pending, 16) == 0 else Web3.to_checksum_address(pending),
            accept_after=int(schedule),
            delay=int(delay),
        )

    def begin_admin_transfer(self, admin: LocalAccount, new_admin: str) -> TxResult:
        """Step 1 (current admin): name the next admin; it may accept once ``delay`` seconds have passed."""
        return self._transact(admin, "beginDefaultAdminTransfer", [Web3.to_checksum_address(new_admin)])

    def cancel_admin_transfer(self, admin: LocalAccount) -> TxResult:
        return self._transact(admin, "cancelDefaultAdminTransfer", [])

    def accept_admin_transfer(self, new_admin: LocalAccount) -> TxResult:
        """Step 2 (the named next admin, after the delay): take over; the old admin loses the role."""
        return self._transact(new_admin, "acceptDefaultAdminTransfer", [])

    # ------------------------------------------------------------------ writes (issuers, revokers)

    def anchor(
        self,
        issuer: LocalAccount,
        root: bytes,
        document_count: int,
        *,
        metadata_hash: bytes | None = None,
        metadata_uri: str = "",
    ) -> TxResult:
        if metadata_hash is None and not metadata_uri:
            return self._transact(issuer, "anchor", [root, document_count])
        return self._transact(
            issuer, "anchorWithMetadata", [root, document_count, metadata_hash or b"\x00" * 32, metadata_uri]
        )

    def anchor_signed(
        self, relayer: LocalAccount, root: bytes, count: int, issued_at: int, signature: bytes
    ) -> TxResult:
        """Anchor a batch the issuer signed (EIP-712 ``Batch(root, documentCount, issuedAt)`` under this
        registry's domain); ``relayer`` sends and pays, the signer is recorded as the issuer. The issuer key needs
        no ether. Refused with InvalidSignature (not a signature), IssuerNotAuthorised (the signer is not an
        active issuer) or RootAlreadyAnchored (already anchored by that issuer, e.g. relayed twice)."""
        signed = self.sign_anchor_signed(relayer, root, count, issued_at, signature)
        self.broadcast(signed, "anchoring a signed batch")
        result, _receipt = self.wait_mined(signed, "anchoring a signed batch")
        return result

    def sign_anchor_signed(
        self, relayer: LocalAccount, root: bytes, count: int, issued_at: int, signature: bytes
    ) -> SignedTx:
        """The relayer's ``anchorSigned`` transaction, simulated (a refusal raises, named) and signed, not sent,
        so a relay journal can record it first."""
        data = self.encode("anchorSigned", [root, count, issued_at, bytes(signature)])
        return self.sign(relayer, self.address, data, GAS["anchorSigned"], "anchoring a signed batch")

    def set_batch_state(
        self, sender: LocalAccount, root: bytes, state: State, reason: int = 0, *, issuer: str | None = None
    ) -> TxResult:
        """Change the status of ``issuer``'s batch ``root`` (default: the sender's own, else the one issuer that
        anchored it)."""
        who = self._resolve(root, issuer, sender.address)
        if state is State.REVOKED:
            return self._transact(sender, "revokeBatch", [who, root, reason])
        if state is State.SUSPENDED:
            return self._transact(sender, "suspendBatch", [who, root, reason])
        return self._transact(sender, "unsuspendBatch", [who, root])

    def set_document_state(
        self,
        sender: LocalAccount,
        root: bytes,
        leaf: bytes,
        proof: Sequence[bytes],
        state: State,
        reason: int = 0,
        *,
        issuer: str | None = None,
    ) -> TxResult:
        """Change the status of one document of ``issuer``'s batch ``root`` (issuer as in set_batch_state)."""
        who = self._resolve(root, issuer, sender.address)
        gas = _DOC_STATUS_GAS + _PER_PROOF_STEP_GAS * len(proof)
        if state is State.REVOKED:
            return self._transact(sender, "revokeDocument", [who, root, leaf, list(proof), reason], gas)
        if state is State.SUSPENDED:
            return self._transact(sender, "suspendDocument", [who, root, leaf, list(proof), reason], gas)
        return self._transact(sender, "unsuspendDocument", [who, root, leaf, list(proof)], gas)

    # ------------------------------------------------------------------ transaction machinery

    def encode(self, function: str, args: Sequence[Any]) -> str:
        return str(self.contract.encode_abi(function, args=list(args)))

    def _transact(self, sender: LocalAccount, function: str, args: Sequence[Any], gas: int | None = None) -> TxResult:
        data = self.encode(function, args)
        result, _receipt = self._send(sender, self.address, data, gas or GAS[function], f"calling {function}")
        return result

    def _send(
        self, sender: LocalAccount, to: str | None, data: str, gas: int, what: str
    ) -> tuple[TxResult, dict[str, Any]]:
        signed = self.sign(sender, to, data, gas, what)
        try:
            self.broadcast(signed, what)
        except ChainError as exc:
            if "nonce" not in str(exc).lower():
                raise
            self._forget_nonce(sender.address)  # someone else used the key: read the nonce afresh, once
            signed = self.sign(sender, to, data, gas, what)
            self.broadcast(signed, what)
        return self.wait_mined(signed, what)

    def sign(self, sender: LocalAccount, to: str | None, data: str, gas: int, what: str = "signing") -> SignedTx:
        """Simulate (a refusal raises, named) and sign a transaction with the next nonce; nothing is sent."""
        self._still_the_same_chain()
        call: dict[str, Any] = {"from": sender.address, "data": data, "gas": gas}
        if to is not None:
            call["to"] = to
        try:
            _chain_call(what, lambda: self.w3.eth.call(call))  # type: ignore[arg-type]
        except ChainError as exc:
            hint = self._without_funds(exc, sender.address, what)
            if hint is None:
                raise
            raise hint from exc
        if self.fees.policy.estimate_gas:
            estimate = _chain_call(what, lambda: int(self.w3.eth.estimate_gas(call)))  # type: ignore[arg-type]
            gas = call["gas"] = estimate + estimate // 5  # headroom: state may change before it is mined
        fees = _chain_call("reading the gas price", self.fees.fields)
        nonce = self._next_nonce(sender.address)
        tx = {**call, **fees, "nonce": nonce, "chainId": self.chain_id, "value": 0}
        signed = sender.sign_transaction(tx)
        return SignedTx(
            sender=sender.address, to=to, data=data, gas=gas, nonce=nonce,
            raw=bytes(signed.raw_transaction), tx_hash="0x" + bytes(signed.hash).hex(),
        )  # fmt: skip

    def _still_the_same_chain(self) -> None:
        """A long run re-reads the genesis block now and then: a chain reset mid-run stops it before it signs."""
        if self.expected_genesis is None or time.monotonic() - self._genesis_checked < GENESIS_RECHECK:
            return
        from notary.chain.identity import check_identity

        check_identity(self.w3, self.expected_chain_id, self.expected_genesis)
        self._genesis_checked = time.monotonic()

    def _without_funds(self, exc: ChainError, sender: str, what: str) -> ChainRefusal | None:
        """A node's "insufficient funds" (its wording varies) as what to do about it; None for other errors."""
        if not any(words in str(exc).lower() for words in ("insufficient funds", "cannot afford")):
            return None
        return ChainRefusal(
            f"the key {sender} has not enough ether for gas on chain {self.chain_id} ({what}): fund it "
            "(`notary chain fund ADDRESS` on a dev node), or on a zero-fee network set gas_price = 0 (legacy) or "
            "priority_fee = 0 (EIP-1559) in notary.toml"
        )

    def sign_anchor(self, issuer: LocalAccount, root: bytes, document_count: int) -> SignedTx:
        """An anchoring transaction, signed but not sent (so a journal can record it first)."""
        return self.sign(
            issuer, self.address, self.encode("anchor", [root, document_count]), GAS["anchor"], "anchoring"
        )

    def broadcast(self, signed: SignedTx, what: str = "sending a transaction") -> None:
        """Send a signed transaction; sending one the node already has is not an error."""
        try:
            _chain_call(what, lambda: self.w3.eth.send_raw_transaction(signed.raw))
        except ChainError as exc:
            if "already known" in str(exc).lower() or "already imported" in str(exc).lower():
                return
            hint = self._without_funds(exc, signed.sender, what)
            if hint is None:
                raise
            raise hint from exc

    def receipt(self, tx_hash: str) -> TxResult | None:
        """The mined result of a transaction, or None if the node does not know it as mined."""
        try:
            found = self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None
        except (requests.RequestException, OSError) as exc:
            raise ChainError(f"cannot reach the chain while reading a receipt: {type(exc).__name__}") from exc
        if found is None:
            return None
        return TxResult(tx_hash, int(found["blockNumber"]), int(found["gasUsed"]))

    def wait_mined(self, signed: SignedTx, what: str = "waiting for a transaction") -> tuple[TxResult, dict[str, Any]]:
        receipt = self._wait(signed.tx_hash, what)
        result = TxResult(signed.tx_hash, int(receipt["blockNumber"]), int(receipt["gasUsed"]))
        if int(receipt["status"]) != 1:
            call = {"from": signed.sender, "data": signed.data, "gas": signed.gas}
            if signed.to is not None:
                call["to"] = signed.to
            raise self._explain_failure(call, int(receipt["blockNumber"]), result)
        return result, dict(receipt)

    def _explain_failure(self, call: dict[str, Any], block: int, result: TxResult) -> ContractRevert:
        try:
            self.w3.eth.call(call, block - 1)  # type: ignore[arg-type]
        except Exception as exc:
            revert = revert_from_exception(exc)
            if revert is not None:
                return revert
        return ContractRevert("Reverted", f"transaction {result.tx_hash} failed on chain (out of gas or refused)")

    def _next_nonce(self, address: str) -> int:
        with self._nonce_lock:
            if address not in self._nonces:
                self._nonces[address] = _chain_call(
                    "reading the nonce",
                    lambda: int(self.w3.eth.get_transaction_count(Web3.to_checksum_address(address), "pending")),
                )
            nonce = self._nonces[address]
            self._nonces[address] = nonce + 1
            return nonce

    def _forget_nonce(self, address: str) -> None:
        with self._nonce_lock:
            self._nonces.pop(address, None)

    @property
    def wait_limit(self) -> float:
        """Seconds to wait for a receipt and its confirmations: the receipt timeout plus, per confirmation,
        twice the block time (a slot may stay empty)."""
        return self.receipt_timeout + 2 * self.block_time * self.confirmations

    def confirmed(self, block_number: int) -> bool:
        """Whether a transaction mined in ``block_number`` has its confirmations (blocks on top of that one)."""
        return self.confirmations == 0 or self.block_number() >= block_number + self.confirmations

    def _receipt_or_none(self, tx_hash: str) -> Any:
        try:
            return self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None

    def _wait(self, tx_hash: str, what: str) -> Any:
        limit = self.wait_limit
        deadline = time.monotonic() + limit
        while True:
            receipt = _chain_call(f"waiting for a receipt ({what})", partial(self._receipt_or_none, tx_hash))
            if receipt is not None:
                break
            if time.monotonic() > deadline:
                raise ChainError(
                    f"no receipt for {tx_hash} after {limit:.0f} s ({what}); it may still be mined: re-running "
                    "`notary issue` resumes without sending again; for other commands look first (`notary registry "
                    "info`, `notary status`), or raise receipt_timeout"
                )
            time.sleep(self.poll_interval)
        mined = int(receipt["blockNumber"])
        while not self.confirmed(mined):
            if time.monotonic() > deadline:
                raise ChainError(
                    f"{tx_hash} was mined in block {mined} but has not got {self.confirmations} confirmations "
                    f"after {limit:.0f} s (head: block {self.block_number()}); it stays on chain and counts once "
                    "the chain moves on (raise receipt_timeout or block_time for slow chains)"
                )
            time.sleep(max(self.poll_interval, 0.2))
        return receipt


def _batch_rpc_for(w3: Web3) -> BatchRpc | None:
    """The lean transport for a plain HTTP provider set up as connect() does (only a timeout and headers)."""
    from web3.providers.rpc import HTTPProvider

    provider = w3.provider
    if type(provider) is not HTTPProvider or provider.endpoint_uri is None:
        return None
    kwargs = dict(provider.get_request_kwargs())
    timeout, headers = kwargs.pop("timeout", None), kwargs.pop("headers", None)
    if kwargs or not isinstance(timeout, (int, float)):
        return None  # anything else (auth, proxies, certificates) is for requests to apply
    return BatchRpc.for_url(str(provider.endpoint_uri), timeout=float(timeout), headers=headers)


def _document_view(root: bytes, answer: Sequence[Any]) -> DocumentView:
    included, record, batch_status, doc_status = answer
    return DocumentView(bool(included), _batch(root, record), _status(batch_status), _status(doc_status))


def _issuer_record(address: str, answer: Sequence[Any]) -> IssuerRecord:
    record, authorised, trusted = answer
    authorised_from, retired_at, compromised_from, _marked_at, name = record
    return IssuerRecord(
        address=address,
        name=str(name),
        authorised_from_block=int(authorised_from),
        retired_at_block=int(retired_at),
        compromised_from=int(compromised_from),
        registered=int(authorised_from) != 0,
        authorised_at_block=bool(authorised),
        trusted_at_time=bool(trusted),
    )


def _batch(root: bytes, record: Sequence[Any]) -> BatchRecord:
    issuer, count, block_number, timestamp = record
    return BatchRecord(bytes(root), Web3.to_checksum_address(issuer), int(count), int(block_number), int(timestamp))


def _status(status: Sequence[Any]) -> StatusRecord:
    state, reason, since, block_number, by_authority, ignored, ignored_state, ignored_reason = status
    return StatusRecord(
        State(int(state)), int(reason), int(since), int(block_number), bool(by_authority),
        ignored=bool(ignored), ignored_state=State(int(ignored_state)), ignored_reason=int(ignored_reason),
    )  # fmt: skip


def _status_event(log: Any, leaf: bytes | None) -> StatusEvent:
    args = log["args"]
    return StatusEvent(
        issuer=Web3.to_checksum_address(args["issuer"]),
        root=bytes(args["root"]),
        leaf=leaf,
        state=State(int(args["state"])),
        reason=int(args["reason"]),
        by=str(args["by"]),
        block_number=int(log["blockNumber"]),
        tx_hash="0x" + bytes(log["transactionHash"]).hex(),
    )


__all__ = ["Registry", "decode_revert_data"]
