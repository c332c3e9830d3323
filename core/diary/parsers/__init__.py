"""Field parsers: one module per kind of field, each returning a ``Parsed`` column.

Each parser takes a raw (untrimmed) text column, tries a fast vectorised path for the
common export format, and sends only the remaining values through the slower trim +
regular-expression path (RE2, run by pyarrow on whole columns).
"""
