"""The policy gate: checks over stored results, the decision, and signed attestations."""
