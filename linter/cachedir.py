"""The user cache directory (XDG), created on demand; never inside the scanned repository."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("AKS_BACKUP_LINT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    path = root / "aks-backup-lint" if not os.environ.get("AKS_BACKUP_LINT_CACHE_DIR") else root
    try:
        path.mkdir(parents=True, exist_ok=True)
        return path
    except OSError:
        fallback = (
            Path(tempfile.gettempdir())
            / f"aks-backup-lint-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
        )
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback
