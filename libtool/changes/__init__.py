"""Changes to files: pending edits, writing and undo, runs, moves, CSV round trips."""
