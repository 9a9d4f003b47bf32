"""Tags: the canonical fields, their storage rules per container, reading and writing files."""
