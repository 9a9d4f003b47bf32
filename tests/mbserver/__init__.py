"""A local MusicBrainz WS/2 server for tests: ``MBServer(Catalogue.default())``.

See ``server.py`` for the HTTP side and fault injection, ``catalogue.py`` for
the data, ``search.py`` for the query language, ``render.py`` for the XML.
Run by hand with ``python -m tests.mbserver --port 5000``.
"""

from .catalogue import Catalogue, Release, fake_mbid, generate_releases
from .server import Fault, Faults, MBServer, RequestLog

__all__ = [
    "Catalogue",
    "Fault",
    "Faults",
    "MBServer",
    "Release",
    "RequestLog",
    "fake_mbid",
    "generate_releases",
]
