"""MusicBrainz: our client interface (``client``), the musicbrainzngs adapter (``mbngs``),
and pure matching (``normalise``, ``distance``, ``match``). Headless: no UI, no database."""
