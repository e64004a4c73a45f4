"""All SQL lives here: the connection, the schema and its migrations, queries and audit writes."""
