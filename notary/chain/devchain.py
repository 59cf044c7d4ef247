"""A fresh registry on a development chain (eth-tester or anvil), for the demo's siblings: benchmarks and tests."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from notary.chain.connect import fund_dev_account
from notary.chain.records import TxResult
from notary.chain.registry import Registry


@dataclass(frozen=True)
class DevRegistry:
    registry: Registry
    admin: LocalAccount
    issuer: LocalAccount
    deploy_tx: TxResult
    add_issuer_tx: TxResult


def dev_registry(w3: Web3, issuer_name: str) -> DevRegistry:
    """Deploy a registry with a new funded admin key and one new funded issuer key, authorised as ``issuer_name``."""
    admin, issuer = Account.create(), Account.create()
    for account in (admin, issuer):
        fund_dev_account(w3, account.address)
    registry, deployed = Registry.deploy(w3, admin)
    added = registry.add_issuer(admin, issuer.address, issuer_name)
    return DevRegistry(registry, admin, issuer, deployed, added)
