"""The policy file `govern.toml`: versioned, schema-validated, with defaults filled in."""
from govern.policy.load import Policy, load_policy, POLICY_FILE

__all__ = ["Policy", "load_policy", "POLICY_FILE"]
