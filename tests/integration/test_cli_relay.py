"""The CLI as a school and a city office use it: the school's key in a PKCS#11 token (SoftHSM2) and no Ether,
`notary issue --sign-only`; the city's keystore relayer, `notary relay`; the school's same command again."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary.chain import Registry, connect, fund_dev_account
from notary.chain.artifact import abi
from notary.pdf.samples import make_certificates
from notary.signing.pkcs11_token import forget_sessions
from tests.cli_inprocess import run_notary
from tests.issuing import verifier_for
from tests.softhsm import MODULE, PIN, make_token, needs_softhsm
from verifier.result import Verdict

HAS_ANCHOR_SIGNED = any(item.get("name") == "anchorSigned" for item in abi())
pytestmark = [pytest.mark.anvil, needs_softhsm]


def notary(
    cwd: Path, env: dict[str, str], *args: str, code: int | None = 0, real: bool = False
) -> subprocess.CompletedProcess[str]:
    """``notary ARGS`` in this process (tests/cli_inprocess.py), the token library initialised afresh as a new
    process would; the installed script if ``real``."""
    result = run_notary(args, cwd=cwd, env=env, timeout=300, real=real, fresh=lambda: forget_sessions(MODULE))
    assert "Traceback" not in result.stderr, result.stderr
    if code is not None:
        assert result.returncode == code, f"{args}: rc={result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def test_school_with_a_token_key_signs_only_and_the_city_relays(anvil_url: str, tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    school, city = tmp_path / "school", tmp_path / "city"
    school.mkdir()
    city.mkdir()
    school_env = {**base, "SOFTHSM2_CONF": str(make_token(tmp_path / "hsm")), "NOTARY_PKCS11_PIN": PIN}
    made = notary(school, school_env, "keys", "pkcs11-new", "--token", "t", "--label", "realschule", "--json")
    school_address = json.loads(made.stdout)["address"]

    w3 = connect(anvil_url)
    admin: LocalAccount = Account.create()
    relayer: LocalAccount = Account.create()
    fund_dev_account(w3, admin.address)
    fund_dev_account(w3, relayer.address)
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, school_address, "Realschule am Park, Mannheim")  # not funded: no Ether

    (school / "notary.toml").write_text(
        f'chain = "{anvil_url}"\nregistry = "{registry.address}"\n\n'
        '[signer]\nkind = "pkcs11"\ntoken = "t"\nkey_label = "realschule"\n'
    )
    (city / "keys").mkdir()
    keystore = Account.encrypt(relayer.key, "relayer password", kdf="scrypt", iterations=2)
    (city / "keys" / "relayer.json").write_text(json.dumps(keystore))
    (city / "notary.toml").write_text(
        f'chain = "{anvil_url}"\nregistry = "{registry.address}"\nkey_file = "keys/relayer.json"\n'
    )
    city_env = {**base, "NOTARY_KEY_PASSWORD": "relayer password"}

    (school / "in").mkdir()
    for i, pdf in enumerate(make_certificates(3, seed=11)):
        (school / "in" / f"zeugnis-{i}.pdf").write_bytes(pdf)
    issue = ("issue", "in", "--out", "out", "--sign-only", "outbox", "--batch-size", "2", "--type", "zeugnis",
             "--title", "Abschlusszeugnis", "--holder", "Lena Müller", "--json")  # fmt: skip
    first = json.loads(notary(school, school_env, *issue).stdout)
    assert first["issued"] == 0 and len(first["waiting_for_relay"]) == 2
    assert "PKCS#11 key 'realschule'" in first["signer"]
    assert int(w3.eth.get_balance(school_address)) == 0 and int(w3.eth.get_transaction_count(school_address)) == 0

    # a file that is not a signed batch is refused with its reason; nothing else is held up
    (school / "outbox" / "notes.json").write_text("{}")
    relayed = notary(city, city_env, "relay", str(school / "outbox"), code=1)
    if not HAS_ANCHOR_SIGNED:
        assert "has no anchorSigned" in relayed.stderr and len(relayed.stderr.strip().splitlines()) == 1
        pytest.skip("the registry contract has no anchorSigned yet: relaying and finishing not run")
    assert "notes.json" in relayed.stdout and "not a valid signed batch" in relayed.stdout
    assert relayed.stdout.count("anchored ") == 2
    (school / "outbox" / "notes.json").unlink()
    again = json.loads(notary(city, city_env, "relay", str(school / "outbox"), "--json").stdout)
    assert (again["anchored"], again["already_anchored"]) == (0, 2)

    done = json.loads(notary(school, school_env, *issue).stdout)
    assert done["issued"] == 3 and done["waiting_for_relay"] == []
    verifier = verifier_for(registry)
    for pdf in sorted((school / "out").glob("*.pdf")):
        assert verifier.verify_pdf(pdf.read_bytes()).verdict is Verdict.VALID
    assert int(w3.eth.get_balance(school_address)) == 0
    # revoking needs gas: funded now, the school revokes one of its documents with its token key
    fund_dev_account(w3, school_address)
    notary(school, school_env, "revoke", "--document", "out/zeugnis-0.pdf", "--reason", "superseded")
    assert verifier.verify_pdf((school / "out" / "zeugnis-0.pdf").read_bytes()).verdict is Verdict.REVOKED


def test_relay_errors_are_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    missing = notary(tmp_path, env, "relay", "nowhere", code=1, real=True)  # the installed script's one line
    assert missing.stderr.strip() == "error: no such folder: nowhere"
    (tmp_path / "outbox").mkdir()
    empty = notary(tmp_path, env, "relay", "outbox")
    assert "no signed batches in outbox/" in empty.stdout
    (tmp_path / "outbox" / "b.json").write_text("{}")
    (tmp_path / "notary.toml").write_text(
        '[signer]\nkind = "remote"\nurl = "http://127.0.0.1:9"\naddress = "0x' + "ab" * 20 + '"\n'
    )
    down = notary(tmp_path, env, "relay", "outbox", "--chain", "memory", "--registry", "0x" + "11" * 20, code=1)
    assert down.stderr.strip().startswith("error: cannot reach the remote signer at http://127.0.0.1:9")
    (tmp_path / "notary.toml").write_text('[signer]\nkind = "hsm"\n')
    wrong = notary(tmp_path, env, "relay", "outbox", "--chain", "memory", "--registry", "0x" + "11" * 20, code=None)
    assert wrong.returncode == 1 and wrong.stderr.strip() == (
        "error: [signer] kind must be one of keystore, pkcs11, remote, got 'hsm'"
    )
