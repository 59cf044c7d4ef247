"""Stress: a 2,000-document `notary issue` run SIGKILLed (with its worker processes) at chosen stages, its
anvil node killed and restarted in between, resumed each time by running the same command again; then an
audit that trusts nothing the CLI wrote.

Kills are chosen by progress, not by the clock: the CLI appends a line to the file named by NOTARY_STAGE_TRACE
whenever it enters a stage (prepare, journal, sign, send, mined, stamp, write); this script watches that file
and kills the command's process group when the stage chosen for this kill appears (after skipping 0-1 earlier
appearances). The stage a kill hit is the last line the trace holds once the process is dead. Kills at
prepare and journal come first, while there are documents left to prepare; the later stages go round in
pipeline order; a stage that no kill hit gets extra kills. Node kills: SIGKILL the managed anvil while the
CLI is sending, waiting or stamping, then restart it from its state file on the same port; the CLI must ride
it out.

The audit reads the chain's BatchAnchored events and every output: each input must have exactly one output,
that output must start with the input's bytes, its proof must name the input's SHA-256 and length and verify
VALID with the project's verifier, and the leaves anchored on chain must number exactly the documents issued
(more means a document was anchored twice, or a batch was anchored for documents that never got an output).
An attempt that writes no stage line for --stall-limit seconds is a hang, and fails the run as well.

Run: .venv/bin/python bench/crash_resume.py --kills 21 --node-kills 3    (`make stress`)
The last line is one JSON object; the exit code is non-zero when any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import corpus  # noqa: E402

NOTARY = str(ROOT / ".venv" / "bin" / "notary")
STAGES = ("prepare", "journal", "sign", "send", "mined", "stamp", "write")
NODE_STAGES = ("send", "mined", "stamp")
STALL_LIMIT = 180.0  # seconds without a new stage line after which a running attempt counts as stalled (a hang)
PASSWORD = "stress test password"
FINAL_RUN_LIMIT = 1800.0  # the last, unkilled run must finish; a hang is a failure, not a wait forever


@dataclass
class Tally:
    kills: int = 0
    node_kills: int = 0
    stalls: int = 0
    attempts: int = 0
    stages: Counter[str] = field(default_factory=Counter)
    log: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.log.append(line)
        print(line, file=sys.stderr, flush=True)


class Node:
    """The managed anvil (notary.localchain) of the data dir, killed and restarted on the same port."""

    def __init__(self, data: Path) -> None:
        from notary import localchain

        self.data = data
        self.chain = localchain.up(data, port=localchain.free_port())

    def kill_and_restart(self, rng: random.Random) -> None:
        from notary import localchain

        os.kill(self.chain.pid, signal.SIGKILL)
        os.waitpid(self.chain.pid, 0)
        time.sleep(rng.uniform(0.2, 1.5))  # the CLI meets a dead node and has to wait for it
        deadline = time.monotonic() + 30
        while True:
            try:
                self.chain = localchain.up(self.data, port=self.chain.port)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def down(self) -> None:
        from notary import localchain

        localchain.down(self.data)


class Attempt:
    """One run of the command, with the trace it writes."""

    def __init__(self, command: list[str], work: Path, env: dict[str, str], number: int) -> None:
        self.trace = work / f"trace-{number:03d}.txt"
        self.seen = 0
        self.process = subprocess.Popen(
            command, cwd=work, env={**env, "NOTARY_STAGE_TRACE": str(self.trace)}, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=(work / f"attempt-{number:03d}.err").open("wb"),
        )  # fmt: skip

    def lines(self) -> list[str]:
        try:
            text = self.trace.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        return [line for line in text.split("\n")[:-1] if line.strip()]  # a half-written last line is not yet

    def wait_for(self, stage: str, skip: int, stall_limit: float) -> str:
        """Until ``stage`` has appeared ``skip + 1`` times after what was seen so far: "reached"; "ended" if the
        process ended first; "stalled" if it wrote no stage line for ``stall_limit`` seconds."""
        wanted = skip + 1
        progress = time.monotonic()
        while time.monotonic() - progress < stall_limit:
            lines = self.lines()
            fresh = lines[self.seen :]
            if fresh:
                progress = time.monotonic()
            for i, line in enumerate(fresh):
                if line.split()[0] == stage:
                    wanted -= 1
                    if wanted == 0:
                        self.seen += i + 1
                        return "reached"
            self.seen = len(lines)
            if self.process.poll() is not None:
                return "ended"
            time.sleep(0.001)
        return "stalled"

    def kill(self) -> str:
        """SIGKILL the command and its workers; the stage the trace last announced."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        lines = self.lines()
        return lines[-1].split()[0] if lines else "startup"


