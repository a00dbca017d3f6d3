"""Per-operation adapters: decode the request parameters, call the service, render the result."""
