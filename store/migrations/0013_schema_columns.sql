-- Columns added because a kind's field table (model) names a field its
-- SQL table lacks: the store adds them on open (store/table.go,
-- ensureColumns) and records each here, as a migration is recorded in
-- schema_migrations. A new field needs no migration file.
CREATE TABLE schema_columns (
	table_name  TEXT NOT NULL,
	column_name TEXT NOT NULL,
	decl        TEXT NOT NULL,
	added_at    TEXT NOT NULL,
	PRIMARY KEY (table_name, column_name)
);
