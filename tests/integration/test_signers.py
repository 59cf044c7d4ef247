"""Signers that keep the key elsewhere: a SoftHSM2 token (PKCS#11) and a remote JSON-RPC signer, each signing a
batch that the existing EIP-712 recover accepts and a transaction that anvil mines; issuance through both."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import coincurve
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from notary.chain import Registry, connect, fund_dev_account
from notary.core.eip712 import (
    Batch,
    BatchDomain,
    batch_digest,
    parse_signature,
    recover_batch_signer,
    recover_batch_signer_eth_account,
)
from notary.core.hashing import Digest32
from notary.signing import SignerError, as_sender, sign_batch
from notary.signing.ecdsa import HALF_N, SECP256K1_N, with_recovery_id
from notary.signing.keystore import KeystoreSigner
from notary.signing.pkcs11_token import Pkcs11Signer, forget_sessions, generate_key, list_token_keys, open_session
from notary.signing.remote import RemoteSigner
from tests.cli_inprocess import run_notary
from tests.issuing import issue_samples, verifier_for
from tests.softhsm import MODULE, PIN, make_token, needs_softhsm
from tests.softhsm import available as softhsm_available
from verifier.result import Verdict

# ---------------------------------------------------------------- SoftHSM2 token in a temporary folder


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh token 't' (user PIN 1234) in its own token dir; SOFTHSM2_CONF points at it for this module."""
    if not softhsm_available:
        pytest.skip("SoftHSM2 is installed by `make setup`")
    conf = make_token(tmp_path_factory.mktemp("softhsm"))
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    forget_sessions(MODULE)  # SoftHSM reads its configuration when initialised: this token dir from now on
    try:
        yield {"conf": str(conf), "token": "t"}
    finally:
        if before is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = before
        forget_sessions(MODULE)  # later users of the module in this process see their own configuration


_labels = iter(range(1_000_000))


def new_token_key(softhsm: dict[str, str]) -> tuple[str, str]:
    label = f"school-{next(_labels)}"
    return label, generate_key(open_session(MODULE, softhsm["token"], PIN), label)


@pytest.fixture
def token_signer(softhsm: dict[str, str]) -> Iterator[Pkcs11Signer]:
    label, address = new_token_key(softhsm)
    signer = Pkcs11Signer(MODULE, softhsm["token"], PIN, label)
    assert signer.address == address
    yield signer
    signer.close()


DOMAIN = BatchDomain(31337, "0x" + "ab" * 20)  # type: ignore[arg-type]


def _batch(i: int) -> Batch:
    return Batch(Digest32(i.to_bytes(32, "big")), 1 + i % 500, 1_767_225_600 + i)


@needs_softhsm
def test_the_key_is_made_in_the_token_and_cannot_leave_it(softhsm: dict[str, str]) -> None:
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.exceptions import AttributeSensitive

    label, address = new_token_key(softhsm)
    session = open_session(MODULE, "t", PIN)
    private = session.get_key(ObjectClass.PRIVATE_KEY, KeyType.EC, label=label)
    assert private[Attribute.SENSITIVE] and not private[Attribute.EXTRACTABLE]
    assert private[Attribute.NEVER_EXTRACTABLE] and private[Attribute.LOCAL]  # generated inside, never out
    with pytest.raises(AttributeSensitive):
        private[Attribute.VALUE]
    salt = session.get_key(ObjectClass.SECRET_KEY, KeyType.GENERIC_SECRET, label=label + ".salt")
    assert salt[Attribute.SENSITIVE] and not salt[Attribute.EXTRACTABLE]
    listed = {k.label: k for k in list_token_keys(session)}
    assert listed[label].address == address and listed[label].has_salt_key


@needs_softhsm
def test_token_batch_signatures_recover_to_its_address_in_low_s_form(token_signer: Pkcs11Signer) -> None:
    # a token's raw ECDSA has a high s about half the time: 64 batches meet both cases (chance of not: 2**-64)
    for i in range(64):
        signature = sign_batch(token_signer, DOMAIN, _batch(i))
        assert int.from_bytes(signature[32:64], "big") <= HALF_N and signature[64] in (27, 28)
        assert recover_batch_signer(DOMAIN, _batch(i), signature) == token_signer.address
        assert recover_batch_signer_eth_account(DOMAIN, _batch(i), signature) == token_signer.address


