"""`govern train`: a thin adapter over govern.train.run.train."""
from __future__ import annotations

from pathlib import Path

import click

from govern.cli.common import echo_json, get_store, json_option, policy_option


@click.command()
@click.argument("ref")
@click.option("--base-model", "base_model", help="Local model folder or installed model package.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the adapter.")
@click.option("--config", "config_file", type=click.Path(path_type=Path),
              help="train.toml with [train] options for this run.")
@click.option("--task", type=click.Choice(["causal-lm", "classification"]), help="What to train.")
@click.option("--epochs", type=float, help="Passes over the data.")
@click.option("--max-steps", type=int, help="Stop after N optimizer steps.")
@click.option("--batch-size", type=int, help="Micro-batch per process.")
@click.option("--learning-rate", "--lr", "learning_rate", type=float, help="Peak learning rate.")
@click.option("--max-length", type=int, help="Tokens per sequence.")
@click.option("--r", "r", type=int, help="LoRA rank.")
@click.option("--seed", type=int, help="Random seed (same seed, data, config: same adapter on CPU).")
@click.option("--resume", is_flag=True, help="Continue from the last checkpoint in --out.")
@policy_option
@json_option
@click.pass_context
def train(ctx, ref, base_model, out, config_file, task, epochs, max_steps, batch_size,
          learning_rate, max_length, r, seed, resume, policy_path, as_json):
    """Train a LoRA adapter on snapshot REF, which the gate must have attested.

    Refuses (exit 1) a snapshot with no passing, current attestation and (exit 3) an unsigned
    or tampered one; stops (exit 3) if any record no longer hashes to the snapshot. Writes a
    peft adapter, a model card and govern-manifest.json into --out.
    """
    from govern.policy import load_policy
    from govern.train.run import train as train_core
    overrides = {"task": task, "epochs": epochs, "max_steps": max_steps, "batch_size": batch_size,
                 "learning_rate": learning_rate, "max_length": max_length, "r": r, "seed": seed}
    manifest = train_core(get_store(ctx), ref, load_policy(policy_path), base_model, out,
                          config_file, overrides, resume)
    if as_json:
        echo_json(manifest)
        return
    m = manifest["metrics"]
    for warning in m.get("warnings") or []:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"trained {manifest['task']} adapter on {manifest['snapshot']['records']} records "
               f"({m['steps']} steps, final loss {m['train_loss']:.4f})")
    click.echo(f"attestation {manifest['attestation']['digest'][:12]}  base model "
               f"{manifest['base_model']['digest'][:12]}  written to {out}")
    if "adapter" in manifest:
        click.echo(manifest["adapter"]["weights_digest"])
