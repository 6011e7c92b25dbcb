"""What sensors and commands do to the Dagster instance: mint episodes, archive them, read state."""
