"""Fixes against source text (``linter.fixes``): exact where the text is a plain literal, absent
everywhere else; applied without touching any other byte; and the engine's overlay (an editor's
unsaved buffers) changes what every front end reads."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

from expectations import FIXTURES

from linter.autofix import encode_like
from linter.engine import run
from linter.fixes import apply, resolve
from linter.model import Edit, Fix, Span
from linter.options import Options


def value_fix(file: str, line: int, column: int, end_column: int, old: str, new: str) -> Fix:
    return Fix("d", (Edit(Span(file, line, column, line, end_column), new, kind="value", old=old),))


def exact(fix: Fix | None) -> list[tuple[int, int, int, int, str, str]]:
    assert fix is not None
    return [
        (e.span.line, e.span.column, e.span.end_line, e.span.end_column, e.old, e.text) for e in fix.edits
    ]


# --- value replacements --------------------------------------------------------------------------


def value_span_fix(file: str, line_text: str, key: str, old: str, new: str) -> Fix:
    """A rule's fix for the ``key ... value`` entry on the first line of ``line_text``."""
    column = line_text.index(key) + 1
    end = len(line_text.split("\n")[0].split(" #")[0].rstrip().rstrip(",")) + 1
    return value_fix(file, 1, column, end, old, new)


def test_value_after_key_in_each_language() -> None:
    cases = [
        ("a.tf", '  account_kind = "Storage" # legacy\n', "account_kind", '"Storage"', '"StorageV2"'),
        ("t.json", '      "kind": "Storage",\n', '"kind"', '"Storage"', '"StorageV2"'),
        ("m.bicep", "  kind: 'Storage'\n", "kind", "'Storage'", "'StorageV2'"),
        (
            "s.yaml",
            "provisioner: kubernetes.io/azure-disk\n",
            "provisioner",
            "kubernetes.io/azure-disk",
            "disk.csi.azure.com",
        ),
        (
            "s.yaml",
            "provisioner: 'kubernetes.io/azure-disk'\n",
            "provisioner",
            "'kubernetes.io/azure-disk'",
            "'disk.csi.azure.com'",
        ),
    ]
    for file, text, key, written, replacement in cases:
        old, new = written.strip("'\""), replacement.strip("'\"")
        column = text.index(written) + 1
        assert exact(resolve(value_span_fix(file, text, key, old, new), text)) == [
            (1, column, 1, column + len(written), written, replacement)
        ], text


def test_no_fix_unless_the_span_holds_exactly_that_literal() -> None:
    cases = [
        ("a.tf", '  account_kind = lower("Storage")\n', "account_kind"),  # a function call
        ("a.tf", '  account_kind = "${local.kind}"\n', "account_kind"),  # interpolation
        ("a.tf", '  account_kind = "Stor\\x61ge"\n', "account_kind"),  # an escape sequence
        ("t.json", '      "kind": "[parameters(\'kind\')]"\n', '"kind"'),  # an ARM expression
        ("m.bicep", "  kind: '${kind}'\n", "kind"),  # Bicep interpolation
        ("a.tf", '  account_kind = "StorageV2"\n', "account_kind"),  # the file changed since
        ("a.tf", "  account_kind = var.kind\n", "account_kind"),  # a reference
    ]
    for file, text, key in cases:
        assert resolve(value_span_fix(file, text, key, "Storage", "StorageV2"), text) is None, text


def test_span_outside_the_text_gives_no_fix() -> None:
    assert resolve(value_fix("a.tf", 9, 3, 26, "Storage", "StorageV2"), 'kind = "Storage"\n') is None


# --- list elements -------------------------------------------------------------------------------


def remove(file: str, text: str, line: int, literal: str, old: str) -> str | None:
    column = text.splitlines()[line - 1].index(literal) + 1
    span = Span(file, line, column, line, column + len(literal))
    fix = resolve(Fix("d", (Edit(span, "", "remove-item", old),)), text)
    return None if fix is None else apply(text, [fix])[0]


def test_remove_element_keeps_the_list_valid() -> None:
    inline = 'included_namespaces = ["default", "kube-system", "apps"]\n'
    assert (
        remove("a.tf", inline, 1, '"kube-system"', "kube-system")
        == 'included_namespaces = ["default", "apps"]\n'
    )
    last = 'included_namespaces = ["default", "kube-system"]\n'
    assert remove("a.tf", last, 1, '"kube-system"', "kube-system") == 'included_namespaces = ["default"]\n'
    json_last = '  "includedNamespaces": [\n    "default",\n    "kube-system"\n  ]\n'
    assert remove("t.json", json_last, 3, '"kube-system"', "kube-system") == (
        '  "includedNamespaces": [\n    "default"\n  ]\n'
    )
    json_first = '  "includedNamespaces": [\n    "kube-system",\n    "default"\n  ]\n'
    assert remove("t.json", json_first, 2, '"kube-system"', "kube-system") == (
        '  "includedNamespaces": [\n    "default"\n  ]\n'
    )
    bicep_lines = "  includedNamespaces: [\n    'default'\n    'kube-system' // why\n  ]\n"
    assert remove("m.bicep", bicep_lines, 3, "'kube-system'", "kube-system") == (
        "  includedNamespaces: [\n    'default'\n  ]\n"
    )


