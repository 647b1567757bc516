"""The warehouse's engines: SQLite (a file, through sqlite-utils) and PostgreSQL (a server, through psycopg 3).

``database.Database`` is the one engine-neutral interface; ``connectors.warehouse`` builds the
warehouse on it and documents how to write SQL that both engines run.
"""
