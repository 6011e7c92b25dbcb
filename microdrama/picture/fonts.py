"""Fonts per script: Noto CJK for Chinese, DejaVu for Latin scripts, found through fontconfig."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

FONT_FAMILIES = {"zh-CN": "Noto Sans CJK SC", "default": "DejaVu Sans"}
PACKAGES = {"Noto Sans CJK SC": "fonts-noto-cjk", "DejaVu Sans": "fonts-dejavu-core"}


class FontError(RuntimeError):
    pass


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self.path, size=size, index=self.index)


@lru_cache(maxsize=8)
def font_for(locale: str) -> FontFile:
    """The bold subtitle font for `locale`; a clear error if its package is missing."""
    family = FONT_FAMILIES.get(locale, FONT_FAMILIES["default"])
    if shutil.which("fc-match") is None:
        raise FontError("fontconfig (fc-match) is not installed; run `make setup`")
    out = subprocess.run(
        ["fc-match", "-f", "%{family}|%{file}|%{index}", f"{family}:bold"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    found, path, index = ([*out.split("|"), "", "", "0"])[:3]
    if family not in found.split(","):
        raise FontError(
            f"font {family!r} for locale {locale} is missing; "
            f"install the Debian package {PACKAGES[family]} (make setup)"
        )
    return FontFile(path, int(index or 0))
