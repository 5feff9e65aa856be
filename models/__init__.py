"""SQLAlchemy tables, one module per aggregate. Import ``models.all`` to register every table."""
