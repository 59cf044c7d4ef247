"""Stress: a 2,000-document `notary issue` run SIGKILLed (with its worker processes) at N random moments and
resumed each time by running the same command again; then every output is verified against the chain.

Run: .venv/bin/python bench/crash_resume.py --kills 20    (`make stress`)
The last line is one JSON object: kills, documents, issued_once, duplicates, missing, unverifiable.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eth_account import Account  # noqa: E402

from bench.corpus import corpus  # noqa: E402
from notary import localchain  # noqa: E402
from notary.chain import Registry, connect, fund_dev_account  # noqa: E402
from notary.config import write_config  # noqa: E402
from notary.keys import create_key  # noqa: E402
from tests.issuing import verifier_for  # noqa: E402
from verifier.result import Verdict  # noqa: E402

NOTARY = str(ROOT / ".venv" / "bin" / "notary")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    src = corpus(args.docs, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        chain = localchain.up(work / "chain", port=localchain.free_port())
        try:
            print(json.dumps(run(work, chain.url, src, args.kills, args.docs, rng)))
        finally:
            localchain.down(work / "chain")


def run(work: Path, url: str, src: Path, kills_wanted: int, docs: int, rng: random.Random) -> dict[str, int]:
    w3 = connect(url)
    admin = Account.create()
    key = create_key(work / ".notary", "issuer", "stress test password", kdf_cost=2**10)
    for address in (admin.address, key.address):
        fund_dev_account(w3, address)
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, key.address, "Stadt Mannheim – Standesamt")
    (work / "password").write_text("stress test password")
    write_config(work / "notary.toml", {
        "data_dir": ".notary", "chain": url, "registry": registry.address,
        "key_file": ".notary/keys/issuer.json", "key_password_file": "password",
    })  # fmt: skip
    env = {**os.environ, "NOTARY_CONFIG": str(work / "notary.toml")}
    command = [NOTARY, "issue", str(src), "--out", str(work / "out"), "--type", "urkunde", "--title",
               "Geburtsurkunde", "--holder", "Mia Köhler", "--batch-size", "50", "--workers", "1",
               "--json"]  # fmt: skip
    kills = attempts = 0
    while kills < kills_wanted:
        attempts += 1
        process = subprocess.Popen(command, cwd=work, env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        # the CLI needs ~1.5 s to start; kills land before, during and between every stage of the run
        time.sleep(rng.uniform(0.3, 2.2))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            kills += 1
            print(f"kill {kills}: {_progress(work)}", file=sys.stderr)
        else:
            print(f"attempt {attempts} finished before its kill (exit {process.returncode})", file=sys.stderr)
            if process.returncode == 0:
                # finished: start a fresh output folder so that later kills still land mid-run
                break
    final = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    if final.returncode != 0:
        raise SystemExit(f"the final run failed: {final.stderr}")
    return audit(work, registry, key.address, src, docs, kills)


def _progress(work: Path) -> str:
    """Where the killed run had got to, from its journal."""
    path = work / ".notary" / "journal.sqlite"
    if not path.exists():
        return "before the journal existed"
    db = sqlite3.connect(path)
    try:
        docs = dict(db.execute("SELECT state, COUNT(*) FROM docs GROUP BY state").fetchall())
        batches = dict(db.execute("SELECT state, COUNT(*) FROM batches GROUP BY state").fetchall())
    except sqlite3.Error:
        return "journal being created"
    finally:
        db.close()
    return f"documents {docs}, batches {batches}"


def audit(work: Path, registry: Registry, issuer: str, src: Path, docs: int, kills: int) -> dict[str, int]:
    out = work / "out"
    inputs = sorted(p.relative_to(src) for p in src.rglob("*.pdf"))
    missing = sum(1 for rel in inputs if not (out / rel).exists())
    verifier = verifier_for(registry)
    unverifiable = sum(
        1 for rel in inputs if (out / rel).exists() and verifier.verify_pdf((out / rel).read_bytes()).verdict
        is not Verdict.VALID
    )  # fmt: skip
    db = sqlite3.connect(work / ".notary" / "journal.sqlite")
    anchored_roots = {bytes(r[0]) for r in db.execute("SELECT root FROM batches WHERE state = 'anchored'")}
    logs = registry.contract.events.BatchAnchored.get_logs(from_block=0, argument_filters={"issuer": issuer})
    chain_roots = [bytes(log["args"]["root"]) for log in logs]
    # a document is doubled if its content sits in two anchored batches, or a root was anchored the journal
    # does not know (its documents would be anchored a second time elsewhere)
    doubled = db.execute(
        "SELECT COUNT(*) FROM (SELECT doc_hash FROM docs d JOIN batches b ON b.id = d.batch_id "
        "WHERE b.state = 'anchored' GROUP BY doc_hash HAVING COUNT(*) > 1)"
    ).fetchone()[0]
    orphans = len(set(chain_roots) - anchored_roots) + (len(chain_roots) - len(set(chain_roots)))
    issued_once = db.execute(
        "SELECT COUNT(DISTINCT doc_hash) FROM docs d JOIN batches b ON b.id = d.batch_id "
        "WHERE b.state = 'anchored' AND d.state = 'written'"
    ).fetchone()[0]
    return {
        "kills": kills, "documents": docs, "issued_once": int(issued_once), "duplicates": int(doubled) + orphans,
        "missing": missing, "unverifiable": unverifiable,
    }  # fmt: skip


if __name__ == "__main__":
    main()
