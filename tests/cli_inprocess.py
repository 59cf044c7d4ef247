"""Run the `notary` command as a test would in a new process, but in this one: ~2 s of imports saved per call.

What a subprocess isolates is emulated and undone after every call: the environment (replaced whole, as
``subprocess.run(env=...)`` does), the working folder, argv, stdin (empty, as under pytest), stdout/stderr
(captured as text), the logging handlers a command adds, and the global ``--config``. The command runs through
the real entry point, ``cli.main.main``, so exit codes and one-line errors go through the same handling.

One thing is remembered across calls: a keystore's decrypted key. scrypt at the CLI's production cost takes
~1 s per call (several on a loaded machine) and every signing command pays it; decryption is a pure function,
so the first call with a given file and password runs it for real and later ones reuse its result (a wrong
password is never remembered: it is tried, and refused, every time).
The installed script stays covered by the tests that pass ``real=True`` (and by test_cli_hygiene.py).
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from eth_account import Account

from tests.conftest import ROOT

NOTARY = str(ROOT / ".venv" / "bin" / "notary")
_one_at_a_time = threading.Lock()  # the process-wide state swapped below is not per thread


def run_notary(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 300,
    real: bool = False,
    fresh: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``notary ARGS`` in ``cwd`` with exactly the environment ``env``; ``real`` starts the installed script (the
    only case ``timeout`` bounds). ``fresh`` drops what a new process would not have (e.g. a PKCS#11 library
    initialised with another token folder): called in ``env`` before the command, and after it once restored."""
    if real:
        return subprocess.run([NOTARY, *args], cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout)
    from cli.main import main
    from notary.config import set_explicit_config

    with _one_at_a_time, _isolated(args, cwd, env) as (out, err):
        code: int | str | None = 0
        try:
            set_explicit_config(None)
            if fresh is not None:
                fresh()
            main()
        except SystemExit as exited:
            code = exited.code
        finally:
            set_explicit_config(None)
        stdout, stderr = out.getvalue(), err.getvalue()
    if fresh is not None:
        fresh()  # again in the test's own environment, for whoever uses it next in this process
    if not isinstance(code, int):  # sys.exit("text") prints the text and exits 1, as the interpreter does
        stderr, code = stderr + (f"{code}\n" if code is not None else ""), 0 if code is None else 1
    return subprocess.CompletedProcess([NOTARY, *args], code, stdout, stderr)


@contextmanager
def _isolated(args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams, saved_argv = (sys.stdin, sys.stdout, sys.stderr), sys.argv
    saved_logging = _logging_state()
    colours = _plain_consoles()
    decrypt = Account.__dict__["decrypt"]
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        sys.argv = [NOTARY, *args]
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err
        Account.decrypt = staticmethod(_remembered_decrypt)  # type: ignore[assignment,method-assign]
        yield out, err
    finally:
        Account.decrypt = decrypt  # type: ignore[method-assign]
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        _restore_logging(saved_logging)
        colours()


_real_decrypt = Account.__dict__["decrypt"].__func__
_decrypted: dict[tuple[str, str], object] = {}


def _remembered_decrypt(keyfile_json: object, password: str) -> object:
    key = (keyfile_json if isinstance(keyfile_json, str) else json.dumps(keyfile_json, sort_keys=True), password)
    if key not in _decrypted:
        _decrypted[key] = _real_decrypt(keyfile_json, password)
    return _decrypted[key]


def _loggers() -> list[logging.Logger]:
    known = logging.Logger.manager.loggerDict.values()
    return [logging.getLogger(), *(lg for lg in known if isinstance(lg, logging.Logger))]


def _logging_state() -> dict[logging.Logger, tuple[list[logging.Handler], bool, int]]:
    return {lg: (list(lg.handlers), lg.propagate, lg.level) for lg in _loggers()}


def _restore_logging(saved: dict[logging.Logger, tuple[list[logging.Handler], bool, int]]) -> None:
    """A command's handlers (e.g. the chain warnings on stderr, which also stop propagation) end with it."""
    for logger, (handlers, propagate, level) in saved.items():
        logger.handlers[:] = handlers
        logger.propagate, logger.level = propagate, level


def _plain_consoles():  # type: ignore[no-untyped-def]
    """A piped process never colours; rich decides colour when a console is made, which here may have been a tty."""
    from cli.output import console, err_console

    before = [(c, c._color_system) for c in (console, err_console)]
    for c, _ in before:
        c._color_system = None

    def restore() -> None:
        for c, system in before:
            c._color_system = system

    return restore
