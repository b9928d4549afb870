"""Reading Terraform module directories and variable files, once each per run."""

from __future__ import annotations

from pathlib import Path

from linter.model import Finding, Known, Unknown, Value
from linter.stack import parse_error
from linter.terraform import hcl
from linter.terraform.evaluate import Evaluator
from linter.terraform.module import ModuleInstance, ModuleSource, attribute_value
from linter.textfile import read_text


class _Empty:
    """A scope with nothing in it: tfvars and variable defaults may not reference anything."""

    def lookup(self, name: str, span):  # type: ignore[no-untyped-def]
        return Unknown(f"{name} cannot be referenced here", span)


class TerraformLoader:
    """Parses each file once; collects AKSB000 findings; resolves module directories."""

    def __init__(self, max_bytes: int = 10 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._files: dict[Path, hcl.HclFile | None] = {}
        self._modules: dict[Path, ModuleSource | None] = {}
        self.diagnostics: list[Finding] = []
        self.files_read: list[Path] = []

    def parse(self, path: Path) -> hcl.HclFile | None:
        path = path.resolve()
        if path in self._files:
            return self._files[path]
        result: hcl.HclFile | None = None
        text, problem = read_text(path, self.max_bytes)
        if problem is not None:
            self.diagnostics.append(parse_error(path, problem.line, 1, problem.message))
        elif text is not None:
            self.files_read.append(path)
            try:
                result = hcl.parse_hcl(path, text)
            except hcl.HclError as e:
                self.diagnostics.append(parse_error(path, e.line, e.column, f"Terraform syntax error: {e}"))
        self._files[path] = result
        return result

    def module(self, directory: Path) -> ModuleSource | None:
        directory = directory.resolve()
        if directory not in self._modules:
            self._modules[directory] = None  # guards a module that calls itself
            if not directory.is_dir():
                return None
            files = sorted(p for p in directory.glob("*.tf") if p.is_file())
            if not files:
                return None
            source = ModuleSource(directory)
            for p in files:
                parsed = self.parse(p)
                if parsed is not None:
                    source.add(parsed)
            self._modules[directory] = source
        return self._modules[directory]

    def tfvars(self, paths: list[Path]) -> dict[str, Value]:
        """Variable values from tfvars files, later files winning (Terraform's precedence)."""
        values: dict[str, Value] = {}
        for p in paths:
            parsed = self.parse(p)
            if parsed is None:
                continue
            evaluator = Evaluator(_Empty())
            for name, attr in parsed.body.attributes.items():
                values[name] = attribute_value(evaluator, attr)
        return values

    def variable_values(self, source: ModuleSource, provided: dict[str, Value]) -> dict[str, Value]:
        """Each declared variable: the provided value, else its default, else unknown."""
        out: dict[str, Value] = {}
        for name, block in source.variables.items():
            if name in provided:
                out[name] = provided[name]
                continue
            default = block.body.attributes.get("default")
            if default is not None:
                v = attribute_value(Evaluator(_Empty()), default)
                out[name] = Known(v.value, default.span, v.via) if isinstance(v, Known) else v
            else:
                out[name] = Unknown(f"variable {name!r} has no default and no value", block.span)
        return out

    def root(self, directory: Path, var_files: list[Path]) -> ModuleInstance | None:
        source = self.module(directory)
        if source is None:
            return None
        auto = [directory / "terraform.tfvars"] if (directory / "terraform.tfvars").is_file() else []
        auto += sorted(p for p in directory.glob("*.auto.tfvars") if p.is_file())
        provided = self.tfvars(auto + list(var_files))
        return ModuleInstance(source, "", self.variable_values(source, provided), self)
