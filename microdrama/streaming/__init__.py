"""Shipping like a streaming app: the picture ladder, a sound and subtitle rendition per locale,
and the HLS master playlist that ties them together."""
