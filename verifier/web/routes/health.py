"""GET /healthz: can this instance reach each trusted registry's chain, and at which block is it?

Load balancers poll this; the block number comes from the same throttled clock as the chain cache, so polling
costs the node at most one call per registry and poll interval.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from notary.errors import NotaryError
from verifier.trust import TrustedEntry
from verifier.web.deps import StateDep
from verifier.web.schemas import HealthOut, RegistryHealth
from verifier.web.state import AppState

router = APIRouter(tags=["operations"])


def _probe(state: AppState, entry: TrustedEntry) -> RegistryHealth:
    def report(block: int | None = None, matches: bool | None = None, error: str | None = None) -> RegistryHealth:
        return RegistryHealth(
            name=entry.name, chain_id=entry.chain_id, address=entry.address, production=entry.production,
            reachable=error is None, block=block, chain_id_matches=matches, error=error,
        )  # fmt: skip

    try:
        block = state.clock.latest(entry)
        matches = state.verifier.registry_for(entry).chain_id == entry.chain_id
    except NotaryError as exc:
        return report(error=str(exc))
    except Exception as exc:
        return report(error=type(exc).__name__)
    return report(block, matches)


@router.get(
    "/healthz",
    summary="Chain connectivity and block number for each trusted registry",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "a registry's chain is unreachable or the wrong chain"}},
)
async def healthz(state: StateDep) -> JSONResponse:
    registries = [await run_in_threadpool(_probe, state, entry) for entry in state.verifier.trust.entries()]
    healthy = all(r.reachable and r.chain_id_matches for r in registries)
    body = HealthOut(status="ok" if healthy else "degraded", registries=registries)
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)
