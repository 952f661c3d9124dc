"""Click adapters: the root group with the error boundary, one module per command group."""
