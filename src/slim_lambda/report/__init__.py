"""The report: its model, the limits check, and its text and HTML renderings."""
