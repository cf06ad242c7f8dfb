"""The database handle: engine and session factory built from settings, tables created on
first use. One `Database` per process, owned by whoever composes the surface (API, CLI)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.models import Base

if TYPE_CHECKING:
    from assistant.settings import Settings


def database_url(settings: Settings) -> str:
    """`api.database_url`, or a SQLite file in the data directory."""
    if settings.api.database_url:
        return settings.api.database_url
    path = (settings.data_dir / "kenes.db").resolve()
    return f"sqlite:///{path}"


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(database_url(settings))

    @property
    def engine(self) -> Engine:
        self.open()
        assert self._engine is not None
        return self._engine

    def open(self) -> None:
        """Connect and create the tables (idempotent; safe from several threads)."""
        if self._engine is not None:
            return
        with self._lock:
            if self._engine is not None:
                return
            engine = self._create_engine()
            Base.metadata.create_all(engine)
            self._sessions = sessionmaker(engine, expire_on_commit=False)
            self._engine = engine

    def _create_engine(self) -> Engine:
        if not self.url.startswith("sqlite"):
            return create_engine(self.url, pool_pre_ping=True)
        database = self.url.split("///", 1)[1] if "///" in self.url else ""
        if database and database != ":memory:" and not database.startswith("file:"):
            _private_file(Path(database))
        engine = create_engine(self.url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        self.open()
        assert self._sessions is not None
        with self._sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None
            self._sessions = None


def _private_file(path: Path) -> None:
    """The database holds token hashes and the audit log: readable by its owner only (0600).
    SQLite gives the -wal and -shm files the mode of the database file, so creating the file
    0600 before SQLite opens it covers all three; older 0644 files are tightened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    if not _is_memory(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the audit writer
        # WAL + NORMAL: a commit is not fsynced (the WAL is, at checkpoints); the database stays
        # consistent, and a power cut can lose only the last audit rows, not corrupt them.
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _is_memory(dbapi_connection: Any) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return any(row[1] == "main" and not row[2] for row in rows)
