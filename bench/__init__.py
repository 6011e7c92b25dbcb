"""Benchmarks: `microdrama bench` times one episode; see README.md for the figures."""
