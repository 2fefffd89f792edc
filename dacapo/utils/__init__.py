"""Utilities: affinities, class balancing, VOI, synthetic data, viewers."""
