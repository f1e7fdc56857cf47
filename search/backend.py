"""Wagtail's database search backend, with the title outweighing the body on SQLite too.

On PostgreSQL, Wagtail ranks with ts_rank and field weights, so Page's title (boost 2) counts
more than the body. Its SQLite backend ranks with FTS5's bm25() over all columns alike, so a
word once in a long body could rank above the same word in a title. Here bm25() is given
column weights (the FTS5 table's columns are autocomplete, body, title). Everything else,
and the whole backend on other databases, is Wagtail's own.

Configured in WAGTAILSEARCH_BACKENDS as {"BACKEND": "search.backend"}.
"""

from django.db import connection
from django.db.models import FloatField, Func

from wagtail.search.backends import database

TITLE_WEIGHT = 5.0
BODY_WEIGHT = 1.0


def SearchBackend(params):
    if connection.vendor == "sqlite":
        backend = database.SearchBackend(params)
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

        if isinstance(backend, SQLiteSearchBackend):  # FTS5 is available
            backend.query_compiler_class = _sqlite_compiler()
        return backend
    return database.SearchBackend(params)


def _sqlite_compiler():
    from modelsearch.backends.database.sqlite.sqlite import (
        SQLiteFTSIndexEntry,
        SQLiteSearchQueryCompiler,
    )
    from modelsearch.query import Not, Phrase, PlainText

    class WeightedBM25(Func):
        output_field = FloatField()

        def as_sql(self, compiler, connection, **extra):
            table = SQLiteFTSIndexEntry._meta.db_table
            return f"bm25({table}, 0.0, {BODY_WEIGHT}, {TITLE_WEIGHT})", []

    class WeightedSQLiteSearchQueryCompiler(SQLiteSearchQueryCompiler):
        def build_tsrank(self, vector, query, config=None, boost=1.0):
            if isinstance(query, Phrase | PlainText | Not):
                rank = WeightedBM25()
                return rank * boost if boost != 1.0 else rank
            return super().build_tsrank(vector, query, config=config, boost=boost)

        def get_search_vectors(self):
            # One bm25() over the weighted columns, instead of one per column.
            return [(None, 1.0)]

    return WeightedSQLiteSearchQueryCompiler
