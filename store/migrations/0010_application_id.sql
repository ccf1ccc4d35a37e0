-- Marks the file as opsdeck's ("OPSD" = 0x4f505344), so that opsdeck can
-- tell its own databases from another application's SQLite file before
-- writing anything (store.ApplicationID). Databases from earlier releases,
-- recognised by their schema_migrations table, get the mark here.
PRAGMA application_id = 1330664260;
