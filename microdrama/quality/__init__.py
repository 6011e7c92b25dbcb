"""Quality gates: the checks an artifact must pass before it replaces the last good one."""
