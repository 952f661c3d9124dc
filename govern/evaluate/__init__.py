"""Evaluation: eval suites, running base models and adapters on them, paired statistics,
the baseline-justification rule and the regression report."""
