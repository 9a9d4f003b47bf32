"""The operations every front end calls (CLI, TUI, enricher): plain values in and out,
typed events, a cancel token. ``results`` is light; ``core`` brings in the database."""
