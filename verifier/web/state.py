"""What the app holds for its lifetime, built once by create_app: no per-user state, nothing on disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from verifier.isolation import WorkerPool
from verifier.pipeline import Verifier
from verifier.web.config import WebConfig
from verifier.web.facts_cache import BlockClock
from verifier.web.operator import OperatorInfo
from verifier.web.ratelimit import RateLimiter
from verifier.web.uploads import ByteBudget, OpenUploads


@dataclass
class AppState:
    config: WebConfig
    verifier: Verifier
    pool: WorkerPool
    budget: ByteBudget
    uploads: OpenUploads
    limiter: RateLimiter
    clock: BlockClock
    templates: Environment
    demo_files: dict[str, Path]
    operator: OperatorInfo = field(default_factory=OperatorInfo)
