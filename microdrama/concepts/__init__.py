"""Concepts and series: the trope library, the seeded sampler, casts and series bibles."""
