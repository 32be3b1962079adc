"""The training loop and its parts: precision, optimizer and schedule, RNG, checkpoints, pre-emption."""
