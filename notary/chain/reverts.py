"""Turn a revert from any backend into one typed, named error.

eth-tester raises ``TransactionFailed("execution reverted: b'0\\xcd...'")``, anvil answers with JSON-RPC error data
that web3 turns into ``ContractCustomError('0x30cd7471...')``; a mined transaction with status 0 carries nothing.
All of them end up as :class:`notary.errors.ContractRevert` with the Solidity error's name.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_utils.crypto import keccak

from notary.chain.artifact import abi
from notary.errors import ContractRevert

_HEX = re.compile(r"0x[0-9a-fA-F]{8,}")

# What a user should read; the error name is always shown too. Keep in sync with the contract's errors.
_MESSAGES = {
    "IssuerNotAuthorised": "this key is not an authorised issuer of the registry (ask the registry admin)",
    "ZeroRoot": "a batch root of zero cannot be anchored",
    "EmptyBatch": "a batch must hold at least one document",
    "BatchTooLarge": "the batch holds more documents than the registry can count (16,777,215)",
    "RootAlreadyAnchored": "this issuer has already anchored this batch root",
    "BatchNotAnchored": "this issuer has anchored no batch with this root in the registry",
    "NotAllowedToChangeStatus": (
        "only the batch's issuer (not once its key is compromised, and not a status a revoker or the admin set), "
        "a revoker or the admin may change its status"
    ),
    "InvalidMerkleProof": "the document is not part of that batch (Merkle proof does not lead to the root)",
    "AlreadyRevoked": "already revoked; revocation is final",
    "AlreadySuspended": "already suspended",
    "NotSuspended": "not suspended, so there is nothing to lift",
    "IssuerAlreadyRegistered": "this address is already registered as an issuer (a retired key cannot return)",
    "UnknownIssuer": "this address is not registered as an issuer",
    "IssuerAlreadyRetired": "this issuer is already retired",
    "IssuerAlreadyCompromised": "this issuer is already marked compromised",
    "CompromiseInFuture": "a compromise cannot be declared for a time in the future",
    "InvalidReason": "unknown reason code (0 unspecified .. 5 key-compromise, see docs/contract.md)",
    "InvalidSignature": "the signature over the batch recovers to no key",
    "AccessControlEnforcedDefaultAdminRules": "the admin role changes hands only by the two-step admin-transfer",
    "AccessControlEnforcedDefaultAdminDelay": "the admin hand-over cannot be accepted before its delay has passed",
    "AccessControlInvalidDefaultAdmin": "only the address named in the pending admin hand-over can accept it",
    "InvalidName": "the issuer name must be 1 to 200 bytes",
    "ZeroAddress": "the zero address is not allowed here",
    "UseIssuerRegistry": "issuers are managed with add-issuer/retire-issuer, not with roles",
    "AccessControlUnauthorizedAccount": "this key lacks the role needed for that (admin or revoker)",
}


@lru_cache(maxsize=1)
def _errors_by_selector() -> dict[bytes, tuple[str, list[str]]]:
    table: dict[bytes, tuple[str, list[str]]] = {}
    for item in abi():
        if item.get("type") != "error":
            continue
        types = [inp["type"] for inp in item.get("inputs", [])]
        selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
        table[selector] = (item["name"], types)
    return table


def decode_revert_data(data: bytes) -> ContractRevert:
    """A revert payload (selector + ABI args) as a named error."""
    if len(data) < 4:
        return ContractRevert("Reverted", "the registry refused the call without a reason")
    found = _errors_by_selector().get(data[:4])
    if found is None:
        if data[:4] == keccak(text="Error(string)")[:4]:
            try:
                (text,) = abi_decode(["string"], data[4:])
            except Exception:  # a malformed reason from a hostile node is still a refusal
                text = "?"
            return ContractRevert("Error", f"the registry refused the call: {text}")
        return ContractRevert("UnknownError", f"the registry refused the call (error 0x{data[:4].hex()})")
    name, types = found
    try:
        args: tuple[Any, ...] = tuple(abi_decode(types, data[4:]))
    except Exception:
        args = ()
    detail = _MESSAGES.get(name, "the registry refused the call")
    shown = ", ".join(_show(a) for a in args)
    return ContractRevert(name, f"{name}: {detail}" + (f" ({shown})" if shown else ""))


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def revert_from_exception(exc: BaseException) -> ContractRevert | None:
    """The named error inside a backend's revert exception, or None when ``exc`` is not a revert."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return decode_revert_data(bytes.fromhex(data[2:]))
    text = str(exc.args[0]) if exc.args else str(exc)
    if "execution reverted" not in text and type(exc).__name__ not in (
        "TransactionFailed",
        "ContractLogicError",
    ):
        return None
    # The first opener wins: when repr chose b"..." its escapes may contain b' too (\xab then a quote byte).
    openers = [i for i in (text.find("b'"), text.find('b"')) if i >= 0]
    marker = min(openers) if openers else -1
    if marker >= 0:
        try:
            raw = ast.literal_eval(text[marker:])
            if isinstance(raw, bytes):
                return decode_revert_data(raw)
        except (ValueError, SyntaxError):
            pass
    found = _HEX.search(text)
    if found:
        return decode_revert_data(bytes.fromhex(found.group(0)[2:]))
    return ContractRevert("Reverted", f"the registry refused the call: {text}")
