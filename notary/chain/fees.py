"""How a transaction pays for gas: EIP-1559 or legacy, with the node's suggestion or fixed prices (0 included).

A city's permissioned network often runs with zero gas price (Besu's ``--min-gas-price=0``), and some older or
private chains never activated EIP-1559; both must work with keys that hold no ether at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3 import Web3

from notary.errors import ConfigError

TX_TYPES = ("auto", "eip1559", "legacy")
DEFAULT_PRIORITY_FEE = 10**9  # 1 gwei, when the node suggests none


@dataclass(frozen=True, slots=True)
class FeePolicy:
    """``tx_type`` auto picks legacy where the latest block has no ``baseFeePerGas``. Prices in wei; None means
    "ask the node" (gas price, priority fee) or "twice the base fee plus the tip" (max fee)."""

    tx_type: str = "auto"
    gas_price: int | None = None
    max_fee: int | None = None
    priority_fee: int | None = None
    estimate_gas: bool = False

    def __post_init__(self) -> None:
        if self.tx_type not in TX_TYPES:
            raise ConfigError(f"tx_type must be one of {', '.join(TX_TYPES)}, got {self.tx_type!r}")
        for name in ("gas_price", "max_fee", "priority_fee"):
            value = getattr(self, name)
            if value is not None and (type(value) is not int or value < 0):
                raise ConfigError(f"{name} must be a whole number of wei, 0 or more, got {value!r}")
        if self.max_fee is not None and self.priority_fee is not None and self.priority_fee > self.max_fee:
            raise ConfigError(f"priority_fee ({self.priority_fee}) cannot exceed max_fee ({self.max_fee})")


class FeeOracle:
    """Turns a policy into the fee fields of one transaction; what never changes is asked of the node once."""

    def __init__(self, w3: Web3, policy: FeePolicy) -> None:
        self.w3 = w3
        self.policy = policy
        self._type: str | None = None if policy.tx_type == "auto" else policy.tx_type
        self._tip: int | None = policy.priority_fee

    def fields(self) -> dict[str, Any]:
        latest = self.w3.eth.get_block("latest")
        base = latest.get("baseFeePerGas")
        if self._type is None:
            self._type = "legacy" if base is None else "eip1559"
        if self._type == "legacy":
            price = self.policy.gas_price if self.policy.gas_price is not None else int(self.w3.eth.gas_price)
            return {"gasPrice": price}
        if base is None:
            raise ConfigError("tx_type = eip1559, but this chain has no base fee (EIP-1559 is not active): use legacy")
        tip = self._priority_fee()
        max_fee = self.policy.max_fee if self.policy.max_fee is not None else 2 * int(base) + tip
        return {"maxPriorityFeePerGas": min(tip, max_fee), "maxFeePerGas": max_fee}

    def _priority_fee(self) -> int:
        if self._tip is None:
            try:
                self._tip = int(self.w3.eth.max_priority_fee)
            except Exception:  # nodes without eth_maxPriorityFeePerGas: a common default
                self._tip = DEFAULT_PRIORITY_FEE
        return self._tip
