"""The registry's view functions as raw ``eth_call`` data and decoded answers, without web3's contract layer.

The decoded values have the shape web3's ``.call()`` returns (tuples for structs), so the same converters
(registry.py) turn either into records. Anything odd (an error answer, empty return data, undecodable bytes)
comes back as None: the caller then makes the call the ordinary way and gets the ordinary error.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi.abi import decode, encode
from eth_utils.abi import function_abi_to_4byte_selector, get_abi_input_types, get_abi_output_types

from notary.chain.artifact import abi


@cache
def _function(name: str) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    for item in abi():
        if item.get("type") == "function" and item.get("name") == name:
            return (
                function_abi_to_4byte_selector(item),  # type: ignore[arg-type]
                tuple(get_abi_input_types(item)),  # type: ignore[arg-type]
                tuple(get_abi_output_types(item)),  # type: ignore[arg-type]
            )
    raise KeyError(name)


def call_data(name: str, args: tuple[Any, ...]) -> str | None:
    """The calldata of ``name(*args)`` as 0x-hex, or None when the arguments do not encode."""
    selector, inputs, _ = _function(name)
    try:
        return "0x" + (selector + encode(list(inputs), list(args))).hex()
    except Exception:
        return None


def decoded(name: str, answer: dict[str, Any]) -> tuple[Any, ...] | None:
    """The outputs of ``name`` from one JSON-RPC answer to its ``eth_call``, or None (see module)."""
    result = answer.get("result")
    if "error" in answer or not isinstance(result, str) or not result.startswith("0x") or len(result) <= 2:
        return None
    try:
        return tuple(decode(list(_function(name)[2]), bytes.fromhex(result[2:])))
    except Exception:
        return None
