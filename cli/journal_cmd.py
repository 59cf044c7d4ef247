"""`notary journal`: what issuance runs there were and how far they got."""

from __future__ import annotations

import datetime as dt

import typer

from cli.output import console, emit_json
from cli.settings_opts import DataDirOpt, JsonOpt, settings_from
from notary.issuance import Journal

app = typer.Typer(help="Show issuance runs recorded in the journal (data dir/journal.sqlite).")


def _runs(data_dir: DataDirOpt) -> list[dict[str, object]]:
    settings = settings_from(data_dir=data_dir)
    path = settings.data_path / "journal.sqlite"
    if not path.exists():
        return []
    journal = Journal(path)
    try:
        return journal.runs()
    finally:
        journal.close()


def _line(run: dict[str, object]) -> str:
    created = dt.datetime.fromtimestamp(float(run["created"]), dt.UTC).isoformat(timespec="seconds")  # type: ignore[arg-type]
    state = "finished" if run["finished"] else "UNFINISHED (run the same `notary issue` command again to resume)"
    return (
        f"run {run['id']} {created} -> {run['out_dir']}: {run['written']}/{run['documents']} issued, "
        f"{run['duplicates']} duplicates, {run['failed']} failed, {run['batches_anchored']}/{run['batches']} batches "
        f"anchored — {state}"
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