def plan(kills: int, node_kills: int) -> list[tuple[str, str]]:
    """(what, stage) events in order of progress. prepare and journal come first: they only happen while
    there are documents left to read, and every attempt that gets past them journals a chunk more. The later
    stages go round in pipeline order, each kill costing about one batch of progress; node kills spread among
    them."""
    per_stage = -(-kills // len(STAGES))
    early = [stage for _ in range(per_stage) for stage in STAGES[:2]]
    late = [STAGES[2 + i % (len(STAGES) - 2)] for i in range(max(0, kills - len(early)))]
    events = [("cli", stage) for stage in early + late]
    for j in range(node_kills):
        at = len(early) + (j + 1) * len(late) // (node_kills + 1)
        events.insert(at + j, ("node", NODE_STAGES[j % len(NODE_STAGES)]))
    return events


def torture(command: list[str], work: Path, env: dict[str, str], node: Node, args: argparse.Namespace,
            rng: random.Random) -> Tally:  # fmt: skip
    tally = Tally()
    events = plan(args.kills, args.node_kills)
    extra = 0
    attempt: Attempt | None = None
    while events:
        what, stage = events.pop(0)
        if attempt is None:
            tally.attempts += 1
            attempt = Attempt(command, work, env, tally.attempts)
        outcome = attempt.wait_for(stage, skip=rng.randint(0, 1), stall_limit=args.stall_limit)
        reached = outcome == "reached"
        if outcome == "stalled":
            tally.stalls += 1
            last = (attempt.lines() or ["startup"])[-1]
            tally.say(f"attempt {tally.attempts} stalled: no new stage for {args.stall_limit:.0f} s (last: {last})")
        if attempt.process.poll() is not None:
            code = attempt.process.returncode
            tally.say(f"attempt {tally.attempts} ended (exit {code}) before {what} kill at {stage}")
            if code == 0:
                tally.say("the run finished: no stage left to kill")
                attempt = None
                break
            attempt = None
            events.insert(0, (what, stage))
            if tally.attempts > 4 * (args.kills + args.node_kills):
                break
            continue
        if what == "node":
            node.kill_and_restart(rng)
            tally.node_kills += 1
            tally.say(f"node kill {tally.node_kills} at {stage} (reached: {reached}), restarted")
            continue
        hit = attempt.kill()
        attempt = None
        tally.kills += 1
        tally.stages[hit] += 1
        tally.say(f"kill {tally.kills}: aimed at {stage}, hit {hit}" + ("" if reached else " (not reached)"))
        if tally.stalls >= 3:
            tally.say("the command keeps stalling: no more kills")
            break
        if not events and not tally.stalls:
            missed = [s for s in STAGES if tally.stages[s] == 0]
            if missed and extra < 2 * len(STAGES):
                extra += 1
                events.append(("cli", missed[0]))
    if attempt is not None:
        attempt.kill()
    return tally


def setup(work: Path) -> tuple[Node, object, str, dict[str, str]]:
    """Managed anvil, registry, a keystore issuer and the notary.toml a user would have (chain = local)."""
    from eth_account import Account

    from notary.chain import Registry, connect, fund_dev_account
    from notary.config import write_config
    from notary.keys import create_key

    data = work / ".notary"
    node = Node(data)
    w3 = connect(node.chain.url)
    admin = Account.create()
    key = create_key(data, "issuer", PASSWORD, kdf_cost=2**10)
    for address in (admin.address, key.address):
        fund_dev_account(w3, address)
    registry, _ = Registry.deploy(w3, admin)
    registry.add_issuer(admin, key.address, "Stadt Mannheim – Standesamt")
    (work / "password").write_text(PASSWORD)
    write_config(work / "notary.toml", {
        "data_dir": ".notary", "chain": "local", "registry": registry.address,
        "key_file": ".notary/keys/issuer.json", "key_password_file": "password",
    })  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
    env["NOTARY_CONFIG"] = str(work / "notary.toml")
    return node, registry, key.address, env


def audit(registry: object, issuer: str, src: Path, out: Path) -> dict[str, int]:
    """Judge by the chain and the bytes only: nothing the CLI wrote about itself (journal, report) is read."""
    from notary.chain import Registry
    from notary.core import Proof
    from notary.pdf import read_attached_proof
    from tests.issuing import verifier_for
    from verifier.result import Verdict

    assert isinstance(registry, Registry)
    inputs = sorted(p.relative_to(src) for p in src.rglob("*.pdf"))
    outputs = sorted(p.relative_to(out) for p in out.rglob("*.pdf"))
    extra = len(set(outputs) - set(inputs))  # e.g. NAME.v2.pdf: a second output for one input
    verifier = verifier_for(registry)
    missing = unverifiable = issued = 0
    roots: set[bytes] = set()
    for rel in inputs:
        target = out / rel
        if not target.exists():
            missing += 1
            continue
        original, notarised = (src / rel).read_bytes(), target.read_bytes()
        raw = read_attached_proof(notarised) if notarised.startswith(original) else None
        proof = Proof.from_json(raw) if raw is not None else None
        good = (
            proof is not None
            and proof.document_hash == hashlib.sha256(original).digest()
            and proof.original_length == len(original)
            and verifier.verify_pdf(notarised).verdict is Verdict.VALID
        )
        if good and proof is not None:
            issued += 1
            roots.add(bytes(proof.root))
        else:
            unverifiable += 1
    anchored_roots = [event.root for event in registry.anchors(issuer)]
    anchored_leaves = sum(registry.batch(root, issuer)[0].document_count for root in anchored_roots)
    return {
        "documents": len(inputs), "issued_once": issued,
        # leaves on chain beyond one per issued document: anchored twice, or anchored and never handed out
        "duplicates": max(0, anchored_leaves - issued) + (len(anchored_roots) - len(set(anchored_roots))),
        "missing": missing, "unverifiable": unverifiable, "extra_outputs": extra,
        "batches_on_chain": len(anchored_roots), "roots_without_anchor": len(roots - set(anchored_roots)),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=21, help="CLI kills (at least; a missed stage adds more)")
    parser.add_argument("--node-kills", type=int, default=3)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--final-limit", type=float, default=FINAL_RUN_LIMIT, help="seconds the last run may take")
    parser.add_argument("--stall-limit", type=float, default=STALL_LIMIT, help="seconds without progress = a hang")
    parser.add_argument("--notary", default=NOTARY, help="the notary command to torture (default: this checkout's)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    src = corpus(args.docs, seed=11)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        node, registry, issuer, env = setup(work)
        try:
            command = [args.notary, "issue", str(src), "--out", str(work / "out"), "--type", "urkunde", "--title",
                       "Geburtsurkunde", "--holder", "Mia Köhler", "--batch-size", str(args.batch_size),
                       "--workers", "2", "--json"]  # fmt: skip
            started = time.monotonic()
            tally = torture(command, work, env, node, args, rng)
            final = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)  # fmt: skip
            try:
                out, err = final.communicate(timeout=args.final_limit)
                final_exit: int | str = final.returncode
            except subprocess.TimeoutExpired:
                os.killpg(final.pid, signal.SIGKILL)  # with its workers
                out, err = final.communicate()
                final_exit = "timeout"
            tally.say(f"final run: exit {final_exit} {out.strip()[-300:]} {err.strip()[-300:]}")
            figures = audit(registry, issuer, src, work / "out")
        finally:
            node.down()
    result = {
        "kills": tally.kills, "node_kills": tally.node_kills, "stalls": tally.stalls,
        "stages": {s: tally.stages.get(s, 0) for s in (*STAGES, *sorted(set(tally.stages) - set(STAGES)))},
        **figures, "attempts": tally.attempts, "final_exit": final_exit,
        "seconds": round(time.monotonic() - started, 1),
    }  # fmt: skip
    failures = [
        name for name, bad in (
            ("duplicates", figures["duplicates"] > 0), ("missing", figures["missing"] > 0),
            ("unverifiable", figures["unverifiable"] > 0), ("extra outputs", figures["extra_outputs"] > 0),
            ("not all issued", figures["issued_once"] != figures["documents"]),
            ("roots not on chain", figures["roots_without_anchor"] > 0), ("final run failed", final_exit != 0),
            ("too few kills", tally.kills < args.kills), ("too few node kills", tally.node_kills < args.node_kills),
            ("a stage never hit", any(tally.stages[s] == 0 for s in STAGES)),
            ("the command stalled", tally.stalls > 0),
        ) if bad
    ]  # fmt: skip
    print(f"reproduce: .venv/bin/python bench/crash_resume.py --kills {args.kills} --node-kills {args.node_kills}")
    print(json.dumps(result))
    if failures:
        print("FAILED: " + ", ".join(failures), file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
