"""Figure layer: one spec per figure, the numbers behind it, and the plotly figure."""
