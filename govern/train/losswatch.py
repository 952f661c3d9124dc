"""An early check that training learns: warn when the loss never drops below where it began.

The loss of the first optimizer step is the starting value (for a fresh classifier head it is
about ln(number of labels), chance). At the end of the first epoch, and again at the end of
training, the mean loss logged over the latest epoch is compared with it; a run whose loss has
not moved below its start is reported (a log warning while it runs, and in the manifest's
metrics), because such an adapter has learnt nothing and its settings are the likely cause.
"""
from __future__ import annotations

import logging

log = logging.getLogger("govern.train")


def not_learning(start: float, latest: list[float]) -> bool:
    """True when the latest losses, on average, are not below the starting loss."""
    return bool(latest) and sum(latest) / len(latest) >= start


def message(start: float, latest: list[float], step: int) -> str:
    return (f"training loss has not moved below its starting value ({start:.4f} at step 1; "
            f"mean {sum(latest) / len(latest):.4f} up to step {step}): the adapter is not "
            "learning; raise learning_rate or epochs (docs/train.md)")


def loss_watch():
    """A TrainerCallback; `.warnings` holds the messages it emitted."""
    from transformers import TrainerCallback

    class LossWatch(TrainerCallback):
        def __init__(self):
            self.start: float | None = None
            self.since: list[float] = []      # losses logged since the last epoch end
            self.warnings: list[str] = []
            self.epochs_seen = 0

        def on_step_end(self, args, state, control, **kw):
            if state.global_step == 1:
                control.should_log = True     # the first step's loss is the starting value

        def on_log(self, args, state, control, logs=None, **kw):
            if not logs or "loss" not in logs:
                return
            if self.start is None:
                self.start = float(logs["loss"])
            else:
                self.since.append(float(logs["loss"]))

        def on_epoch_end(self, args, state, control, **kw):
            control.should_log = True         # log the epoch's last steps before judging
            self.epochs_seen += 1

        def _judge(self, state) -> None:
            if self.start is None or not self.since:
                return
            if not_learning(self.start, self.since):
                text = message(self.start, self.since, state.global_step)
                if text not in self.warnings:
                    log.warning(text)
                    self.warnings.append(text)
            self.since = []

        def on_step_begin(self, args, state, control, **kw):
            # the epoch-end log is written after on_epoch_end: judge at the next step
            if self.epochs_seen == 1 and self.since:
                self.epochs_seen += 1          # judge the first epoch once (the early check)
                self._judge(state)

        def on_train_end(self, args, state, control, **kw):
            self._judge(state)

    return LossWatch()
