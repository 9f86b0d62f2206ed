"""Innovationsbarometer dashboard: the Danish public-sector innovation survey, figure by figure."""

from importlib import metadata

DISTRIBUTION = "innovationsbarometer-dashboard"  # the name in pyproject.toml

try:
    __version__ = metadata.version(DISTRIBUTION)
except metadata.PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"
