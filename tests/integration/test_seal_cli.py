"""The seal through the real CLI on a real anvil (issue 14): `notary issue --seal ... --seal-tsa ...` and
`notary verify` with a trust list whose [[trusted]] table names the seal roots; bad seal options are one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from notary import localchain
from notary.pdf.samples import make_certificates
from tests.integration.test_cli_issue_verify import notary
from tests.pki import P12_PASSWORD, Pki, timestamp_service

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    workdir = tmp_path_factory.mktemp("seal-demo")
    notary(workdir, "demo", "--no-serve", "--chain-port", str(localchain.free_port()))
    yield workdir
    notary(workdir, "chain", "down", code=None)


def _trust_with_seal_roots(demo_dir: Path, root: Path, *, require: bool) -> Path:
    """The demo's trust list with seal_roots (and require_seal) added to its [[trusted]] table."""
    user = demo_dir / "user-config" / "notary" / "notary.toml"
    entry = dict(tomllib.loads(user.read_text(encoding="utf-8"))["trusted"][0])
    entry.update(seal_roots=[str(root)], require_seal=require)
    path = demo_dir / ("trust-required.toml" if require else "trust.toml")
    path.write_text("[[trusted]]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in entry.items()), "utf-8")
    return path


def test_issue_with_seal_then_verify(demo_dir: Path) -> None:
    pki = Pki.build()
    files = pki.write(demo_dir / "pki")
    password = demo_dir / "pki" / "seal-password"
    password.write_bytes(P12_PASSWORD + b"\n")
    src = demo_dir / "siegel-eingang"
    src.mkdir()
    for i, pdf in enumerate(make_certificates(2, seed=64)):
        (src / f"bescheid-{i}.pdf").write_bytes(pdf)
    with timestamp_service(pki) as tsa:
        issued = notary(
            demo_dir, "issue", str(src), "--type", "urkunde", "--title", "Meldebescheinigung", "--holder",
            "Jonas Weber", "--out", "gesiegelt", "--seal", str(files["seal"]), "--seal-password-file", str(password),
            "--seal-tsa", tsa, "--json",
        )  # fmt: skip
    assert json.loads(issued.stdout)["issued"] == 2
    sealed = demo_dir / "gesiegelt" / "bescheid-0.pdf"
    assert sealed.read_bytes().startswith((src / "bescheid-0.pdf").read_bytes())

    trust = _trust_with_seal_roots(demo_dir, files["root"], require=False)
    result = json.loads(notary(demo_dir, "verify", str(sealed), "--config", str(trust), "--json").stdout)
    assert result["verdict"] == "VALID", result
    assert result["seal"]["status"] == "VALID" and result["seal"]["level"] == "B-T"
    assert result["seal"]["subject"] == "Stadt Musterstadt, Bürgeramt" and result["seal"]["bound"] is True
    human = notary(demo_dir, "verify", str(sealed), "--config", str(trust), "--lang", "de").stdout
    assert "Gesiegelt von: Stadt Musterstadt, Bürgeramt" in human
    english = notary(demo_dir, "verify", str(sealed), "--config", str(trust), "--lang", "en").stdout
    assert "Sealed by: Stadt Musterstadt, Bürgeramt" in english
    if shutil.which("pdfsig"):
        out = subprocess.run(["pdfsig", str(sealed)], capture_output=True, text=True, timeout=120).stdout
        assert "Signature is Valid." in out and "Total document signed" in out

    # the registry requires seals: the unsealed demo copies are not valid any more, the sealed one is
    required = _trust_with_seal_roots(demo_dir, files["root"], require=True)
    unsealed = next((demo_dir / "demo" / "notarised").glob("*.pdf"))
    refused = json.loads(notary(demo_dir, "verify", str(unsealed), "--config", str(required), "--json", code=1).stdout)
    assert refused["verdict"] == "INVALID" and refused["seal"]["reason"] == "seal-missing"
    assert refused["decision"]["reason"] == "seal-missing"
    ok = json.loads(notary(demo_dir, "verify", str(sealed), "--config", str(required), "--json").stdout)
    assert ok["verdict"] == "VALID"


def test_bad_seal_options_are_one_line(demo_dir: Path) -> None:
    pki = Pki.build()
    files = pki.write(demo_dir / "pki-bad")
    wrong = demo_dir / "pki-bad" / "wrong-password"
    wrong.write_text("nope\n")
    src = demo_dir / "siegel-falsch"
    src.mkdir()
    (src / "a.pdf").write_bytes(next(iter(make_certificates(1, seed=65))))
    args = ["issue", str(src), "--type", "urkunde", "--title", "T", "--holder", "H", "--out", "falsch"]
    bad = notary(demo_dir, *args, "--seal", str(files["seal"]), "--seal-password-file", str(wrong), code=None)
    assert bad.returncode == 1 and bad.stderr.strip().count("\n") == 0 and "password" in bad.stderr, bad.stderr
    missing = notary(
        demo_dir, *args, "--seal", str(demo_dir / "none.p12"), "--seal-password-file", str(wrong), code=None
    )
    assert missing.returncode != 0 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    # a PKCS#12 file with the certificate but no private key (before: a traceback from inside pyHanko)
    keyless = demo_dir / "pki-bad" / "keyless.p12"
    keyless.write_bytes(pki.p12_without_key(pki.seal))
    nokey = notary(demo_dir, *args, "--seal", str(keyless), "--seal-password-file", str(wrong), code=None)
    assert nokey.returncode == 1 and "Traceback" not in nokey.stderr, nokey.stderr
    assert nokey.stderr.strip().count("\n") == 0 and "no private key" in nokey.stderr, nokey.stderr
    assert not (demo_dir / "falsch").exists() or not list((demo_dir / "falsch").glob("*.pdf"))
