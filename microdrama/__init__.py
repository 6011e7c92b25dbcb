"""microdrama: Dagster-free domain code for the micro-drama episode factory.

Schemas, the story grammar, the storyboard painter, voices, localization and the compositor
live here so they can be used and tested without Dagster; the Dagster layer (assets/,
resources/, sensors/) only wires them together.
"""
