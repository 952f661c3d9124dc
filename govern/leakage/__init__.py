"""Golden-set leakage: golden sets as snapshots, detection methods, the scan and its self-test."""
