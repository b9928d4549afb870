"""Benchmark aks-backup-lint against checkov and python-hcl2, and write bench/RESULTS.md.

    python bench/run.py                      # large estate (about 9,500 files), all cases
    python bench/run.py --size small         # a quick check that the harness works
    python bench/run.py --skip-checkov       # ours and the parser only

What it does, in one run so that ratios compare like with like on a noisy machine:

1. installs checkov into its own virtual environment ``bench/out/checkov-venv`` with pip if it is
   not there yet (PyPI must be reachable the first time);
2. generates the synthetic estate (``bench/generate.py``) and uses ``../shared/corpus`` if present;
3. runs every case as a subprocess and records wall time, CPU time (user + system of the process
   and its children, from ``os.wait4``) and peak memory (the largest sum of the RSS of the process
   tree, sampled every 50 ms, so a worker pool counts in full);
4. times python-hcl2's own parse of the same Terraform files (serial, in one process, grammar
   already loaded) so we know how close to the parser's limit a scan is;
5. writes the Markdown table, the machine and the versions to ``bench/RESULTS.md``.

"Cold" means an empty parse cache (python-hcl2's grammar cache, built once per install, is kept);
"warm" means a second run over unchanged files. Times are never asserted anywhere: they are
measurements to read, and ``bench/README.md`` says how.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
CORPUS = REPO.parent / "shared" / "corpus"
CHECKOV_VENV = OUT / "checkov-venv"
TIMEOUT = 3600

sys.path.insert(0, str(HERE))
import generate  # noqa: E402


@dataclass
class Measure:
    """One subprocess run."""

    wall: float
    cpu: float
    rss_mb: float
    rc: int
    timed_out: bool = False


@dataclass
class Case:
    name: str
    ours: list[Measure] = field(default_factory=list)
    peer: list[Measure] = field(default_factory=list)
    note: str = ""
    target: str = ""


def _pss_kb(pid: int, rss_kb: int) -> int:
    """Proportional set size: shared pages (a forked worker's copy-on-write memory) counted once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss_kb


def _tree_rss_kb(root: int) -> int:
    """Sum of PSS (else RSS) over ``root`` and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
            parents[pid] = int(stat[1])
            rss[pid] = int(stat[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, IndexError, ValueError):
            continue
    total, stack, seen = 0, [root], set()
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _pss_kb(pid, rss.get(pid, 0))
        stack.extend(children.get(pid, ()))
    return total


def measure(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = TIMEOUT
) -> Measure:
    """Run ``cmd`` with output discarded; wall, CPU and peak tree RSS."""
    full_env = {**os.environ, **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=full_env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline and not timed_out:
            proc.kill()
            timed_out = True
        time.sleep(0.005)
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss_mb = max(peak[0], usage.ru_maxrss) / 1024
    return Measure(wall, usage.ru_utime + usage.ru_stime, rss_mb, proc.returncode, timed_out)


def repeat(cmd: list[str], n: int, **kw: object) -> list[Measure]:
    return [measure(cmd, **kw) for _ in range(n)]  # type: ignore[arg-type]


def median(ms: list[Measure], attr: str) -> float:
    return statistics.median(getattr(m, attr) for m in ms) if ms else float("nan")


# --- tools -----------------------------------------------------------------------------------


def ensure_checkov() -> Path | None:
    """checkov in its own venv under bench/out (installed with pip on first use)."""
    exe = CHECKOV_VENV / "bin" / "checkov"
    if exe.exists():
        return exe
    print("installing checkov into", CHECKOV_VENV, file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run(
            [str(CHECKOV_VENV / "bin" / "pip"), "install", "-q", "checkov"], check=True, timeout=1800
        )
    except (subprocess.SubprocessError, OSError) as e:
        print(f"checkov could not be installed: {e}", file=sys.stderr)
        return None
    return exe if exe.exists() else None


def ours_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "aks-backup-lint"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "linter.cli"]


def checkov_args(exe: Path, frameworks: list[str], targets: list[Path], file_mode: bool = False) -> list[str]:
    cmd = [str(exe)]
    for t in targets:
        cmd += ["-f" if file_mode else "-d", str(t)]
    cmd += ["--framework", *frameworks, "--quiet", "--compact", "-o", "json", "--skip-download"]
    return cmd


def version_of(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


HCL2_SNIPPET = r"""
import gc, json, sys, time
from pathlib import Path
import hcl2
files = [Path(p) for p in json.load(open(sys.argv[1]))]
texts = [f.read_text(encoding="utf-8") for f in files]
hcl2.loads("x = 1\n")  # grammar load is not parse time
if sys.argv[2] == "nogc":
    gc.disable()
t = time.perf_counter()
for text in texts:
    hcl2.loads(text)
print(json.dumps({"parse": time.perf_counter() - t, "bytes": sum(len(x) for x in texts)}))
"""


def hcl2_parse_time(files: list[Path], mode: str) -> tuple[float, int]:
    """python-hcl2's own serial parse of ``files`` (``hcl2.loads``), grammar already built."""
    lst = OUT / "hcl2-files.json"
    lst.write_text(json.dumps([str(f) for f in files]))
    out = subprocess.run(
        [sys.executable, "-c", HCL2_SNIPPET, str(lst), mode], capture_output=True, text=True, check=True
    )
    data = json.loads(out.stdout)
    return float(data["parse"]), int(data["bytes"])


# --- report ----------------------------------------------------------------------------------


def fmt(ms: list[Measure], attr: str, unit: str) -> str:
    if not ms:
        return "–"
    if any(m.timed_out for m in ms):
        return f"> {median(ms, attr):.0f} {unit} (stopped)" if attr == "wall" else "stopped"
    v = median(ms, attr)
    return f"{v:.2f} {unit}" if unit == "s" else f"{v:.0f} {unit}"


def ratio(case: Case) -> str:
    if case.peer and case.ours and any(m.timed_out for m in case.peer):
        return f"> {median(case.peer, 'wall') / median(case.ours, 'wall'):.0f}×"
    if not case.ours or not case.peer or any(m.timed_out for m in case.peer + case.ours):
        return "–"
    return f"{median(case.peer, 'wall') / median(case.ours, 'wall'):.1f}×"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return (
        f"{platform.platform()}, {cpus} CPUs ({cpu}), {mem} RAM, Python {platform.python_version()}; "
        f"load average at start {load[0]:.1f}"
    )


def write_results(
    path: Path,
    cases: list[Case],
    size: str,
    counts: dict[str, int],
    versions: dict[str, str],
    notes: list[str],
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run.py --size {size}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"Machine: {machine()}.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
        f"Estate `{size}`: " + ", ".join(f"{v} {k} files" for k, v in counts.items()) + ".",
        "",
        "Wall and CPU are medians over the runs shown; CPU is user+system of the process tree; "
        "memory is the peak PSS (RSS with shared pages counted once) summed over the process tree. "
        "Ratio = checkov wall / ours wall.",
        "",
        "| case | runs | ours wall | ours CPU | ours peak memory | checkov wall | checkov CPU | checkov peak memory "
        "| ratio | target | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in cases:
        runs = f"{len(c.ours)}/{len(c.peer)}"
        lines.append(
            f"| {c.name} | {runs} | {fmt(c.ours, 'wall', 's')} | {fmt(c.ours, 'cpu', 's')} | "
            f"{fmt(c.ours, 'rss_mb', 'MB')} | {fmt(c.peer, 'wall', 's')} | {fmt(c.peer, 'cpu', 's')} | "
            f"{fmt(c.peer, 'rss_mb', 'MB')} | {ratio(c)} | {c.target} | {c.note} |"
        )
    lines += ["", *notes, ""]
    path.write_text("\n".join(lines))


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(generate.SIZES), default="large")
    parser.add_argument("--skip-checkov", action="store_true")
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--runs", type=int, default=5, help="runs of the short cases (median reported)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also run the Terraform cases with --hcl-parser python-hcl2 (the parser before issue 15)",
    )
    parser.add_argument(
        "--peer-timeout", type=float, default=900, help="seconds before a checkov run is stopped"
    )
    parser.add_argument(
        "--cases",
        default="version,file,module,terraform,arm,kubernetes,all,corpus,tfcorpus,bigfile",
        help="comma-separated subset of: version,file,module,terraform,arm,kubernetes,all,corpus,"
        "tfcorpus,bigfile",
    )
    args = parser.parse_args(argv)
    wanted = set(args.cases.split(","))

    OUT.mkdir(parents=True, exist_ok=True)
    estate = generate.generate(args.size)
    counts = json.loads((estate / "COUNTS.json").read_text())
    checkov = None if args.skip_checkov else ensure_checkov()
    ours = ours_cmd()
    cache_root = OUT / "cache"
    env = {"AKS_BACKUP_LINT_CACHE_DIR": str(cache_root)}

    def cold() -> None:
        """Empty every cache: Terraform parse trees and the other languages' evaluated stacks."""
        shutil.rmtree(cache_root, ignore_errors=True)

    # python-hcl2's grammar cache is an install-time artefact: build it before measuring
    subprocess.run(
        [*ours, "check", str(estate / "terraform" / "team00" / "cluster-00000")],
        env={**os.environ, **env},
        capture_output=True,
    )

    tf = estate / "terraform"
    module = tf / "team00" / "cluster-00000"
    one_file = module / "main.tf"
    cases: list[Case] = []
    notes: list[str] = []
    log = lambda msg: print(time.strftime("%H:%M:%S"), msg, file=sys.stderr, flush=True)  # noqa: E731

    if "version" in wanted:
        log("--version")
        c = Case("`--version`", target="< 0.15 s")
        c.ours = repeat([*ours, "--version"], args.runs, env=env)
        if checkov:
            c.peer = repeat([str(checkov), "--version"], 3)
        cases.append(c)

    if "file" in wanted:
        log("one file")
        c = Case("one Terraform file, warm cache (pre-commit)", target="< 0.35 s, ≥ 8×")
        measure([*ours, "check", str(one_file)], env=env)
        c.ours = repeat([*ours, "check", str(one_file)], args.runs, env=env)
        if checkov:
            c.peer = repeat(checkov_args(checkov, ["terraform"], [one_file], file_mode=True), 3)
        cases.append(c)
        c = Case("one Terraform file, `--no-cache`", target="< 0.35 s")
        c.ours = repeat([*ours, "check", "--no-cache", str(one_file)], args.runs, env=env)
        c.peer = cases[-1].peer
        cases.append(c)

    if "module" in wanted:
        log("one module")
        c = Case("one Terraform module (5 files)")
        c.ours = repeat([*ours, "check", "--no-cache", str(module)], args.runs, env=env)
        if checkov:
            c.peer = repeat(checkov_args(checkov, ["terraform"], [module]), 3)
        cases.append(c)

    big = [
        ("Terraform", tf, ["terraform"]),
        ("ARM", estate / "arm", ["arm"]),
        ("Kubernetes", estate / "kubernetes", ["kubernetes"]),
    ]
    peer_timeout = args.peer_timeout
    for label, path, fw in big:
        if label.lower() not in wanted:
            continue
        log(f"estate {label}")
        c = Case(f"{args.size} estate: {label} only, cold", target="≥ 5×")
        cold()
        c.ours = [measure([*ours, "check", "-q", str(path)], env=env)]
        if checkov:
            c.peer = [measure(checkov_args(checkov, fw, [path]), timeout=peer_timeout)]
        cases.append(c)
        w = Case(f"{args.size} estate: {label} only, warm", target="≥ 10× faster than cold")
        w.ours = [measure([*ours, "check", "-q", str(path)], env=env)]
        w.peer = c.peer
        w.note = f"{median(c.ours, 'wall') / median(w.ours, 'wall'):.1f}× faster than cold"
        cases.append(w)
        if label != "Terraform":
            continue
        if args.reference:
            r = Case(f"{args.size} estate: Terraform only, cold, `--hcl-parser python-hcl2`", target="before")
            cold()
            r.ours = [measure([*ours, "check", "-q", "--hcl-parser", "python-hcl2", str(path)], env=env)]
            r.peer = c.peer
            r.note = "the reference parser, as every scan ran before issue 15"
            cases.append(r)
        select = ["check", "-q", "--select", "AKSB000", str(path)]
        n = Case(f"{args.size} estate: Terraform, cold, no rules (`--select AKSB000`)", target="≤ 1.5× hcl2")
        cold()
        n.ours = [measure([*ours, *select], env=env)]
        n.note = "parse + evaluate + link on both cores"
        cases.append(n)
        nw = Case(f"{args.size} estate: Terraform, warm, no rules (`--select AKSB000`)")
        nw.ours = [measure([*ours, *select], env=env)]
        nw.note = f"{median(n.ours, 'wall') / median(nw.ours, 'wall'):.1f}× faster than cold"
        cases.append(nw)
        n1 = Case(f"{args.size} estate: Terraform, cold, no rules, one process (`AKS_BACKUP_LINT_JOBS=1`)")
        cold()
        n1.ours = [measure([*ours, *select], env={**env, "AKS_BACKUP_LINT_JOBS": "1"})]
        n1.note = "compare with the two-core no-rules row: what the process pool gives"
        cases.append(n1)

        log("hcl2 parse-only")
        tf_files = sorted(p for p in tf.rglob("*") if p.suffix in (".tf", ".tfvars"))
        parse_gc, nbytes = hcl2_parse_time(tf_files, "gc")
        parse_nogc, _ = hcl2_parse_time(tf_files, "nogc")
        notes.append(
            f"python-hcl2 {dist_version('python-hcl2')} `hcl2.loads` on the same {len(tf_files)} Terraform "
            f"files ({nbytes / 1e6:.1f} MB), serial, grammar loaded: **{parse_gc:.2f} s** with the default GC, "
            f"{parse_nogc:.2f} s with GC off. Our cold Terraform scan is "
            f"**{median(c.ours, 'wall') / parse_gc:.2f}×** that parse time with all rules "
            f"and **{median(n.ours, 'wall') / parse_gc:.2f}×** without rules (target ≤ 1.5×)."
        )

    if "all" in wanted:
        log("estate all")
        paths = [p for _, p, _ in big]
        c = Case(f"{args.size} estate: Terraform + ARM + Kubernetes, cold", target="≥ 5×, < 1 GB")
        cold()
        c.ours = [measure([*ours, "check", "-q", *map(str, paths)], env=env)]
        if checkov:
            c.peer = [
                measure(
                    checkov_args(checkov, ["terraform", "arm", "kubernetes"], paths), timeout=peer_timeout
                )
            ]
        cases.append(c)
        w = Case(f"{args.size} estate: Terraform + ARM + Kubernetes, warm", target="≥ 10× faster than cold")
        w.ours = [measure([*ours, "check", "-q", *map(str, paths)], env=env)]
        w.peer = c.peer
        w.note = f"{median(c.ours, 'wall') / median(w.ours, 'wall'):.1f}× faster than cold"
        cases.append(w)

    if "corpus" in wanted and not args.skip_corpus and CORPUS.is_dir():
        log("corpus")
        for label, sub, fw in (("ARM", "arm", ["arm"]), ("Kubernetes", "k8s", ["kubernetes"])):
            c = Case(f"`../shared/corpus/{sub}` ({label}), cold")
            cold()
            c.ours = [measure([*ours, "check", "-q", str(CORPUS / sub)], env=env)]
            if checkov:
                c.peer = [measure(checkov_args(checkov, fw, [CORPUS / sub]), timeout=peer_timeout)]
            cases.append(c)
            w = Case(f"`../shared/corpus/{sub}` ({label}), warm")
            w.ours = [measure([*ours, "check", "-q", str(CORPUS / sub)], env=env)]
            w.peer = c.peer
            cases.append(w)

    if "corpus" in wanted and not args.skip_corpus and CORPUS.is_dir():
        log("whole corpus")
        everything = [*ours, "check", "-q", str(CORPUS)]
        n = Case("all of `../shared/corpus` (every language), `--no-cache`")
        n.ours = [measure([*ours, "check", "-q", "--no-cache", str(CORPUS)], env=env)]
        cases.append(n)
        c = Case(
            "all of `../shared/corpus`, cold (empty cache: fills it)", target="not slower than `--no-cache`"
        )
        cold()
        c.ours = [measure(everything, env=env)]
        c.note = f"{median(c.ours, 'wall') / median(n.ours, 'wall'):.2f}× the `--no-cache` time"
        cases.append(c)
        w = Case("all of `../shared/corpus`, warm", target="≥ 10× faster than cold")
        w.ours = repeat(everything, args.runs, env=env)
        w.note = f"{median(c.ours, 'wall') / median(w.ours, 'wall'):.1f}× faster than cold"
        cases.append(w)

    if "tfcorpus" in wanted and not args.skip_corpus and CORPUS.is_dir():
        log("Terraform corpus")
        tf_corpus = CORPUS / "tf"
        c = Case("`../shared/corpus/tf` (Terraform), cold", target="≤ 0.5× hcl2 parse")
        for _ in range(args.runs):  # a few seconds each: the median of several, the cache emptied each time
            cold()
            c.ours.append(measure([*ours, "check", "-q", str(tf_corpus)], env=env))
        cases.append(c)
        n = Case("`../shared/corpus/tf` (Terraform), `--no-cache`")
        n.ours = repeat([*ours, "check", "-q", "--no-cache", str(tf_corpus)], args.runs, env=env)
        cases.append(n)
        corpus_files = sorted(p for p in tf_corpus.rglob("*") if p.suffix in (".tf", ".tfvars"))
        parse_gc, nbytes = hcl2_parse_time(corpus_files, "gc")
        c.note = n.note = (
            f"{median(c.ours, 'wall') / parse_gc:.2f}× / {median(n.ours, 'wall') / parse_gc:.2f}× hcl2"
        )
        notes.append(
            f"python-hcl2 `hcl2.loads` on the {len(corpus_files)} files of `../shared/corpus/tf` "
            f"({nbytes / 1e6:.1f} MB), serial, grammar loaded: **{parse_gc:.2f} s**. Our whole scan of them "
            f"(discovery, parse, evaluation, rules, report) is **{median(c.ours, 'wall') / parse_gc:.2f}×** "
            f"that with a cold cache and {median(n.ours, 'wall') / parse_gc:.2f}× with `--no-cache` "
            "(target ≤ 0.5×)."
        )

    if "bigfile" in wanted:
        log("10 MB file")
        big = generate.write_big_file(10_000_000).parent
        c = Case("one 10 MB `.tf` of ordinary resources, `--no-cache`", target="< 5 s, < 300 MB")
        c.ours = [measure([*ours, "check", "-q", "--no-cache", str(big)], env=env)]
        text = (big / "main.tf").read_text()
        c.note = f"{len(text.encode()) / 1e6:.1f} MB, {text.count(chr(10)):,} lines, {text.count('resource ')} resources"
        cases.append(c)
        cold()
        measure([*ours, "check", "-q", str(big)], env=env)  # fills the cache
        w = Case("one 10 MB `.tf`, warm cache")
        w.ours = [measure([*ours, "check", "-q", str(big)], env=env)]
        cases.append(w)
        if args.reference:
            r = Case("one 10 MB `.tf`, `--no-cache --hcl-parser python-hcl2`", target="before")
            r.ours = [
                measure(
                    [*ours, "check", "-q", "--no-cache", "--hcl-parser", "python-hcl2", str(big)], env=env
                )
            ]
            r.note = "the reference parser, as before issue 15"
            cases.append(r)

    versions = {
        "aks-backup-lint": version_of([*ours, "--version"]).split()[-1],
        "checkov": version_of([str(checkov), "--version"]) if checkov else "not run",
        "python-hcl2": dist_version("python-hcl2"),
        "tree-sitter": dist_version("tree-sitter"),
        "tree-sitter-hcl": dist_version("tree-sitter-hcl"),
        "PyYAML": dist_version("PyYAML"),
    }
    notes.append(
        "Exit codes are not part of the comparison (both tools exit 1 on findings). "
        "checkov runs with `--quiet --compact -o json --skip-download --framework …`; "
        "ours with `check -q` and the parse cache in `bench/out/cache`."
    )
    write_results(args.results, cases, args.size, counts, versions, notes)
    print(args.results.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
