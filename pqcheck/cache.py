"""A content-addressed file cache for downloaded documents: ``<root>/ab/abcdef....<ext>``."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

DEFAULT_ROOT_NAME = "pqcheck-files"


class FileCache:
    """Stores bytes under their SHA-256; the same content is stored once."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @classmethod
    def beside(cls, db_path: str | Path) -> FileCache:
        """The default cache: a folder next to the database file."""
        db_path = Path(db_path)
        return cls(db_path.parent / f"{db_path.stem}-files")

    def path_for(self, sha256: str, suffix: str = "") -> Path:
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def find(self, sha256: str) -> Path | None:
        """The stored file with this SHA-256 (whatever its suffix), or None."""
        folder = self.root / sha256[:2]
        if len(sha256) != 64 or sha256.strip("0123456789abcdef") or not folder.is_dir():
            return None
        return next((path for path in sorted(folder.glob(f"{sha256}*")) if path.is_file()), None)

    def put(self, content: bytes, suffix: str = "") -> tuple[str, Path]:
        """Store ``content`` (atomically) and return its SHA-256 and path."""
        sha256 = hashlib.sha256(content).hexdigest()
        path = self.path_for(sha256, suffix)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, path)
        return sha256, path

    def keep(self, source: Path, sha256: str) -> Path:
        """A copy of the file ``source`` (whose content has ``sha256``) in the cache, copied
        atomically unless the cache already holds that content; returns its path."""
        found = self.find(sha256)
        if found is not None:
            return found
        path = self.path_for(sha256, source.suffix.lower()[:16])
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as handle, source.open("rb") as original:
                shutil.copyfileobj(original, handle, 1 << 20)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path
