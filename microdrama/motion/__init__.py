"""Shots that move: animating a keyframe into a clip held to the shot's timing, and the
clip's gate."""
