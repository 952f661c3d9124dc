"""What every command adapter shares: the store, JSON output, tables and progress bars."""
from __future__ import annotations

import json
import sys
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


def table(title: str | None, columns: list[str], rows: list[list]) -> None:
    from rich.table import Table
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    console().print(t)


def listing(rows: list[dict], as_json: bool, title: str, columns: list[str], cells) -> None:
    """A list command's output: the rows as JSON, or a table with `cells(row)` for each row."""
    if as_json:
        echo_json(rows)
    else:
        table(title, columns, [cells(r) for r in rows])


@contextmanager
def progress(description: str, total: int | None = None, unit: str = "records"):
    """A rich progress bar on stderr, hidden when stderr is not a terminal (CI logs)."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    enabled = sys.stderr.isatty()
    cols = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn(unit), TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*cols, console=console(stderr=True), disable=not enabled,
                  transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
