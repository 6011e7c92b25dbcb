"""Pictures as the encoder takes them: Y'CbCr 4:2:0 planes (BT.601, limited range) with alpha.

The motion comic composes its frames straight into yuv420p, the pixel format x264 encodes, so
ffmpeg reads 1.5 bytes a pixel instead of RGBA's 4 and converts none of them: piping and
converting RGBA frames cost three times as long as composing them. Blending is linear, so a
frame blended from converted layers is the frame converted after blending (to rounding); the
matrix and range are those ffmpeg's scaler used on the RGBA frames before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

PIXEL_FORMAT = "yuv420p"  # ffmpeg's name for `FrameBuffer.data`'s layout
# full range (JPEG's Y'CbCr, what PIL converts to) -> limited range (what video players expect)
LUMA_RANGE = [round(16 + v * 219 / 255) for v in range(256)]
CHROMA_RANGE = [round(128 + (v - 128) * 224 / 255) for v in range(256)]


@dataclass(frozen=True)
class Planes:
    """A picture with alpha: luma and alpha at full size, chroma and its alpha at half size
    (rounded up), each an 8-bit PIL image that pastes in C."""

    y: Image.Image
    a: Image.Image
    u: Image.Image
    v: Image.Image
    half_a: Image.Image

    @classmethod
    def of(cls, picture: Image.Image) -> Planes:
        """`picture` (RGB or RGBA) converted; an RGB picture is opaque."""
        rgba = picture.convert("RGBA")
        y, u, v = rgba.convert("RGB").convert("YCbCr").split()
        half = ((rgba.width + 1) // 2, (rgba.height + 1) // 2)
        a = rgba.getchannel("A")
        return cls(
            y.point(LUMA_RANGE),
            a,
            u.point(CHROMA_RANGE).resize(half, Image.BOX),
            v.point(CHROMA_RANGE).resize(half, Image.BOX),
            a.resize(half, Image.BOX),
        )

    def rows(self, index: np.ndarray) -> Planes:
        """The picture made of these rows (full-size row numbers, in order; repeats allowed):
        chroma takes the half-size row of every other one."""
        half = index[::2] // 2

        def pick(img: Image.Image, at: np.ndarray) -> Image.Image:
            return Image.fromarray(np.asarray(img)[at])  # uint8, two axes: an "L" image

        return Planes(
            pick(self.y, index),
            pick(self.a, index),
            pick(self.u, half),
            pick(self.v, half),
            pick(self.half_a, half),
        )

    def replaced(self, patch: Planes, at: tuple[int, int]) -> Planes:
        """A copy with `patch` in place of what lies under it at `at` (its alpha too)."""
        half = (at[0] // 2, at[1] // 2)
        out = Planes(self.y.copy(), self.a.copy(), self.u.copy(), self.v.copy(), self.half_a.copy())
        for mine, theirs, where in (
            (out.y, patch.y, at),
            (out.a, patch.a, at),
            (out.u, patch.u, half),
            (out.v, patch.v, half),
            (out.half_a, patch.half_a, half),
        ):
            mine.paste(theirs, where)
        return out


class FrameBuffer:
    """One yuv420p frame's memory (`data`, what ffmpeg reads), with a PIL image drawing
    straight into each of its planes, so layers are pasted with no copy of the frame."""

    def __init__(self, width: int, height: int) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"a yuv420p frame needs even sides, not {width}x{height}")
        self.width, self.height = width, height
        luma, chroma = width * height, width * height // 4
        self.data = np.zeros(luma + 2 * chroma, np.uint8)
        self.planes = (
            self.data[:luma].reshape(height, width),
            self.data[luma : luma + chroma].reshape(height // 2, width // 2),
            self.data[luma + chroma :].reshape(height // 2, width // 2),
        )
        self.images = tuple(self._drawn_into(p) for p in self.planes)

    @staticmethod
    def _drawn_into(plane: np.ndarray) -> Image.Image:
        image = Image.frombuffer("L", plane.shape[::-1], plane, "raw", "L", 0, 1)
        image.readonly = False  # the memory is ours and writable: paste into it, not a copy
        return image

    def fill(self, backdrop: tuple[np.ndarray, np.ndarray, np.ndarray], x: int, y: int) -> None:
        """The frame becomes the window of `backdrop` (its y, u, v arrays) at (x, y)."""
        h, w = self.height, self.width
        self.planes[0][:] = backdrop[0][y : y + h, x : x + w]
        for plane, source in zip(self.planes[1:], backdrop[1:], strict=True):
            plane[:] = source[y // 2 : y // 2 + h // 2, x // 2 : x // 2 + w // 2]

    def paste(self, picture: Planes, at: tuple[int, int]) -> None:
        """`picture` blended over the frame by its alpha, its top-left corner at `at`."""
        half = (at[0] // 2, at[1] // 2)
        self.images[0].paste(picture.y, at, picture.a)
        self.images[1].paste(picture.u, half, picture.half_a)
        self.images[2].paste(picture.v, half, picture.half_a)


def backdrop_planes(picture: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An opaque picture's y, u and v planes as arrays, to fill frames from."""
    planes = Planes.of(picture)
    return np.asarray(planes.y), np.asarray(planes.u), np.asarray(planes.v)
