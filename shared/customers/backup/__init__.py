"""One county's archive (区县备份): its schema, its files and its key identity in one
encrypted file, restorable into the same county or into a new one (docs/operations.md).

- ``archive``: ``county_backup`` writes the archive; ``archive_read`` opens one.
- ``restore``: ``county_restore`` puts an archive back, verified table by table.
- ``digest``: row counts and a checksum per table, the same SQL at backup and restore.
- ``pg``: the PostgreSQL client programs (pg_dump, pg_restore, psql) on our database.
- ``keys``: the age identities that archives are encrypted to, and the key check values
  that tell a restore whether this platform's master keys can read the county's data.
"""
