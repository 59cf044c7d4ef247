"""Which registries this verifier trusts. Anyone can deploy a registry and call himself "Stadt Mannheim" in it,
so a proof is only as good as the registry it points to: anything outside this list is INVALID."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from notary import localchain
from notary.config import Settings, TrustedRegistry
from notary.errors import ConfigError


@dataclass(frozen=True, slots=True)
class TrustedEntry:
    """One trusted registry. ``rpc_url`` is the first endpoint; ``rpc_urls`` (when given) all of them."""

    name: str
    chain_id: int
    address: str
    rpc_url: str
    production: bool
    rpc_urls: tuple[str, ...] = field(default=())
    quorum: int | None = None
    genesis_hash: str | None = None  # 0x + 64 hex, lower case; when set, every endpoint must have this block 0
    # file contents, not paths: the parse stage runs in worker processes and must not read the operator's disk
    seal_roots: tuple[bytes, ...] = field(default=())
    seal_crls: tuple[bytes, ...] = field(default=())
    require_seal: bool = False
    name_de: str | None = None  # shown to readers of that language; ``name`` stays the identifier
    name_en: str | None = None

    def display_name(self, lang: str) -> str:
        return (self.name_de if lang == "de" else self.name_en) or self.name

    @property
    def endpoints(self) -> tuple[str, ...]:
        return self.rpc_urls or (self.rpc_url,)

    @property
    def needed(self) -> int:
        """Identical answers required: the configured quorum, else a majority of the endpoints (one of one,
        two of two or three, three of four or five). A majority means two groups of answers can never both
        reach it, and a minority of broken or lying nodes cannot decide alone."""
        if self.quorum is not None:
            return min(self.quorum, len(self.endpoints))
        return len(self.endpoints) // 2 + 1


class TrustList:
    def __init__(self, entries: Iterable[TrustedEntry]) -> None:
        self._by_key = {(e.chain_id, e.address.lower()): e for e in entries}

    def __len__(self) -> int:
        return len(self._by_key)

    def lookup(self, chain_id: int, address: str) -> TrustedEntry | None:
        return self._by_key.get((chain_id, address.lower()))

    def entries(self) -> list[TrustedEntry]:
        return list(self._by_key.values())

    @classmethod
    def from_settings(cls, settings: Settings) -> TrustList:
        """The configured [[trusted]] registries; ``rpc_url = "local"`` means the managed anvil of this data dir."""
        entries = [_entry(t, settings) for t in settings.trusted]
        if not entries:
            raise ConfigError("no trusted registries configured: add a [[trusted]] table to notary.toml")
        return cls(entries)


def _entry(trusted: TrustedRegistry, settings: Settings) -> TrustedEntry:
    urls = tuple(_resolve(url, settings) for url in trusted.endpoints)
    return TrustedEntry(
        trusted.name, trusted.chain_id, trusted.address, urls[0], trusted.production,
        rpc_urls=urls, quorum=trusted.quorum, genesis_hash=trusted.genesis_hash,
        seal_roots=_read_all(trusted.seal_roots, trusted.name, "seal_roots"),
        seal_crls=_read_all(trusted.seal_crls, trusted.name, "seal_crls"),
        require_seal=trusted.require_seal, name_de=trusted.name_de, name_en=trusted.name_en,
    )  # fmt: skip


def _read_all(paths: Iterable[Path], name: str, what: str) -> tuple[bytes, ...]:
    out = []
    for path in paths:
        try:
            out.append(path.expanduser().read_bytes())
        except OSError as exc:
            raise ConfigError(f"{what} of trusted registry {name!r}: cannot read {path}: {exc.strerror}") from None
    return tuple(out)


def _resolve(url: str, settings: Settings) -> str:
    if url != "local":
        return url
    chain = localchain.running(settings.data_path)
    # an unreachable local chain is decided later as ERROR (undecidable), not here
    return chain.url if chain else "http://127.0.0.1:1"
