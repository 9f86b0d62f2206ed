"""Export suite: every figure as PNG and SVG (rendered by kaleido with the system Chromium), the
numbers as CSV and one XLSX workbook, for one filter. No Dash import."""
