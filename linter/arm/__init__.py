"""ARM JSON front end: templates (+ parameter files) evaluated into canonical resources.

``load`` receives every ARM template and parameter file of the scan, pairs parameter files with
templates (``x.parameters.json`` with ``x.json``, and ``--param-file TEMPLATE=PARAMS``), evaluates
each template (``linter.arm.template``) and adapts the result (``linter.arm.adapt``). A file that
cannot be read or parsed becomes one AKSB000 finding; nothing escapes ``load``.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Any

from linter.arm.jsonpos import JsonError, PosDict, loads
from linter.frontend import LoadContext, LoadResult, parse_error
from linter.stackcache import FileView, StackCache
from linter.textfile import text_of

#: (0 for reading a file, 1 for evaluating a template; the file; what that gave)
Part = tuple[int, Path, LoadResult]


def load(files: list[Path], ctx: LoadContext) -> LoadResult:
    """Each directory's ARM files are one unit of the stack cache (``linter.stackcache``): its
    templates are paired with parameter files beside them (or given by ``--param-file``), so a
    directory's result depends on its own files and those parameter files only."""
    stacks = StackCache("arm", ctx)
    explicit = {Path(k).resolve(): Path(v).resolve() for k, v in ctx.param_files.items()}
    parts: list[Part] = []
    for directory, members in itertools.groupby(sorted(set(files), key=_by_directory), key=_directory):
        paths = list(members)
        paired = [(p, explicit[p.resolve()]) for p in paths if p.resolve() in explicit] if explicit else []
        identity = (str(directory), *map(str, paths), "--param-file", *(f"{t}={p}" for t, p in paired))
        parts.extend(stacks.evaluate(identity, functools.partial(_load_directory, paths, ctx, stacks.view)))
    stacks.save()
    result = LoadResult()
    for _, _, part in sorted(parts, key=lambda part: part[:2]):
        result.add(part)
    return result


def _directory(path: Path) -> Path:
    return path.parent


def _by_directory(path: Path) -> tuple[Path, Path]:
    return path.parent, path


def _load_directory(files: list[Path], ctx: LoadContext, view: FileView) -> list[Part]:
    """Read ``files`` (one directory's), pair them and evaluate every template."""
    parts: list[Part] = []
    templates: dict[Path, PosDict] = {}
    param_files: dict[Path, PosDict] = {}
    for path in files:
        read = LoadResult()
        doc = read_json(path, ctx, read, view)
        parts.append((0, path, read))
        if doc is None:
            continue
        if is_parameter_file(path, doc):
            param_files[path] = doc
        else:
            templates[path] = doc
    pairs = match_parameter_files(list(templates), list(param_files), ctx.param_files)
    for path, doc in templates.items():
        result = LoadResult()
        parts.append((1, path, result))
        try:
            from linter.arm.loader import evaluate_template

            pfile = pairs.get(path)
            pdoc = param_files.get(pfile) if pfile else None
            if pfile is not None and pdoc is None:
                pdoc = read_json(pfile, ctx, result, view)
            evaluate_template(path, doc, pdoc, ctx, result, "arm")
        except Exception as e:  # noqa: BLE001 - one template must never stop the others
            result.diagnostics.append(
                parse_error(path, 1, 1, f"could not evaluate template ({type(e).__name__}: {e})")
            )
    return parts


def read_json(path: Path, ctx: LoadContext, result: LoadResult, view: FileView) -> Any:
    """Parse a JSON/JSONC file with positions; problems become AKSB000 findings."""
    text, problem = text_of(view.read(path), ctx.max_file_bytes)
    result.files.append(path)
    if problem is not None:
        result.diagnostics.append(parse_error(path, problem.line, 1, problem.message))
        return None
    assert text is not None
    try:
        doc = loads(text, str(path))
    except JsonError as e:
        result.diagnostics.append(parse_error(path, e.line, e.column, f"invalid JSON: {e}"))
        return None
    if not isinstance(doc, PosDict):
        result.diagnostics.append(parse_error(path, 1, 1, "an ARM template must be a JSON object"))
        return None
    return doc


def is_parameter_file(path: Path, doc: dict) -> bool:
    schema = str(doc.get("$schema", "")).lower()
    if "deploymentparameters" in schema:
        return True
    if "deploymenttemplate" in schema:
        return False
    return ".parameters." in path.name.lower() and "resources" not in doc


def match_parameter_files(
    templates: list[Path], params: list[Path], explicit: dict[Path, Path]
) -> dict[Path, Path]:
    """template -> parameter file: ``--param-file`` first, then the naming convention."""
    out: dict[Path, Path] = {}
    resolved = {Path(k).resolve(): Path(v).resolve() for k, v in explicit.items()}
    by_resolved = {p.resolve(): p for p in params}
    for t in templates:
        chosen = resolved.get(t.resolve())
        if chosen is not None:
            out[t] = by_resolved.get(chosen, chosen)
            continue
        stem = t.name.rsplit(".", 1)[0].lower()
        for p in sorted(params):
            if p.parent != t.parent:
                continue
            name = p.name.lower()
            if name.startswith(stem + ".parameters.") or name == f"{stem}.parameters.json":
                out[t] = p
                break
    return out


__all__ = ["load", "match_parameter_files"]