def test_remove_checks_the_element_text() -> None:
    text = 'included_namespaces = ["default", "kube-public"]\n'
    assert remove("a.tf", text, 1, '"kube-public"', "kube-system") is None


# --- YAML keys -----------------------------------------------------------------------------------


def add_key(text: str, line: int, column: int) -> str | None:
    edit = Edit(
        Span("pv.yaml", line, column, line, column + 22),
        "managed-csi",
        "add-key",
        key="spec.storageClassName",
    )
    fix = resolve(Fix("d", (edit,)), text)
    return None if fix is None else apply(text, [fix])[0]


def test_add_key_at_the_siblings_indentation_keeping_crlf() -> None:
    text = "apiVersion: v1\r\nkind: PersistentVolume\r\nspec:\r\n    capacity:\r\n      storage: 1Gi\r\n"
    assert add_key(text, 2, 1) == (
        "apiVersion: v1\r\nkind: PersistentVolume\r\nspec:\r\n    storageClassName: managed-csi\r\n"
        "    capacity:\r\n      storage: 1Gi\r\n"
    )


def test_add_key_refuses_flow_mappings_and_existing_keys() -> None:
    assert add_key("apiVersion: v1\nkind: PersistentVolume\nspec: {capacity: {storage: 1Gi}}\n", 2, 1) is None
    assert add_key("apiVersion: v1\nkind: PersistentVolume\nspec:\n  storageClassName: x\n", 2, 1) is None


# --- applying ------------------------------------------------------------------------------------


def test_apply_skips_stale_and_overlapping_fixes() -> None:
    text = 'a = "x"\nb = "y"\n'
    first = Fix("one", (Edit(Span("f.tf", 1, 5, 1, 8), '"z"', old='"x"'),))
    overlapping = Fix("two", (Edit(Span("f.tf", 1, 6, 1, 7), "w", old="x"),))
    stale = Fix("three", (Edit(Span("f.tf", 2, 5, 2, 8), '"q"', old='"other"'),))
    new, applied = apply(text, [first, overlapping, stale])
    assert new == 'a = "z"\nb = "y"\n'
    assert applied == [first]


def test_encoding_is_kept() -> None:
    for mark, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (b"", "utf-8")):
        assert encode_like(mark + "kind: x\n".encode(codec), "kind: y\n") == mark + "kind: y\n".encode(codec)


def test_fix_through_a_variable_is_never_offered(tmp_path: Path) -> None:
    """The kind comes from a variable's default: the finding points there, without a fix."""
    root = tmp_path / "tf"
    shutil.copytree(FIXTURES / "storage-account-invalid" / "terraform", root)
    main = root / "main.tf"
    text = main.read_text()
    main.write_text(
        text.replace('account_kind             = "Storage"', "account_kind             = var.kind")
        + '\nvariable "kind" {\n  default = "Storage"\n}\n'
    )
    (finding,) = [f for f in run([root], Options(use_cache=False)).active if f.rule_id == "AKSB201"]
    assert finding.span.line == text.count("\n") + 3  # the default's line
    assert finding.fix is None


# --- the overlay: unsaved buffers, one test per language ------------------------------------------


def findings(path: Path, overlay: dict[Path, str] | None = None) -> set[tuple[str, str, int]]:
    report = run([path], Options(use_cache=False), overlay=overlay)
    return {(f.rule_id, Path(f.span.file).name, f.span.line) for f in report.active}


def test_overlay_changes_what_each_front_end_reads(tmp_path: Path) -> None:
    cases = [
        ("storage-account-invalid/terraform", "main.tf", '"Storage"', '"StorageV2"', "AKSB201"),
        ("storage-account-invalid/arm", "azuredeploy.json", '"Storage"', '"StorageV2"', "AKSB201"),
        ("storage-account-invalid/bicep", "main.bicep", "'Storage'", "'StorageV2'", "AKSB201"),
        (
            "volumes-stateful-app/kubernetes",
            "storage-classes.yaml",
            "kubernetes.io/azure-disk",
            "disk.csi.azure.com",
            "AKSB501",
        ),
    ]
    for fixture, name, old, new, rule in cases:
        root = tmp_path / fixture.replace("/", "-")
        shutil.copytree(FIXTURES / fixture, root)
        path = root / name
        on_disk = path.read_text()
        before = findings(root)
        assert any(r == rule and f == name for r, f, _ in before), (fixture, before)
        after = findings(root, {path.resolve(): on_disk.replace(old, new)})
        assert not any(r == rule and f == name for r, f, _ in after), (fixture, after)
        assert {x for x in before if x[0] != rule} == {x for x in after if x[0] != rule}
        assert path.read_text() == on_disk
