"""The package's version, in one place: ``smmsim.__version__``, results' metadata and
``pyproject.toml`` (read by setuptools at build time) all take it from here."""

__version__ = "0.1.0"
