"""The progress bar of `kg build`: articles done, articles/s, elapsed and remaining time (rich)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)
from rich.text import Text


class Rate(ProgressColumn):
    """Articles per second (rich's moving average)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} articles/s" if speed else "- articles/s", style="progress.data.speed")


@contextmanager
def rich_progress(enabled: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    """A progress callback drawing a rich bar with articles/s on stderr, or None when disabled."""
    if not enabled:
        yield None
        return
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), Rate(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console, transient=True,
    )
    task = bar.add_task("extract", total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update
