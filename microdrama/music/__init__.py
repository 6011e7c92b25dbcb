"""The episode's score: genre moods, composition, rendering, ducking under the dialogue and its
gates."""
