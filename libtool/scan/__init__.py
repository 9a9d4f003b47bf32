"""Scanning: walking roots, the no-change fast path, and the batched scanner.

Kept import-free: the fast path must not pull in SQLAlchemy or mutagen.
"""
