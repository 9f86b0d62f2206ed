"""Data layer: codebook, loading and validation, synthetic generator and estimators (no Dash)."""
