"""Backup and restore of a store and its archive, into one tar file.

    disinfowatch backup monitor-2026-12-02.tar.gz              # safe while the monitor runs
    disinfowatch restore monitor-2026-12-02.tar.gz --db sqlite:///restored.db

The tar holds ``manifest.json`` (what it is, when, from which dialect), the database, and the
archived raw bytes (``archive/``, content-addressed, so the evidence comes back with the cases).
SQLite is copied with SQLite's online backup API, page by page in one consistent snapshot while
other connections keep writing; PostgreSQL with ``pg_dump --format=custom`` (a consistent snapshot
too) and restored with ``pg_restore --clean --if-exists --no-owner``. Restoring into SQLite refuses
to overwrite an existing file unless told to; restoring into PostgreSQL replaces the objects of the
backup in the target database.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url

from .errors import InvalidAction, StoreError
from .settings import Settings, archive_dir

FORMAT = 1


def _sqlite_path(db: str) -> Path:
    database = make_url(db).database
    if not database or database == ":memory:":
        raise InvalidAction("an in-memory SQLite store cannot be backed up or restored")
    return Path(database)


def _libpq(db: str) -> tuple[str, dict]:
    """The URL as libpq tools take it (no driver suffix, no password: that goes in the child's
    environment, out of the process list) and the environment to run them in."""
    url = make_url(db).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600, env=env)
    except subprocess.TimeoutExpired:
        raise StoreError(f"{what} did not finish within an hour") from None
    if done.returncode != 0:
        raise StoreError(f"{what} failed: {done.stderr.strip()[:500]}")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise StoreError(f"{name} is not installed (apt-get install postgresql-client); it is needed for "
                         "PostgreSQL backups")
    return path


def backup(settings: Settings, target: str | Path, *, archive: bool = True) -> dict:
    """Write a backup of the store (and its archive) to ``target`` (.tar, .tar.gz or .tgz)."""
    target = Path(target)
    dialect = "sqlite" if settings.db.startswith("sqlite") else "postgresql"
    files = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if dialect == "sqlite":
            source = _sqlite_path(settings.db)
            if not source.exists():
                raise InvalidAction(f"no SQLite store at {source}")
            database = work / "store.db"
            src, dst = sqlite3.connect(str(source), timeout=60), sqlite3.connect(str(database))
            try:
                src.backup(dst, pages=-1)  # online, in one step: a consistent snapshot while others write
            finally:
                src.close()
                dst.close()
        else:
            database = work / "store.pgdump"
            url, env = _libpq(settings.db)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", f"--file={database}",
                  f"--dbname={url}"], env, "pg_dump")
        manifest = {"format": FORMAT, "dialect": dialect, "database": database.name,
                    "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "archive": archive}
        mode = "w:gz" if target.name.endswith((".gz", ".tgz")) else "w"
        partial = target.with_name(target.name + ".partial")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            files = _write_tar(partial, mode, manifest, database, archive_dir(settings) if archive else None)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, target)
    return {"file": str(target), "dialect": dialect, "archived_files": files, "bytes": target.stat().st_size}


def _write_tar(partial: Path, mode: str, manifest: dict, database: Path, folder: Path | None) -> int:
    """The manifest, the database and the archive's files (those a writer is still writing, named
    .tmp-*, or gone by the time they are read, are left out: they are not evidence yet)."""
    files = 0
    with tarfile.open(partial, mode) as tar:
        data = json.dumps(manifest, indent=2).encode("utf-8")
        info = tarfile.TarInfo("manifest.json")
        info.size, info.mtime = len(data), int(datetime.now().timestamp())
        tar.addfile(info, io.BytesIO(data))
        tar.add(database, arcname=database.name)
        if folder is not None and folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if not path.is_file() or path.name.startswith(".tmp-"):
                    continue
                try:
                    tar.add(path, arcname=f"archive/{path.relative_to(folder).as_posix()}")
                except FileNotFoundError:
                    continue
                files += 1
    return files


def restore(settings: Settings, source: str | Path, *, force: bool = False) -> dict:
    """Restore a backup into the store the settings name (and its archive folder)."""
    source = Path(source)
    if not source.is_file():
        raise InvalidAction(f"no backup at {source}")
    dialect = "sqlite" if settings.db.startswith("sqlite") else "postgresql"
    try:
        tar = tarfile.open(source, "r:*")
    except tarfile.TarError as exc:
        raise InvalidAction(f"{source} is not a disinfowatch backup: {exc}") from None
    with tar, tempfile.TemporaryDirectory() as tmp:
        try:
            manifest = json.load(tar.extractfile("manifest.json"))
            if not isinstance(manifest, dict):
                raise ValueError("not an object")
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise InvalidAction(f"{source} is not a disinfowatch backup (no readable manifest.json: {exc})") from None
        if manifest.get("database") not in ("store.db", "store.pgdump"):
            raise InvalidAction(f"{source}: the manifest names no database of this program")
        if manifest.get("format") != FORMAT:
            raise InvalidAction(f"backup format {manifest.get('format')!r}; this version reads {FORMAT}")
        if manifest["dialect"] != dialect:
            raise InvalidAction(f"the backup is of a {manifest['dialect']} store; restore it into one "
                                f"(--db), not into {dialect}")
        members = [m for m in tar.getmembers() if m.isfile()]
        for member in members:  # nothing may land outside the folder (hostile or damaged tar)
            if member.name.startswith("/") or ".." in Path(member.name).parts:
                raise InvalidAction(f"{source}: unsafe path in the backup: {member.name!r}")
        tar.extractall(tmp, members=members, filter="data")
        work = Path(tmp)
        database = work / manifest["database"]
        if not database.is_file():
            raise InvalidAction(f"{source} holds no {manifest['database']}: the backup is incomplete")
        if dialect == "sqlite":
            target = _sqlite_path(settings.db)
            if target.exists() and not force:
                raise InvalidAction(f"{target} exists; restore elsewhere (--db) or replace it (--force)")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            shutil.copyfile(database, partial)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(partial, target)
        else:
            url, env = _libpq(settings.db)
            _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
                  f"--dbname={url}", str(database)], env, "pg_restore")
        files = 0
        folder = archive_dir(settings)
        for path in sorted((work / "archive").rglob("*")) if (work / "archive").is_dir() else []:
            if path.is_file():
                destination = folder / path.relative_to(work / "archive")
                destination.parent.mkdir(parents=True, exist_ok=True)
                if not destination.exists():
                    shutil.copyfile(path, destination)
                files += 1
    return {"dialect": dialect, "created_at": manifest.get("created_at"), "archived_files": files}
