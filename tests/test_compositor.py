"""The compositor's own color conversion and caption blending, against known values."""

from __future__ import annotations

import numpy as np
from PIL import Image

from microdrama.compositor import Overlay, to_yuv420


def test_bt601_limited_range_reference_colors() -> None:
    colors = {
        (255, 255, 255): (235, 128, 128),
        (0, 0, 0): (16, 128, 128),
        (255, 0, 0): (81, 90, 240),
        (0, 0, 255): (41, 240, 110),
    }
    for rgb, expected in colors.items():
        y, u, v = to_yuv420(Image.new("RGB", (6, 4), rgb))
        assert (y.shape, u.shape, v.shape) == ((4, 6), (2, 3), (2, 3))
        got = (int(y[0, 0]), int(u[0, 0]), int(v[0, 0]))
        assert np.allclose(got, expected, atol=1), (rgb, got)


def test_overlay_blends_only_where_opaque() -> None:
    frame = [
        np.full((8, 8), 16, np.uint8),
        np.full((4, 4), 128, np.uint8),
        np.full((4, 4), 128, np.uint8),
    ]
    strip = np.zeros((4, 8, 4), np.uint8)
    strip[:, :4] = (255, 255, 255, 255)  # left half opaque white, right half transparent
    Overlay.from_rgba(strip).blend(frame, top=2)
    assert frame[0][2:6, :4].min() == 235 and frame[0][2:6, 4:].max() == 16
    assert frame[0][:2].max() == 16 and frame[0][6:].max() == 16
    assert (frame[1][1:3, :2] == 128).all() and frame[1][1:3, 2:].max() == 128


def test_overlay_half_transparent_mixes_and_keeps_its_columns() -> None:
    frame = [np.full((8, 12), 16, np.uint8), *(np.full((4, 6), 128, np.uint8) for _ in "uv")]
    strip = np.zeros((2, 12, 4), np.uint8)
    strip[:, 6:10] = (255, 255, 255, 128)  # a half-transparent white box in columns 6-9
    Overlay.from_rgba(strip).blend(frame, top=4)
    box = frame[0][4:6, 6:10]
    assert (abs(box.astype(int) - (16 + 235) // 2) <= 1).all(), box
    assert frame[0][4:6, :6].max() == 16 and frame[0][4:6, 10:].max() == 16
