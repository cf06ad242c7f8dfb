"""Users, audit log and feedback in a relational database (SQLite by default, PostgreSQL in
production), behind SQLAlchemy 2.x. Nothing connects until first use."""
