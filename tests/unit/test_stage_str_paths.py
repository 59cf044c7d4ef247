"""``documents._stage`` on str paths (os.path, an ``os.access`` check first) decides and writes exactly what the
pathlib version it replaced did: compared with a FROZEN COPY of that version (as it was at d8a747e) in every
case its docstring names (nothing there, the same bytes, an earlier result, a truncated copy, other content)
and the odd ones (no folder yet, a dangling link, a folder in the way, an unreadable file)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from notary.errors import NotaryError
from notary.issuance import documents

DATA = b"%PDF-1.7 notarised " * 50


def old_stage(
    path: Path, data: bytes, earlier: Callable[[bytes], bool]
) -> tuple[bytes | None, tuple[tuple[str, str], ...]]:
    try:
        existing = path.read_bytes()
    except FileNotFoundError:
        existing = None
    if existing is not None:
        if existing == data:
            return None, ()
        if earlier(existing):
            return existing, ()
        if len(existing) >= len(data) or not data.startswith(existing):
            raise NotaryError(f"{path} exists with other content; remove it or choose another output folder")
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        handle = open(temp, "wb")  # noqa: SIM115
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(temp, "wb")  # noqa: SIM115
    with handle:
        handle.write(data)
    return None, ((str(temp), str(path)),)


Stage = Callable[..., tuple[bytes | None, tuple[tuple[str, str], ...]]]


def _outcome(stage: Stage, path: object, earlier: Callable[[bytes], bool]) -> object:
    try:
        kept, staged = stage(path, DATA, earlier)
    except OSError as exc:
        return ("OSError", type(exc).__name__, exc.strerror)
    except NotaryError as exc:
        return ("NotaryError", str(exc))
    written = []
    for temp, final in staged:
        written.append((temp, final, Path(temp).read_bytes()))
        os.unlink(temp)
    return kept, written


def _earlier_is(accepted: bytes) -> Callable[[bytes], bool]:
    return lambda existing: existing == accepted


def _link_to_data(path: Path) -> None:
    (path.parent / "real.pdf").write_bytes(DATA)
    path.symlink_to(path.parent / "real.pdf")


CASES: dict[str, Callable[[Path], object]] = {
    "nothing there": lambda path: None,
    "the same bytes": lambda path: path.write_bytes(DATA),
    "an earlier result": lambda path: path.write_bytes(b"earlier attempt"),
    "a truncated copy": lambda path: path.write_bytes(DATA[:100]),
    "empty": lambda path: path.write_bytes(b""),
    "other content": lambda path: path.write_bytes(b"something else"),
    "longer content": lambda path: path.write_bytes(DATA + b"x"),
    "no folder yet": lambda path: None,
    "a dangling link": lambda path: path.symlink_to(path.parent / "gone.pdf"),
    "a link to the same bytes": lambda path: _link_to_data(path),
    "a folder in the way": lambda path: path.mkdir(),
    "a symlink loop": lambda path: path.symlink_to(path),  # os.access says "not there" for it too
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_stage_decides_and_writes_as_before(tmp_path: Path, case: str) -> None:
    outcomes = []
    for variant in ("old", "new"):
        folder = tmp_path / variant / ("new-folder/deeper" if case == "no folder yet" else "out")
        if case != "no folder yet":
            folder.mkdir(parents=True)
        path = folder / "zeugnis.pdf"
        CASES[case](path)
        earlier = _earlier_is(b"earlier attempt")
        if variant == "old":
            outcome = _outcome(old_stage, path, earlier)
        else:
            outcome = _outcome(documents._stage, str(path), earlier)
        outcomes.append(repr(outcome).replace(f"/{variant}/", "/VARIANT/"))
    assert outcomes[0] == outcomes[1]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_output_fails_as_before(tmp_path: Path) -> None:
    outcomes = []
    for variant in ("old", "new"):
        path = tmp_path / variant / "zeugnis.pdf"
        path.parent.mkdir()
        path.write_bytes(b"x")
        path.chmod(0)
        try:
            if variant == "old":
                outcomes.append(_outcome(old_stage, path, _earlier_is(b"")))
            else:
                outcomes.append(_outcome(documents._stage, str(path), _earlier_is(b"")))
        finally:
            path.chmod(0o600)
    assert outcomes[0] == outcomes[1] == ("OSError", "PermissionError", "Permission denied")


def test_a_truncated_copy_is_replaced_and_other_content_refused(tmp_path: Path) -> None:
    path = tmp_path / "zeugnis.pdf"
    path.write_bytes(DATA[:10])
    kept, staged = documents._stage(str(path), DATA, _earlier_is(b""))
    assert kept is None and staged == ((str(tmp_path / f".zeugnis.pdf.{os.getpid()}.tmp"), str(path)),)
    assert Path(staged[0][0]).read_bytes() == DATA
    path.write_bytes(b"other")
    with pytest.raises(NotaryError, match="exists with other content"):
        documents._stage(str(path), DATA, _earlier_is(b""))
