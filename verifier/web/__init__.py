"""The public verifier web app: server-rendered pages (no JavaScript needed), a JSON API, health and docs.

``create_app`` is the only entry point; ``notary serve`` runs it with uvicorn.
"""

from verifier.web.main import create_app

__all__ = ["create_app"]