def test_a_high_s_signature_is_flipped_and_its_recovery_id_found() -> None:
    key = coincurve.PrivateKey(b"\x07" * 32)
    public = key.public_key.format(compressed=False)[1:]
    seen_v = set()
    for i in range(16):
        digest = bytes(batch_digest(DOMAIN, _batch(i)))
        compact = key.sign_recoverable(digest, hasher=None)
        r, s = int.from_bytes(compact[:32], "big"), int.from_bytes(compact[32:64], "big")
        for given in (s, SECP256K1_N - s):  # the low and the high form, as a token may return either
            v, r2, s2 = with_recovery_id(digest, r, given, public)
            assert (r2, s2) == (r, min(s, SECP256K1_N - s)) and v == compact[64]
            seen_v.add(v)
        signature = parse_signature(r.to_bytes(32, "big") + s2.to_bytes(32, "big") + bytes([v + 27]))
        assert recover_batch_signer(DOMAIN, _batch(i), signature) == Account.from_key(b"\x07" * 32).address
    assert seen_v == {0, 1}
    other = coincurve.PrivateKey(b"\x08" * 32).public_key.format(compressed=False)[1:]
    with pytest.raises(SignerError, match=r"does not verify with its public key"):
        with_recovery_id(digest, r, s, other)


@needs_softhsm
def test_the_salt_key_is_stable_per_token_key_and_differs_between_keys(
    softhsm: dict[str, str], token_signer: Pkcs11Signer
) -> None:
    again = Pkcs11Signer(MODULE, "t", PIN, token_signer._key_label)
    try:
        assert again.salt_key() == token_signer.salt_key() and len(token_signer.salt_key()) == 32
    finally:
        again.close()
    label, _ = new_token_key(softhsm)
    other = Pkcs11Signer(MODULE, "t", PIN, label)
    try:
        assert other.salt_key() != token_signer.salt_key()
    finally:
        other.close()


@needs_softhsm
def test_token_failures_are_one_clear_line(softhsm: dict[str, str], token_signer: Pkcs11Signer) -> None:
    with pytest.raises(SignerError, match=r"^wrong PIN for the PKCS#11 token 't'$"):
        Pkcs11Signer(MODULE, "t", "9999", token_signer._key_label)
    with pytest.raises(SignerError, match=r"no PKCS#11 token labelled 'nope'.*tokens: 't'"):
        Pkcs11Signer(MODULE, "nope", PIN, "x")
    with pytest.raises(SignerError, match=r"no secp256k1 key labelled 'absent' in the token 't'.*pkcs11-new"):
        Pkcs11Signer(MODULE, "t", PIN, "absent")
    with pytest.raises(SignerError, match=r"no PKCS#11 module at /nonexistent.so"):
        Pkcs11Signer("/nonexistent.so", "t", PIN, "x")
    with pytest.raises(SignerError, match=r"has a key labelled .* already"):
        generate_key(open_session(MODULE, "t", PIN), token_signer._key_label)


def _registry_with_issuer(url: str, issuer: str) -> tuple[Registry, LocalAccount]:
    w3 = connect(url)
    admin: LocalAccount = Account.create()
    fund_dev_account(w3, admin.address)
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, issuer, "Realschule am Park, Mannheim")
    return registry, admin


@needs_softhsm
@pytest.mark.anvil
def test_token_signs_transactions_anvil_mines_and_issued_documents_verify(
    anvil_url: str, token_signer: Pkcs11Signer, tmp_path: Path
) -> None:
    registry, _ = _registry_with_issuer(anvil_url, token_signer.address)
    fund_dev_account(registry.w3, token_signer.address)
    result = registry.anchor(as_sender(token_signer), b"\x42" * 32, 3)  # a transaction signed in the token
    record, _ = registry.batch(b"\x42" * 32)
    assert record.anchored and record.issuer == token_signer.address and result.block_number == record.block_number
    # the whole issuance through the token: batch signature, anchoring transaction and salts
    issued = issue_samples(registry, token_signer, tmp_path, count=3)  # type: ignore[arg-type]
    assert issued.summary.counts.get("written") == 3
    verifier = verifier_for(registry)
    for path in issued.notarised:
        verdict = verifier.verify_pdf(path.read_bytes())
        assert verdict.verdict is Verdict.VALID, verdict.to_json()
    assert issued.proof(0).issuer == token_signer.address


