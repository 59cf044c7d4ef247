"""Which EVM a node runs, found by probing its opcodes, and whether a deployed registry works there.

Probing beats asking: nodes report no hardfork name over JSON-RPC, and a city's Besu or geth network may sit
on any fork from london on. A contract-creation ``eth_call`` whose init code uses one new opcode succeeds exactly
when the node knows that opcode; nothing is sent and nothing is spent.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests
from eth_account import Account
from web3 import Web3

from notary.chain.artifact import EVM_VERSIONS
from notary.errors import ChainError, ConfigError

if TYPE_CHECKING:
    from notary.chain.registry import Registry

# init code that runs one opcode and stops: STOP alone (any EVM), PUSH0 (shanghai), MCOPY (cancun)
_BASELINE = "0x00"
_PROBES = (
    ("cancun", "0x6000600060005e00"),  # PUSH1 0 PUSH1 0 PUSH1 0 MCOPY STOP
    ("shanghai", "0x5f00"),  # PUSH0 STOP
)
_NEEDS = {"shanghai": "PUSH0", "cancun": "MCOPY"}


def _runs(w3: Web3, code: str) -> bool:
    """True when the node executes ``code`` as init code; False when it refuses it (unknown opcode)."""
    try:
        w3.eth.call({"data": code, "gas": 100_000})  # type: ignore[typeddict-item]
    except (requests.RequestException, ConnectionError, TimeoutError, OSError) as exc:
        raise ChainError(f"cannot reach the chain while probing its EVM version: {type(exc).__name__}") from exc
    except Exception:  # the node's refusal takes many shapes (RPC error, revert, invalid opcode); all say "no"
        return False
    return True


def detect_evm_version(w3: Web3) -> str:
    """The newest of our EVM targets the node runs (london also stands for paris: they compile identically)."""
    if not _runs(w3, _BASELINE):
        raise ConfigError(
            "cannot detect the chain's EVM version (the node refuses contract-creation calls): "
            f"set evm_version in notary.toml to one of {', '.join(EVM_VERSIONS)}"
        )
    for evm, code in _PROBES:
        if _runs(w3, code):
            return evm
    return "london"


def require_evm(w3: Web3, evm: str) -> None:
    """Refuse, before anything is sent, a build that needs opcodes the node lacks."""
    if evm not in _NEEDS:
        return
    code = dict(_PROBES)[evm]
    if not _runs(w3, _BASELINE) or _runs(w3, code):
        return  # the node cannot be probed: the post-deploy view check is the backstop
    runs = detect_evm_version(w3)
    said = "london or paris" if runs == "london" else runs
    raise ConfigError(
        f"evm_version = {evm} needs {_NEEDS[evm]}, which this chain does not run (it runs {said}): "
        f"set evm_version = {runs} in notary.toml (or leave it out to detect it)"
    )


def check_views(registry: Registry, evm: str) -> None:
    """Call every view a verifier needs once; any failure means documents anchored here could never be verified."""
    from notary.core.eip712 import Batch, BatchDomain, sign_batch
    from notary.core.hashing import Digest32

    probe_key = os.urandom(32)
    root = os.urandom(32)
    signer = Account.from_key(probe_key).address
    number = registry.block_number()
    signature = sign_batch(probe_key, BatchDomain(registry.chain_id, registry.address), Batch(Digest32(root), 1, 1))
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("issuerAt", lambda: registry.issuer_at(signer, number, registry.block_timestamp(number))),
        ("documentStatus", lambda: registry.document(root, root, [root], signer)),
        ("eip712Domain", lambda: registry.contract.functions.eip712Domain().call()),
        ("recoverBatchSigner", lambda: registry.recover_batch_signer(root, 1, 1, signature)),
    ]
    for name, call in checks:
        try:
            answer = call()
        except ChainError as exc:
            raise ChainError(
                f"the registry at {registry.address} was deployed but its view {name} fails on this chain "
                f"({exc}): the {evm} build does not run here; deploy the build for the chain's EVM version "
                "(leave evm_version out to detect it) and do not issue with this registry"
            ) from exc
        if name == "recoverBatchSigner" and str(answer).lower() != signer.lower():
            raise ChainError(f"the registry at {registry.address} recovers a wrong signer on this chain ({evm} build)")
