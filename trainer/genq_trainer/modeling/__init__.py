"""Models and losses (torch)."""
