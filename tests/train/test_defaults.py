"""Training defaults per task: the task from the highest layer picks the defaults beneath."""
from __future__ import annotations

import pytest

from govern.policy.load import Policy, validate
from govern.train.config import TASK_DEFAULTS, resolve_config


def policy_train(**train):
    return Policy(validate({"version": 1, "train": train}), None).section("train")


@pytest.mark.parametrize("policy, file, options, want", [
    ({}, None, {}, {"task": "causal-lm", **TASK_DEFAULTS["causal-lm"]}),
    ({}, None, {"task": "classification"}, {"task": "classification", **TASK_DEFAULTS["classification"]}),
    ({"task": "classification"}, None, {}, {"learning_rate": 2e-3, "epochs": 10, "max_length": 256}),
    ({"learning_rate": 0.01}, None, {"task": "classification"}, {"learning_rate": 0.01, "epochs": 10}),
    ({"task": "classification"}, "task = \"causal-lm\"\n", {}, {"learning_rate": 2e-4, "epochs": 1}),
    ({}, "task = \"classification\"\nepochs = 3\n", {"learning_rate": 1e-3},
     {"learning_rate": 1e-3, "epochs": 3, "modules_to_save": ["classifier", "score", "pooler"]}),
])
def test_the_task_picks_the_defaults_and_every_layer_still_wins(tmp_path, policy, file, options, want):
    path = None
    if file:
        path = tmp_path / "train.toml"
        path.write_text(file)
    config = resolve_config(policy_train(**policy), path, options)
    assert {k: config[k] for k in want} == want


def test_policy_digest_does_not_carry_task_dependent_defaults():
    section = policy_train()
    assert "learning_rate" not in section and "epochs" not in section and section["task"] == "causal-lm"
