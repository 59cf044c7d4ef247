"""`notary journal`: what issuance runs there were and how far they got."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.text import Text

from cli.output import console, emit_json
from cli.settings_opts import DataDirOpt, JsonOpt, settings_from
from notary.errors import UsageError
from notary.issuance import Journal

app = typer.Typer(
    help="Show issuance runs recorded in the journal (data dir/journal.sqlite) and why each document is in its state."
)


def _journal(data_dir: DataDirOpt) -> Journal | None:
    settings = settings_from(data_dir=data_dir)
    path = settings.data_path / "journal.sqlite"
    return Journal(path) if path.exists() else None


def _runs(data_dir: DataDirOpt) -> list[dict[str, object]]:
    journal = _journal(data_dir)
    if journal is None:
        return []
    try:
        return journal.runs()
    finally:
        journal.close()


def _line(run: dict[str, object]) -> str:
    created = dt.datetime.fromtimestamp(float(run["created"]), dt.UTC).isoformat(timespec="seconds")  # type: ignore[arg-type]
    state = "finished" if run["finished"] else "UNFINISHED (run the same `notary issue` command again to resume)"
    return (
        f"run {run['id']} {created} -> {run['out_dir']}: {run['written']}/{run['documents']} issued, "
        f"{run['duplicates']} duplicates, {run['failed']} failed, {run['replaced']} replaced by changed inputs, "
        f"{run['batches_anchored']}/{run['batches']} batches anchored — {state}"
    )


@app.command("list")
def list_(data_dir: DataDirOpt = None, json_out: JsonOpt = False) -> None:
    """All runs, oldest first."""
    runs = _runs(data_dir)
    if json_out:
        emit_json(runs)
        return
    if not runs:
        console.print("no issuance runs yet")
    for run in runs:
        console.print(_line(run))


@app.command()
def status(data_dir: DataDirOpt = None, json_out: JsonOpt = False) -> None:
    """The latest run, and whether any run is unfinished."""
    runs = _runs(data_dir)
    unfinished = [r for r in runs if not r["finished"]]
    if json_out:
        emit_json({"latest": runs[-1] if runs else None, "unfinished": unfinished})
        return
    if not runs:
        console.print("no issuance runs yet")
        return
    console.print(_line(runs[-1]))
    for run in unfinished:
        if run is not runs[-1]:
            console.print(_line(run))
    if unfinished:
        raise typer.Exit(1)


WHY = {
    "written": "issued: anchored in batch {batch} (tx {tx}, block {block}); notarised copy {out}",
    "batched": "in batch {batch} ({batch_state}); not yet written: run the same `notary issue` command again",
    "prepared": "checked and hashed, waiting for a batch: run the same `notary issue` command again",
}


def _why(row: dict[str, object]) -> str:
    """Why a document is in its state, in a sentence."""
    state = str(row["state"])
    template = WHY.get(state)
    if template is not None:
        text = template.format(
            batch=row["batch_id"], tx=row["tx_hash"], block=row["block"], out=row["out_path"],
            batch_state=row["batch_state"],
        )  # fmt: skip
    elif state == "failed" and row["batch_state"] == "anchored":
        text = f"anchored, not written: {row['reason']} (run the same command again to write it)"
    else:
        text = str(row["reason"] or state)
    return f"{text}; {row['note']}" if row["note"] else text


@app.command()
def show(
    run: Annotated[int | None, typer.Argument(help="Run id (see `notary journal list`); default the latest.")] = None,
    state: Annotated[
        str | None, typer.Option(help="Only documents in this state: written, failed, duplicate, replaced, ...")
    ] = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Every document of a run with its state and why it is in it."""
    journal = _journal(data_dir)
    if journal is None:
        console.print("no issuance runs yet")
        return
    try:
        ids = journal.run_ids()
        if not ids:
            console.print("no issuance runs yet")
            return
        run_id = ids[-1] if run is None else run
        if run_id not in ids:
            raise UsageError(f"no run {run_id} in the journal (runs: {ids[0]}..{ids[-1]})")
        rows = [
            {"input": r["src"], "state": r["state"], "why": _why(r), "output": r["out_path"]}
            for r in journal.report_rows(run_id)
            if state is None or r["state"] == state
        ]
    finally:
        journal.close()
    if json_out:
        emit_json({"run": run_id, "documents": rows})
        return
    console.print(f"run {run_id}: {len(rows)} documents{'' if state is None else f' in state {state}'}")
    for row in rows:
        console.print(Text.assemble((f"{row['state']:<9} ", "bold"), str(row["input"]), " — ", str(row["why"])))