# ---------------------------------------------------------------- a remote signer (Clef/Web3Signer-like)


class FakeRemoteSigner:
    """A small JSON-RPC signer in a thread, holding one key, speaking eth_accounts / eth_signTypedData_v4 /
    eth_signTransaction as Clef and Web3Signer do. ``mode`` makes it misbehave: 'other-key', 'alter-tx',
    'slow' (answers after ``delay`` seconds), 'refuse'."""

    def __init__(self) -> None:
        self.account: LocalAccount = Account.create()
        self.other: LocalAccount = Account.create()
        self.mode = "ok"
        self.delay = 0.0
        self.calls: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.calls.append(request["method"])
                if outer.mode == "slow":
                    time.sleep(outer.delay)
                answer: dict[str, Any] = {"jsonrpc": "2.0", "id": request["id"]}
                try:
                    answer["result"] = outer.answer(request["method"], request["params"])
                except ValueError as exc:
                    answer["error"] = {"code": -32000, "message": str(exc)}
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):  # the client gave up waiting (the timeout test)
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, method: str, params: list[Any]) -> Any:
        if self.mode == "refuse":
            raise ValueError("request denied by the operator")
        key = self.other if self.mode == "other-key" else self.account
        if method == "eth_accounts":
            return [self.account.address.lower()]
        if method == "eth_signTypedData_v4":
            address, data = params
            assert address.lower() == self.account.address.lower()
            data = json.loads(data) if isinstance(data, str) else data
            signed = Account.sign_message(encode_typed_data(full_message=data), key.key)
            return "0x" + bytes(signed.signature).hex()
        if method == "eth_signTransaction":
            (tx,) = params
            assert tx.pop("from").lower() == self.account.address.lower() and tx.pop("input") == tx["data"]
            fields = {k: (int(v, 16) if k not in ("to", "data") else v) for k, v in tx.items()}
            if self.mode == "alter-tx":
                fields["gas"] += 1
            signed = key.sign_transaction(fields)  # type: ignore[arg-type]
            return {"raw": "0x" + bytes(signed.raw_transaction).hex(), "tx": {"hash": "0x" + signed.hash.hex()}}
        raise ValueError(f"the method {method} does not exist")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def remote() -> Iterator[FakeRemoteSigner]:
    server = FakeRemoteSigner()
    yield server
    server.close()


def test_remote_typed_data_signature_recovers_and_the_salt_secret_is_kept(
    remote: FakeRemoteSigner, tmp_path: Path
) -> None:
    signer = RemoteSigner(remote.url, remote.account.address, tmp_path / "keys" / "salt.key")
    for i in range(4):
        signature = sign_batch(signer, DOMAIN, _batch(i))
        assert recover_batch_signer(DOMAIN, _batch(i), signature) == remote.account.address
    assert "eth_signTypedData_v4" in remote.calls and remote.calls[0] == "eth_accounts"
    salt = signer.salt_key()
    assert (
        len(salt) == 32
        and salt == RemoteSigner(remote.url, remote.account.address, tmp_path / "keys" / "salt.key").salt_key()
    )
    assert (tmp_path / "keys" / "salt.key").stat().st_mode & 0o077 == 0


def test_a_misbehaving_or_absent_remote_signer_is_stopped_with_one_line(
    remote: FakeRemoteSigner, tmp_path: Path
) -> None:
    salt = tmp_path / "salt.key"
    with pytest.raises(SignerError, match=f"does not hold {Account.create().address[:2]}"):
        RemoteSigner(remote.url, Account.create().address, salt)
    signer = RemoteSigner(remote.url, remote.account.address, salt)
    remote.mode = "other-key"
    with pytest.raises(SignerError, match=r"signed the batch with 0x.*, not with"):
        sign_batch(signer, DOMAIN, _batch(1))
    tx = {"to": "0x" + "22" * 20, "gas": 50_000, "gasPrice": 10**9, "nonce": 0, "chainId": 31337, "value": 0,
          "data": "0x1234"}  # fmt: skip
    with pytest.raises(SignerError, match=r"signed the transaction with"):
        signer.sign_transaction(tx)
    remote.mode = "alter-tx"
    with pytest.raises(SignerError, match=r"signed another transaction than the one asked for"):
        signer.sign_transaction(tx)
    remote.mode = "refuse"
    with pytest.raises(SignerError, match=r"refused eth_signTypedData_v4: request denied by the operator"):
        sign_batch(signer, DOMAIN, _batch(1))
    remote.mode, remote.delay = "slow", 5.0
    slow = RemoteSigner.__new__(RemoteSigner)
    slow.__dict__.update(signer.__dict__, timeout=0.5)  # bounded: a hung signer never hangs the run
    with pytest.raises(SignerError, match=r"cannot reach the remote signer"):
        sign_batch(slow, DOMAIN, _batch(1))
    remote.close()
    with pytest.raises(SignerError, match=f"cannot reach the remote signer at {remote.url}"):
        RemoteSigner(remote.url, remote.account.address, salt)


