"""Which chain a node is: its chain id and its genesis block hash, pinned at deploy and checked before use.

The chain id alone does not tell a reset chain (an in-memory dev node restarted, a test network relaunched)
from the one the registry was deployed on, and with the same admin key and nonce a registry lands at the same
address on any chain; the genesis hash tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from web3 import Web3

from notary.errors import ChainRefusal, ConfigError

if TYPE_CHECKING:
    from notary.chain.registry import Registry


class WrongChain(ChainRefusal):
    """The node is another chain than the one pinned (or the one a proof names): nothing may be sent or trusted."""


@dataclass(frozen=True, slots=True)
class ChainIdentity:
    chain_id: int
    genesis_hash: str  # 0x + 64 hex, lower case


def read_identity(w3: Web3) -> ChainIdentity:
    from notary.chain.registry import chain_call

    chain_id = chain_call("reading the chain id", lambda: int(w3.eth.chain_id))
    genesis = chain_call("reading the genesis block", lambda: w3.eth.get_block(0))
    return ChainIdentity(chain_id, "0x" + bytes(genesis["hash"]).hex())


def check_identity(w3: Web3, chain_id: int | None, genesis_hash: str | None, where: str = "the node") -> ChainIdentity:
    """The node's identity, after checking it against what is pinned; raises WrongChain on any mismatch."""
    found = read_identity(w3)
    if chain_id is not None and found.chain_id != chain_id:
        raise WrongChain(
            f"wrong chain: notary.toml pins chain_id {chain_id}, but {where} is chain {found.chain_id}; "
            "nothing was sent (point `chain` at the right node, or re-pin after deploying anew)"
        )
    if genesis_hash is not None and found.genesis_hash != genesis_hash.lower():
        raise WrongChain(
            f"wrong chain: {where} has chain id {found.chain_id} but another genesis block than the one pinned "
            f"({found.genesis_hash[:12]}… instead of {genesis_hash[:12].lower()}…); the chain was reset or is "
            "another network with the same id: nothing was sent"
        )
    return found


def check_registry_code(registry: Registry, evm_version: str | None) -> str:
    """The EVM build at the registry's address; refuses an address holding no build of ours, or another build
    than the configured one (london and paris are one build)."""
    build = registry.deployed_build()
    if build is None:
        raise ConfigError(
            f"no registry on chain {registry.chain_id} at {registry.address}: run `notary registry deploy`"
        )
    wanted = "london" if evm_version == "paris" else evm_version
    if wanted is not None and build != wanted:
        raise ConfigError(
            f"the registry at {registry.address} is the {build} build, but notary.toml says evm_version = "
            f"{evm_version}: correct evm_version (or leave it out)"
        )
    return build
