"""The gallery: a static site of every catalogued episode, paged by genre and day, loaded lazily,
that works opened from disk or behind any static file server."""
