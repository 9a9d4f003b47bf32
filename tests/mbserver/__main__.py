"""``python -m tests.mbserver [--port 5000] [--catalogue FILE] [--rate-limit 1.0]``."""

from __future__ import annotations

import argparse
import sys
import threading

from .catalogue import DEFAULT_PATH, Catalogue
from .server import MBServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.mbserver", description="Local MusicBrainz WS/2 test server."
    )
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--catalogue", default=str(DEFAULT_PATH), help="catalogue JSON file")
    parser.add_argument(
        "--rate-limit", type=float, default=1.0, help="requests/second per client; 0 disables"
    )
    parser.add_argument("--generate", type=int, default=0, metavar="N",
                        help="add N generated releases")  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)

    catalogue = Catalogue.load(args.catalogue)
    if args.generate:
        from .catalogue import generate_releases

        catalogue.extend(generate_releases(args.generate))
    server = MBServer(
        catalogue, rate_limit=args.rate_limit or None, port=args.port, bind=args.bind,
        verbose=not args.quiet,
    )  # fmt: skip
    try:
        with server:
            print(f"host {server.host}  ({len(catalogue.releases)} releases, "
                  f"{len(catalogue.recordings)} recordings)", flush=True)  # fmt: skip
            print(f'musicbrainzngs.set_hostname("{server.host}", use_https=False); Ctrl-C stops',
                  flush=True)  # fmt: skip
            threading.Event().wait()
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