@pytest.mark.anvil
def test_remote_signer_transactions_are_mined_and_issued_documents_verify(
    anvil_url: str, remote: FakeRemoteSigner, tmp_path: Path
) -> None:
    signer = RemoteSigner(remote.url, remote.account.address, tmp_path / "salt.key")
    registry, _ = _registry_with_issuer(anvil_url, signer.address)
    fund_dev_account(registry.w3, signer.address)
    registry.anchor(as_sender(signer), b"\x43" * 32, 2)
    record, _ = registry.batch(b"\x43" * 32)
    assert record.anchored and record.issuer == signer.address
    issued = issue_samples(registry, signer, tmp_path / "run", count=2)  # type: ignore[arg-type]
    assert issued.summary.counts.get("written") == 2
    verifier = verifier_for(registry)
    assert all(verifier.verify_pdf(p.read_bytes()).verdict is Verdict.VALID for p in issued.notarised)
    assert "eth_signTransaction" in remote.calls


def test_a_keystore_signer_keeps_todays_salts_and_signatures() -> None:
    import hashlib

    from notary.core import sign_batch as core_sign_batch

    account: LocalAccount = Account.create()
    signer = KeystoreSigner(account)
    assert signer.salt_key() == hashlib.sha256(b"notary issuance salt key v1|" + bytes(account.key)).digest()
    assert sign_batch(signer, DOMAIN, _batch(3)) == core_sign_batch(bytes(account.key), DOMAIN, _batch(3))


# ---------------------------------------------------------------- notary keys for PKCS#11


@needs_softhsm
def test_notary_keys_makes_and_lists_token_keys(softhsm: dict[str, str], tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    env.update(SOFTHSM2_CONF=softhsm["conf"], NOTARY_PKCS11_PIN=PIN, NOTARY_KEY_PASSWORD="long enough password")

    def notary(*args: str) -> subprocess.CompletedProcess[str]:
        # in this process (tests/cli_inprocess.py); the token library initialised afresh as a new process would
        result = run_notary(args, cwd=tmp_path, env=env, timeout=120, fresh=lambda: forget_sessions(MODULE))
        assert "Traceback" not in result.stderr, result.stderr
        return result

    made = notary("keys", "pkcs11-new", "--token", "t", "--label", "stadt-relay", "--json")
    assert made.returncode == 0, made.stderr
    address = json.loads(made.stdout)["address"]
    stored = notary("keys", "new", "admin", "--json")
    assert stored.returncode == 0, stored.stderr
    listed = notary("keys", "list", "--token", "t")
    assert address in listed.stdout and json.loads(stored.stdout)["address"] in listed.stdout
    # configured once in notary.toml, `notary keys list` shows the token without options
    (tmp_path / "notary.toml").write_text('[signer]\nkind = "pkcs11"\ntoken = "t"\nkey_label = "stadt-relay"\n')
    rows = json.loads(notary("keys", "list", "--json").stdout)
    assert {"kind": "pkcs11", "name": "stadt-relay", "address": address, "token": "t", "salt_key": True} in rows
    again = notary("keys", "pkcs11-new", "--label", "stadt-relay")
    assert again.returncode == 1 and "already" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    env["NOTARY_PKCS11_PIN"] = "0000"
    wrong = notary("keys", "list")
    assert wrong.returncode == 1 and wrong.stderr.strip() == "error: wrong PIN for the PKCS#11 token 't'"
    no_token = notary("keys", "pkcs11-new", "--token", "absent", "--label", "x")
    assert no_token.returncode == 1 and "no PKCS#11 token labelled 'absent'" in no_token.stderr
