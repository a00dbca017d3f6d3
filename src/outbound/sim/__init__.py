"""The simulator: the service clock and the engine that moves orders along their lifecycle."""
