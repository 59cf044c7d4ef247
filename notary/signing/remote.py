"""Remote signer over JSON-RPC, as Clef and Web3Signer expose it: ``eth_accounts``, ``eth_signTypedData_v4``,
``eth_signTransaction``. The key stays with the signer service; every answer is checked here (typed-data
signature recovers to the configured address; the signed transaction is, byte for byte, the one asked for)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import rlp
from eth_account.datastructures import SignedTransaction
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes

from notary.core.eip712 import parse_signature
from notary.core.hashing import raw_keccak256
from notary.errors import FormatError
from notary.signing.base import check_sender, reencode, without_from
from notary.signing.ecdsa import SECP256K1_N, low_s
from notary.signing.errors import SignerError
from notary.signing.salt import salt_secret

DEFAULT_TIMEOUT = 30.0
"""Seconds per request: a signer that asks a human to confirm (Clef) needs time, but never forever."""

_QUANTITIES = ("gas", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "nonce", "value", "chainId", "type")


class RemoteSigner:
    kind = "remote"

    def __init__(self, url: str, address: str, salt_file: Path, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            raise SignerError(f"the remote signer URL must start with http:// or https://, got {url!r}")
        try:
            self._address = to_checksum_address(address)
        except ValueError:
            raise SignerError(f"the remote signer address {address!r} is not an address") from None
        self.url, self.timeout, self._salt_file = url, timeout, salt_file
        self._id = 0
        accounts = self._call("eth_accounts", [])
        if not isinstance(accounts, list):
            raise SignerError(f"the remote signer at {url} answered eth_accounts with {type(accounts).__name__}")
        if self._address.lower() not in {str(a).lower() for a in accounts}:
            raise SignerError(
                f"the remote signer at {url} does not hold {self._address} (it offers {len(accounts)} accounts)"
            )

    @property
    def address(self) -> ChecksumAddress:
        return self._address

    def _call(self, method: str, params: list[Any]) -> Any:
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}).encode()
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read(1_000_000))
        except urllib.error.HTTPError as exc:
            raise SignerError(f"the remote signer at {self.url} answered HTTP {exc.code} to {method}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SignerError(f"cannot reach the remote signer at {self.url} ({method}): {reason}") from None
        except ValueError:
            raise SignerError(f"the remote signer at {self.url} answered {method} with something not JSON") from None
        if not isinstance(answer, dict):
            raise SignerError(f"the remote signer at {self.url} answered {method} with no JSON-RPC object")
        if answer.get("error") is not None:
            error = answer["error"]
            message = error.get("message") if isinstance(error, dict) else error
            raise SignerError(f"the remote signer at {self.url} refused {method}: {message}")
        if "result" not in answer:
            raise SignerError(f"the remote signer at {self.url} answered {method} without a result")
        return answer["result"]

    def sign_typed_data(self, typed_data: Mapping[str, Any]) -> bytes:
        result = self._call("eth_signTypedData_v4", [self._address, _jsonable(typed_data)])
        raw = _hex_bytes(result, "eth_signTypedData_v4")
        if len(raw) != 65:
            raise SignerError(f"the remote signer returned a {len(raw)}-byte typed-data signature, not 65")
        r, s, v = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]
        v = v + 27 if v in (0, 1) else v
        if 0 < s < SECP256K1_N and s != low_s(s):  # the same signature in the form the contract accepts
            s, v = low_s(s), 55 - v
        try:
            return parse_signature(r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v]))
        except FormatError as exc:
            raise SignerError(f"the remote signer returned an unusable signature: {exc}") from None

    def sign_transaction(self, transaction_dict: Mapping[str, Any]) -> SignedTransaction:
        tx = without_from(transaction_dict, self._address)
        result = self._call("eth_signTransaction", [_rpc_transaction(tx, self._address)])
        # geth and Clef answer {"raw": ..., "tx": ...}; Web3Signer answers the raw hex alone
        raw = _hex_bytes(result.get("raw") if isinstance(result, dict) else result, "eth_signTransaction")
        try:
            items = rlp.decode(raw if raw[:1] >= b"\xc0" else raw[1:])
            v, r, s = (int.from_bytes(bytes(item), "big") for item in items[-3:])
        except Exception:  # rlp raises its own types for every damage
            raise SignerError("the remote signer returned a transaction that does not decode") from None
        if reencode(tx, (v, r, s)) != raw:
            raise SignerError("the remote signer signed another transaction than the one asked for; nothing was sent")
        signed = SignedTransaction(HexBytes(raw), HexBytes(raw_keccak256(raw)), r, s, v)
        check_sender(signed, self._address, self.kind)
        return signed

    def salt_key(self) -> bytes:
        return salt_secret(self._salt_file)

    def describe(self) -> str:
        return f"remote signer {self.url} ({self._address})"


def _hex_bytes(value: object, method: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise SignerError(f"the remote signer answered {method} without a 0x hex string")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise SignerError(f"the remote signer answered {method} with bad hex") from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _rpc_transaction(tx: Mapping[str, Any], sender: str) -> dict[str, Any]:
    """The transaction as JSON-RPC spells it: hex quantities, ``input`` and ``data`` both (geth reads either)."""
    out: dict[str, Any] = {"from": sender}
    for key, value in tx.items():
        if key in _QUANTITIES:
            out[key] = hex(int(value))
        elif key == "data":
            out["data"] = out["input"] = value if isinstance(value, str) else "0x" + bytes(value).hex()
        elif key == "to":
            out["to"] = to_checksum_address(value)
        elif key == "accessList":
            out[key] = _jsonable(value)
        else:
            raise SignerError(f"cannot ask a remote signer to sign a transaction with {key!r}")
    return out
