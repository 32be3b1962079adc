"""Retrieval evaluation on held-out pairs."""
