"""The library database: models, engine and migrations, and the query language."""
