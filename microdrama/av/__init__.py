"""Sound and video primitives every stage shares: ffmpeg, loudness, WAV files and shot timing."""
