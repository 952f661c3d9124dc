"""Compliance reports, sign-offs and CI outputs built from the evidence in the store."""
