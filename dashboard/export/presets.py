"""Export sizes: an A4 report column and a 16:9 slide, in CSS pixels (PNG pixels = size x scale)."""

from dataclasses import dataclass

from ..catalogs import texts


@dataclass(frozen=True)
class Preset:
    """A named export size in CSS pixels."""

    name: str
    width: int
    height: int
    label: dict


PRESETS = {
    "slide": Preset("slide", 1280, 720, texts("export.preset_slide")),
    "a4": Preset("a4", 760, 600, texts("export.preset_a4")),
}
DEFAULT_PRESET = "slide"
DEFAULT_SCALE = 3
FORMATS = ("png", "svg", "csv", "xlsx")
