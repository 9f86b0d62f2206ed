"""Export sizes: an A4 report column and a 16:9 slide, in CSS pixels (PNG pixels = size x scale)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    """A named export size in CSS pixels."""

    name: str
    width: int
    height: int
    label: dict


PRESETS = {
    "slide": Preset("slide", 1280, 720, {"da": "Dias 16:9", "en": "Slide 16:9"}),
    "a4": Preset("a4", 760, 600, {"da": "A4-rapportspalte", "en": "A4 report column"}),
}
DEFAULT_PRESET = "slide"
DEFAULT_SCALE = 3
FORMATS = ("png", "svg", "csv", "xlsx")
