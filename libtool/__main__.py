"""``python -m libtool`` runs the mlib command."""

from libtool.cli import main

if __name__ == "__main__":
    main()
