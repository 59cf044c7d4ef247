"""A rich progress bar with documents/s and ETA for long runs (only on a terminal); notes always go to stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from cli.output import err_console


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} docs/s" if speed else "— docs/s")


class BarProgress:
    """Implements notary.issuance.run.Progress on stderr, so --json output on stdout stays clean."""

    def __init__(self, console: Console | None = None, enabled: bool = True) -> None:
        self.console = console or err_console
        self.enabled = enabled and self.console.is_terminal
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def start(self, total: int | None) -> None:
        if not self.enabled:
            return
        self._bar = Progress(
            TextColumn("issuing"), BarColumn(), MofNCompleteColumn(), _Rate(), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(), console=self.console, transient=False,
        )  # fmt: skip
        self._bar.start()
        self._task = self._bar.add_task("issue", total=total)

    def advance(self, done: int) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done)

    def say(self, message: str) -> None:
        """Notes (a chain being waited for, a lost anchor being repaired) go to stderr even without the bar:
        in a log they matter most."""
        if self._bar is not None:
            self._bar.console.print(message)
        else:
            self.console.print(message)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
