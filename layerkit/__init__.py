"""layerkit: plan, build and measure layered Fedora Atomic images."""

__version__ = "0.1.0"
