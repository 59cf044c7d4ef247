"""Wiring of the public verifier: configuration, the Verifier with its per-block chain cache, middleware,
error handlers and routes. No logic lives here.

The app is stateless apart from caches (chain answers, rate-limit buckets): any number of workers or
instances can run side by side behind a load balancer.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from notary.config import Settings, load_settings
from notary.core import Proof
from verifier.checks import ChainFacts
from verifier.isolation import Limits, WorkerPool
from verifier.pipeline import Verifier
from verifier.trust import TrustedEntry, TrustList
from verifier.web import errors
from verifier.web.config import WebConfig
from verifier.web.facts_cache import BlockClock, CachedFacts
from verifier.web.headers import SecurityHeaders
from verifier.web.operator import OperatorInfo
from verifier.web.ratelimit import RateLimiter
from verifier.web.render import environment, render_error
from verifier.web.routes import api, demo, docs, health, legal, pages, trust
from verifier.web.state import AppState
from verifier.web.uploads import BodyLimits, ByteBudget, OpenUploads

STATIC = Path(__file__).resolve().parent / "static"


def cached_verifier(trust: TrustList, config: WebConfig) -> tuple[Verifier, BlockClock]:
    """A Verifier whose chain reads are cached per (document, latest block)."""
    verifier: Verifier

    def read(entry: TrustedEntry, proof: Proof) -> ChainFacts:
        return verifier.witnesses.facts(entry, proof)  # the quorum's answer is what gets cached

    clock = BlockClock(lambda entry: verifier.witnesses.block_number(entry), config.block_poll_seconds)
    verifier = Verifier(trust, facts_reader=CachedFacts(read, clock, config.facts_cache_entries))
    return verifier, clock


def create_app(
    settings: Settings | None = None,
    *,
    verifier: Verifier | None = None,
    demo_files: dict[str, Path] | None = None,
    web: WebConfig | None = None,
) -> FastAPI:
    """The verifier app. Tests inject ``verifier``; otherwise it is built from ``settings`` ([[trusted]])."""
    config = web or WebConfig()
    if verifier is None:
        verifier, clock = cached_verifier(TrustList.from_settings(settings or load_settings()), config)
    else:
        injected = verifier
        clock = BlockClock(lambda entry: injected.witnesses.block_number(entry), config.block_poll_seconds)
    # pypdf logs what it finds odd in a file, sometimes quoting it: uploaded content must not reach the logs
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)

    operator = OperatorInfo.load(config.operator)
    pool = WorkerPool(
        verifier.trust,
        config.verify_workers,
        limits=Limits(
            timeout=config.verify_timeout_seconds,
            memory_bytes=config.worker_memory_mb * 1024 * 1024,
            cpu_seconds=config.worker_cpu_seconds,
        ),
        queue_size=config.verify_queue,
        queue_wait=config.queue_wait_seconds,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(
        title="Notary verifier",
        version="1",
        description="Verify notarised documents against the chain. No account, no key, nothing stored.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.notary = AppState(
        config=config,
        verifier=verifier,
        pool=pool,
        budget=ByteBudget(
            config.max_buffered_bytes,
            BodyLimits(config.body_idle_seconds, config.body_min_bytes_per_second, config.body_max_seconds),
        ),
        uploads=OpenUploads(config.max_uploads_per_client, config.max_active_uploads, config.overrun_penalty_seconds),
        limiter=RateLimiter(config.rate_limit_per_minute, config.rate_limit_burst),
        clock=clock,
        templates=environment(),
        demo_files=dict(demo_files if demo_files is not None else config.demo_files),
        operator=operator,
    )
    app.state.render_error = render_error
    errors.install(app)
    app.add_middleware(SecurityHeaders, img_sources=tuple(filter(None, [operator.logo_origin()])))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (pages, api, health, docs, demo, trust, legal):
        app.include_router(module.router)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (each worker process builds its own app from notary.toml / env)."""
    return create_app()
