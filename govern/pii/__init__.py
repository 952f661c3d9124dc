"""PII and secrets scanning: presidio with govern's own detectors, results as stored artifacts,
an accepted-findings baseline and redaction into child snapshots."""
