"""sitegen: a static site generator for article archives."""

__version__ = "0.1.0"
