"""Storage: SQLAlchemy 2 models and repositories, Alembic migrations; SQLite by default, PostgreSQL by URL."""
