"""microdrama: Dagster-free domain code for the micro-drama episode factory.

Each subpackage owns one domain (words, picture, locales, av, music, motion, ...); the Dagster
layer (assets/, resources/, sensors/) only wires them together.
"""
