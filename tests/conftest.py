"""Shared fixtures: chains (in-process eth-tester and a real anvil node started for the test session) and keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary import localchain
from notary.chain import MEMORY, Registry, connect, fund_dev_account

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def anvil_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real anvil node on a free loopback port for the whole session, stopped at the end."""
    data_dir = tmp_path_factory.mktemp("anvil")
    chain = localchain.up(data_dir, port=localchain.free_port())
    try:
        yield chain.url
    finally:
        localchain.down(data_dir)


@pytest.fixture(params=["memory", pytest.param("anvil", marks=pytest.mark.anvil)])
def chain_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs on eth-tester AND on a real anvil node."""
    if request.param == "memory":
        return MEMORY
    url: str = request.getfixturevalue("anvil_url")
    return url


class Actors:
    """A fresh registry and funded keys: admin (city office), two issuers, a revoker and an outsider."""

    def __init__(self, url: str) -> None:
        self.w3 = connect(url)
        self.admin: LocalAccount = Account.create()
        self.issuer: LocalAccount = Account.create()
        self.issuer2: LocalAccount = Account.create()
        self.revoker: LocalAccount = Account.create()
        self.outsider: LocalAccount = Account.create()
        for account in (self.admin, self.issuer, self.issuer2, self.revoker, self.outsider):
            fund_dev_account(self.w3, account.address)
        self.registry, self.deploy_tx = Registry.deploy(self.w3, self.admin)
        self.registry.add_issuer(self.admin, self.issuer.address, "Realschule am Park, Mannheim")
        self.registry.add_issuer(self.admin, self.issuer2.address, "Bürgeramt K1")
        self.registry.grant_revoker(self.admin, self.revoker.address)


@pytest.fixture
def actors(chain_url: str) -> Actors:
    return Actors(chain_url)
