"""Great Expectations validation of snapshots and data files (suites in expectations/)."""
