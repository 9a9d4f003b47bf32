"""libtool: a personal music-library organiser (the ``mlib`` command).

The headless core lives in this package (tags, scanning, database, MusicBrainz,
edits, export) and never imports Textual; the terminal UI sits in ``libtool.tui``.
"""

__version__ = "0.1.0"
