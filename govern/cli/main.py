"""The `govern` root command and the one error boundary that maps errors to exit codes.

Commands load lazily (one module each) so `govern --help` never imports heavy libraries.
0 pass, 1 policy violation, 2 could not evaluate, 3 integrity failure.
"""
from __future__ import annotations

import importlib
import os
import time
import traceback
from pathlib import Path

import click

import govern
from govern.errors import CANNOT_EVALUATE, GovernError

# name -> "module:attribute"; the order is the order of the chain
COMMANDS = {
    "init": "govern.cli.init:init",
    "policy": "govern.cli.policy:policy",
    "snapshot": "govern.cli.snapshot:snapshot",
    "verify": "govern.cli.snapshot:verify",
    "golden": "govern.cli.golden:golden",
    "scan": "govern.cli.scan:scan",
    "baseline": "govern.cli.baseline:baseline",
    "redact": "govern.cli.redact:redact",
    "validate": "govern.cli.validate:validate",
    "gate": "govern.cli.gate:gate",
    "attest": "govern.cli.gate:attest",
    "train": "govern.cli.train:train",
    "adapter": "govern.cli.adapter:adapter",
    "eval": "govern.cli.evaluate:eval_command",
    "compare": "govern.cli.evaluate:compare",
    "report": "govern.cli.report:report",
    "signoff": "govern.cli.report:signoff",
    "audit": "govern.cli.audit:audit",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used or listed."""

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx):
        return list(self.commands) + list(self.lazy)

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        if name not in self.lazy:
            return None
        module, attr = self.lazy[name].split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx, formatter):
        # keep the chain order instead of alphabetical
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=formatter.width - 20)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class GovernGroup(LazyGroup):
    """The root group: its invoke is the error boundary for every command."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except GovernError as e:
            from govern.cli.common import terminal_safe  # messages name files: no escapes
            click.echo(f"error: {terminal_safe(e.message)}", err=True)
            if e.hint:
                click.echo(f"hint: {terminal_safe(e.hint)}", err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as e:  # the boundary: one line out, the traceback to a file
            log = _crash_log(ctx.params.get("store"), e)
            click.echo(f"error: internal error ({type(e).__name__}); traceback written to {log}",
                       err=True)
            ctx.exit(CANNOT_EVALUATE)


def _crash_log(store: Path | None, exc: BaseException) -> Path:
    """Write the traceback of an unexpected error to a file; never to the CI terminal.

    Only frames and the exception type are written: exception messages can quote data.
    """
    folder = (store / "logs") if store and Path(store).is_dir() else \
        Path(os.environ.get("TMPDIR", "/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
    frames = "".join(traceback.format_tb(exc.__traceback__))
    path.write_text(f"govern {govern.__version__}\n"
                    f"{type(exc).__module__}.{type(exc).__qualname__}\n{frames}")
    return path


@click.group(cls=GovernGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", type=click.Path(path_type=Path), envvar="GOVERN_STORE",
              default=".govern", show_default=True, help="Store folder (env GOVERN_STORE).")
@click.version_option(govern.__version__, prog_name="govern")
@click.pass_context
def cli(ctx: click.Context, store: Path):
    """Govern training data for LoRA fine-tunes: version it as snapshots, scan it for PII,
    secrets and golden-set leakage, validate it, gate it under a written policy, train only
    on attested snapshots, evaluate base vs adapter, and report for sign-off and CI.

    Exit codes: 0 pass, 1 policy violation, 2 could not evaluate, 3 integrity failure.
    """
    ctx.ensure_object(dict)
    ctx.obj["store_path"] = store




def main() -> None:
    """Console entry point. Usage errors exit 2, as every "could not evaluate" does."""
    # libraries' load reports and deprecation notes are noise in a CI log; errors still show
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import warnings
    warnings.filterwarnings("ignore", category=FutureWarning)
    cli(prog_name="govern")
