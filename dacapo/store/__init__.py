"""Stores for configs, stats, weights and arrays."""
