"""What every command adapter shares: the store, JSON output, tables and progress bars."""
from __future__ import annotations

import json
import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print machine-readable JSON instead of a table.")
policy_option = click.option("--policy", "policy_path", type=click.Path(path_type=Path),
                             default=None, help="Policy file (default: ./govern.toml).")


def store_path(ctx: click.Context) -> Path:
    return ctx.find_root().params.get("store") or Path(".govern")


def get_store(ctx: click.Context):
    from govern.store import open_store
    return open_store(store_path(ctx))


def console(stderr: bool = False):
    from rich.console import Console
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def echo_json(obj) -> None:
    click.echo(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text) -> str:
    """Text with control characters (ANSI escapes, bidi overrides...) shown as \\xNN escapes,
    so a file or field name cannot move the cursor, recolour or rewrite the terminal."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), str(text))


def table(title: str | None, columns: list[str], rows: list[list]) -> None:
    from rich.markup import escape
    from rich.table import Table
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*["" if v is None else escape(terminal_safe(v)) for v in r])
    console().print(t)


def listing(rows: list[dict], as_json: bool, title: str, columns: list[str], cells) -> None:
    """A list command's output: the rows as JSON, or a table with `cells(row)` for each row."""
    if as_json:
        echo_json(rows)
    else:
        table(title, columns, [cells(r) for r in rows])


class ProgressLines:
    """Progress for a log (stderr not a terminal): a line every `every` seconds with the count
    done, the rate and, when the total is known, the time left."""

    def __init__(self, description: str, total: int | None, unit: str, every: float):
        self.description, self.total, self.unit, self.every = description, total, unit, every
        self.done, self.start = 0, time.monotonic()
        self.last = self.start

    def __call__(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            click.echo(self.line(now), err=True)

    def line(self, now: float) -> str:
        rate = self.done / max(now - self.start, 1e-9)
        text = f"{self.description}: {self.done}"
        if self.total:
            left = (self.total - self.done) / rate if rate else 0
            text += f"/{self.total} {self.unit} ({100 * self.done / self.total:.0f}%)"
        else:
            text += f" {self.unit}"
        text += f", {rate:,.0f}/s"
        if self.total:
            text += f", ETA {int(left // 60)}:{int(left % 60):02d}"
        return text


def progress_every() -> float:
    """Seconds between progress lines in a log (env GOVERN_PROGRESS_SECONDS, default 15)."""
    try:
        return float(os.environ.get("GOVERN_PROGRESS_SECONDS", "15"))
    except ValueError:
        return 15.0


@contextmanager
def progress(description: str, total: int | None = None, unit: str = "records"):
    """A rich progress bar on stderr when it is a terminal; in a CI log (not a terminal), a
    progress line every GOVERN_PROGRESS_SECONDS seconds instead."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    enabled = sys.stderr.isatty()
    if not enabled:
        yield ProgressLines(description, total, unit, progress_every())
        return
    cols = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn(unit), TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*cols, console=console(stderr=True), disable=not enabled,
                  transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
