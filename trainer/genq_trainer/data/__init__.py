"""Input files, the TSDAE noise and the batch samplers (no torch here)."""
