"""The service layer: one function per thing the system does, each in one transaction."""
