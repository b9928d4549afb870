"""Modules installed by ``terraform init``: the manifest ``.terraform/modules/modules.json``.

``terraform init`` downloads registry, git and other remote modules into ``.terraform/modules`` and
records each module call in the manifest (``internal/modsdir/manifest.go``): ``Key`` is the path of
call names from the root (``backup`` for ``module "backup"`` in the root, ``backup.vault`` for the
``module "vault"`` inside it; instance keys are not part of it), ``Source`` the source address as
normalised by Terraform, ``Dir`` the installed directory relative to the root module. With the
manifest, a remote module is evaluated like a local one; without it the call stays unresolved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

MANIFEST = Path(".terraform") / "modules" / "modules.json"
_REGISTRY_HOSTS = ("registry.terraform.io/", "registry.opentofu.org/")


@dataclass(frozen=True)
class InstalledModule:
    key: str
    source: str
    directory: Path


class ManifestError(Exception):
    """A manifest that is not the JSON ``terraform init`` writes."""


def read_manifest(root: Path) -> dict[str, InstalledModule] | None:
    """The installed modules of the root module in ``root``; None when it was never initialised."""
    path = root / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ManifestError(f"{path}: cannot be read ({e})") from None
    records = data.get("Modules") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise ManifestError(f'{path}: no "Modules" list')
    out: dict[str, InstalledModule] = {}
    for record in records:
        if not isinstance(record, dict):
            continue
        key, directory = record.get("Key"), record.get("Dir")
        if isinstance(key, str) and key and isinstance(directory, str) and directory:
            out[key] = InstalledModule(key, str(record.get("Source") or ""), root / Path(directory))
    return out


def same_source(configured: str, installed: str) -> bool:
    """Whether the manifest entry was installed from the source the call names now.

    Terraform normalises what it records (``Azure/aks/azurerm`` becomes
    ``registry.terraform.io/Azure/aks/azurerm``, ``github.com/a/b`` a ``git::https://`` URL), so
    only registry addresses are compared; any other source is taken as installed from the call.
    """
    if not installed or "::" in configured or "://" in configured:
        return True
    address = configured.split("//", 1)[0]
    parts = address.split("/")
    if len(parts) not in (3, 4) or any(not p for p in parts) or (len(parts) == 3 and "." in parts[0]):
        return True  # not a registry address (github.com/a/b, a bucket, ...)
    return _registry(configured) == _registry(installed)


def _registry(source: str) -> str:
    source = source.strip().lower()
    for host in _REGISTRY_HOSTS:
        source = source.removeprefix(host)
    return source
