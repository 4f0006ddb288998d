"""The warehouse side of the build: inbox, history store, loading, dbt, publication, audit."""
