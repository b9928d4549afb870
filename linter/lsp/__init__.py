"""The language server (``aks-backup-lint lsp``): diagnostics and quick fixes in the editor.

pygls and lsprotocol are imported only here, when the ``lsp`` command runs, so ``check`` never
pays for them. ``server`` holds the protocol handlers, ``stacks`` finds what to re-evaluate
when a document changes, ``convert`` turns findings and fixes into LSP types.
"""

from __future__ import annotations


def serve() -> None:
    """Serve over stdin/stdout."""
    from linter.lsp.server import serve as run

    run()
