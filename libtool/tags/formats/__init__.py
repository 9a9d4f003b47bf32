"""One module per tag container; each maps canonical fields to that container's keys."""
