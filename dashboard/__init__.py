"""Innovationsbarometer dashboard: the Danish public-sector innovation survey, figure by figure."""

__version__ = "0.1.0"
