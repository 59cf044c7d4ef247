"""`notary serve`: the public verifier web page and JSON API (uvicorn).

The trusted registries come from notary.toml / NOTARY_* like every other command; the web knobs from
NOTARY_WEB_* (verifier/web/config.py). Options given here are passed to the worker processes through the
environment, because with --workers > 1 each worker builds its own app.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from cli.output import console
from cli.settings_opts import ConfigOpt
from notary.config import load_settings, operator_source
from notary.errors import EXIT_CONFIG, ConfigError
from verifier.trust import TrustList


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for all interfaces).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (stateless; scale freely).")] = 1,
    max_upload_mb: Annotated[
        int | None,
        typer.Option(min=1, max=50, help="Largest upload in MB (default 20). [env NOTARY_WEB_MAX_UPLOAD_BYTES]"),
    ] = None,
    rate_limit: Annotated[
        float | None,
        typer.Option(min=0, help="Verifications per client IP and minute, per worker; 0 = off (default 60)."),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(help="Proxy IPs whose X-Forwarded-For names the client (rate limiting behind a load balancer)."),
    ] = None,
    demo_file: Annotated[
        list[str] | None, typer.Option(help="NAME=PATH of a sample PDF offered at /demo/NAME (repeatable).")
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log one line per request (client, path, status).")] = True,
    config_file: ConfigOpt = None,
) -> None:
    """Serve the public verifier: upload a PDF or QR photo, or scan the QR code; JSON API at /api/v1/verify."""
    import json

    if max_upload_mb is not None:
        os.environ["NOTARY_WEB_MAX_UPLOAD_BYTES"] = str(max_upload_mb * 1024 * 1024)
    if rate_limit is not None:
        os.environ["NOTARY_WEB_RATE_LIMIT_PER_MINUTE"] = str(rate_limit)
    if demo_file:
        files: dict[str, str] = {}
        for item in demo_file:
            name, sep, path = item.partition("=")
            if not sep or not Path(path).is_file():
                raise ConfigError(f"--demo-file {item!r}: give NAME=PATH of an existing file")
            files[name] = str(Path(path).resolve())
        os.environ["NOTARY_WEB_DEMO_FILES"] = json.dumps(files)
    # fail here, with one clear line, rather than in every worker
    source = operator_source(config_file)
    if source.path is not None:  # the workers are other processes: they find the operator's file through the env
        os.environ["NOTARY_CONFIG"] = str(source.path)
    # imported here: the web app costs every other notary command half a second of start-up
    from verifier.web import serving
    from verifier.web.config import WebConfig

    trust = TrustList.from_settings(load_settings(source=source))
    console.print(f"trust list: {source.path or 'none'} ({source.how})")
    try:
        WebConfig()
    except ValueError as exc:
        raise BadWebSetting(web_setting_error(exc, source.path)) from None
    for entry in trust.entries():
        kind = "production" if entry.production else "NOT a production chain"
        console.print(
            Text.assemble("trusting ", (entry.name, "bold"), f" (chain {entry.chain_id}, {entry.address}, {kind})")
        )
    console.print(f"verifier at http://{host}:{port}/  (API docs at /docs)")
    config = serving.bounded_config(
        "verifier.web.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        access_log=access_log,
        log_level="info",
    )
    serving.run(config)


class BadWebSetting(ConfigError):
    exit_code = EXIT_CONFIG  # a configuration error, as a bad [[trusted]] table (a plain ConfigError exits 1)


def web_setting_error(exc: ValueError, path: Path | None) -> str:
    """One line for a bad web setting: which key, where it was set (the env or the file), and what is wrong —
    not pydantic's multi-line dump."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return f"bad web setting: {str(exc).splitlines()[0]}"
    problems = errors()
    if not problems:
        return "bad web setting"
    first = problems[0]
    loc = [str(part) for part in first.get("loc", ())]
    env = "NOTARY_WEB_" + "__".join(part.upper() for part in loc)
    where = f"environment variable {env}" if env in os.environ else f"[web] table of {path or 'the configuration'}"
    key = "web." + ".".join(loc) if loc else "web"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"bad setting {key} in the {where}: {first.get('msg', 'invalid value')}{more}"
