#!/usr/bin/env python3
"""Real programs under dept: the runner behind Scripts/realworld.

Each program runs a small bounded workload twice, plainly and under dept
(`dept-cli run --` when the CLI works, else LD_PRELOAD=libdept.so), and the two
runs are compared: exit statuses and program output (or checksums of the
files it wrote). Every `DEPT:` line is collected, from the stderr of every
step and from the per-process report files (dept-cli's --log-dir, or
DEPT_OPTIONS log_path=<dir>/dept in the LD_PRELOAD fallback), and counted by
kind. A step that exceeds its time limit, or whose process tree uses no CPU
for --stall-seconds, is stopped after an all-thread backtrace of each of its
processes is taken with gdb (when gdb is installed).

Exit status: 0 when every program behaved the same under dept and nothing was
reported; 1 when a program differed, hung, or dept reported a (potential)
deadlock or hang; 2 for a setup error (no libdept.so, a missing tool).
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent          # Scripts/realworld.d
REPO = HERE.parent.parent                       # the checkout
PROGRAMS = ["pigz", "xz", "python", "sqlite", "redis", "make", "swift"]

REPORT_KINDS = ("potential", "deadlock", "hang")   # make the run fail
KIND_ORDER = ("potential", "deadlock", "hang", "stall", "warning", "other")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------
# Processes: trees, CPU use, backtraces, killing

def proc_children():
    """pid -> [child pids] for every process we can see."""
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def proc_tree(roots):
    kids = proc_children()
    seen, todo = [], list(roots)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        if os.path.exists(f"/proc/{p}"):
            seen.append(p)
        todo.extend(kids.get(p, []))
    return seen


def tree_cpu(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])   # utime + stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def proc_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:300]
    except OSError:
        return "?"


def dump_backtraces(pids, outdir, label):
    """All-thread backtraces of the given processes (gdb -p), one file each."""
    files = []
    gdb = shutil.which("gdb")
    outdir.mkdir(parents=True, exist_ok=True)
    for pid in pids[:10]:
        path = outdir / f"backtrace-{label}-{pid}.txt"
        header = f"pid {pid}: {proc_cmdline(pid)}\n"
        try:
            with open(f"/proc/{pid}/status") as f:
                header += "".join(l for l in f if l.startswith(("State", "Threads")))
        except OSError:
            pass
        if gdb is None:
            path.write_text(header + "(gdb is not installed: no backtrace; `apt-get install gdb`)\n")
            files.append(path)
            continue
        try:
            r = subprocess.run([gdb, "-p", str(pid), "-batch", "-nx",
                                "-ex", "set pagination off",
                                "-ex", "set print frame-arguments none",
                                "-ex", "thread apply all bt 60"],
                               stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               errors="replace", timeout=120)
            out = r.stdout
        except subprocess.TimeoutExpired:
            out = "(gdb timed out)\n"
        frames = [l for l in out.splitlines() if l.startswith(("#", "Thread "))]
        path.write_text(header + "\n".join(frames) + "\n")
        files.append(path)
    return files


def kill_tree(proc, pids):
    """Ends the processes this runner started: the step's process group (it
    was started in a session of its own), then any of its descendants that
    moved to another group."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


# --------------------------------------------------------------------------
# Running one step

class StepResult:
    def __init__(self, rc, elapsed, problem=None, backtraces=()):
        self.rc = rc                      # exit status, or -signal
        self.elapsed = elapsed
        self.problem = problem            # None, "timeout ..." or "stall ..."
        self.backtraces = list(backtraces)


def run_process(argv, *, cwd, env, stdin, stdout, stderr, timeout, stall, watch=(), btdir=None, label="step"):
    """Runs argv to completion (or until it times out or stalls)."""
    start = time.monotonic()
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as fin, \
            open(stdout, "wb") as fout, open(stderr, "wb") as ferr:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=fin, stdout=fout, stderr=ferr,
                                start_new_session=True)
        last_progress, last_state, next_check = start, None, start + 1
        problem = None
        while True:
            try:
                proc.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if now - start > timeout:
                problem = f"timeout after {timeout:.0f} s"
            elif now >= next_check:
                next_check = now + 1
                pids = proc_tree([proc.pid])
                state = (tuple(sorted(pids)), tree_cpu(pids))
                if state != last_state:
                    last_state, last_progress = state, now
                elif now - last_progress > stall:
                    problem = f"stalled: no CPU used and no process started for {stall:.0f} s"
            if problem:
                pids = proc_tree([proc.pid])
                bts = dump_backtraces(proc_tree(list(watch)) + pids, btdir, label) if btdir else []
                kill_tree(proc, proc_tree([proc.pid]))
                proc.wait()
                return StepResult(proc.returncode, time.monotonic() - start, problem, bts)
    return StepResult(proc.returncode, time.monotonic() - start)


# --------------------------------------------------------------------------
# dept: how to run under it, and what it said

class Dept:
    def __init__(self, library, cli):
        self.library = library
        self.cli = cli                    # path of a working dept-cli, or None

    def identity(self):
        st = os.stat(self.library)
        return (f"{self.library}, built {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(st.st_mtime))}, "
                f"sha256 {sha256_file(self.library)[:12]}")

    @property
    def how(self):
        if self.cli:
            return f"dept-cli run -- (with {self.library})"
        return f"LD_PRELOAD={self.library} directly"

    def wrap(self, argv, env, logdir):
        """argv and env that run argv under dept, reports going to logdir."""
        logdir.mkdir(parents=True, exist_ok=True)
        env = dict(env)
        if self.cli:
            env["DEPT_LIBRARY"] = self.library
            # --exitcode 0: the program's own exit status comes through even
            # when dept reported something (the reports are counted apart).
            return [self.cli, "run", "--exitcode", "0", "--log-dir", str(logdir),
                    "--output", str(logdir) + ".summary.txt", "--"] + list(argv), env
        env["LD_PRELOAD"] = ":".join([self.library] + [p for p in env.get("LD_PRELOAD", "").split(":") if p])
        opts = [o for o in [env.get("DEPT_OPTIONS", "")] if o]
        opts += [f"log_path={logdir}/dept", "verbosity=2", "exitcode=0"]
        env["DEPT_OPTIONS"] = ":".join(opts)
        return list(argv), env


def classify(line):
    if line.startswith("DEPT: potential deadlock"):
        return "potential"
    if line.startswith("DEPT: deadlock"):
        return "deadlock"
    if line.startswith("DEPT: hang"):
        return "hang"
    if line.startswith("DEPT: info:"):
        return "info"
    if line.startswith("DEPT: warning: stall"):
        return "stall"
    if line.startswith("DEPT: warning"):
        return "warning"
    return "other"


def collect_dept_lines(stderr_files, logdirs):
    """Every DEPT: line: from stderr files, and from report files (text
    lines, and the headline of JSON report lines)."""
    lines = []

    def scan(path):
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            return
        for raw in text.splitlines():
            s = raw.strip()
            if s.startswith("DEPT:"):
                lines.append(s)
            elif s.startswith("{") and '"dept-report"' in s[:60]:
                try:
                    obj = json.loads(s)
                except ValueError:
                    lines.append("DEPT: (unparsable JSON report line) " + s[:120])
                    continue
                head = obj.get("headline") or f"DEPT: {obj.get('kind', 'other')}: (no headline)"
                lines.append(head)

    for f in stderr_files:
        scan(f)
    for d in logdirs:
        if d.is_dir():
            for f in sorted(d.iterdir()):
                if f.is_file():
                    scan(f)
    return lines


# --------------------------------------------------------------------------
# The programs

class Run:
    """One run (plain or dept) of a program: its steps and what they left."""

    def __init__(self, prog, mode, runner):
        self.prog, self.mode, self.runner = prog, mode, runner
        self.dir = prog.dir / mode
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        self.elapsed = 0.0
        self.signature = []               # (label, value) compared between runs
        self.problems = []
        self.backtraces = []
        self.stderr_files = []
        self.logdirs = []
        self.nstep = 0

    def env(self):
        env = dict(os.environ)
        env["LC_ALL"] = "C"
        # A plain run is plain: no preload inherited from the caller.
        if "LD_PRELOAD" in env:
            keep = [p for p in env["LD_PRELOAD"].split(":") if p and "libdept" not in p]
            if keep:
                env["LD_PRELOAD"] = ":".join(keep)
            else:
                del env["LD_PRELOAD"]
        if self.mode == "plain":
            env.pop("DEPT_OPTIONS", None)
        return env

    def wrap(self, argv, env, tag):
        if self.mode == "plain":
            return list(argv), env
        d = self.dir / f"dept-{tag}"
        self.logdirs.append(d)
        return self.runner.dept.wrap(argv, env, d)

    def step(self, name, argv, *, cwd=None, stdin=None, stdout=None, timeout=None, watch=(), timed=True):
        """Runs one command (under dept in a dept run); returns (rc, stdout path)."""
        self.nstep += 1
        tag = f"{self.nstep}-{name}"
        out = Path(stdout) if stdout else self.dir / f"{tag}.stdout"
        err = self.dir / f"{tag}.stderr"
        self.stderr_files.append(err)
        argv2, env = self.wrap(argv, self.env(), tag)
        if timeout is None:
            timeout = self.runner.timeout_for(self.prog.name, name, self.mode)
        r = run_process(argv2, cwd=cwd or self.dir, env=env, stdin=stdin, stdout=out, stderr=err,
                        timeout=timeout, stall=self.runner.args.stall_seconds, watch=watch,
                        btdir=self.dir, label=tag)
        if timed:
            self.elapsed += r.elapsed
        self.runner.record_time(self.prog.name, name, self.mode, r.elapsed)
        if r.problem:
            self.problems.append(f"step '{name}' {r.problem}")
            self.backtraces += r.backtraces
        self.sig(f"{name}: exit status", r.rc)
        return r.rc, out

    def sig(self, label, value):
        self.signature.append((label, str(value)))


class Program:
    name = "?"
    workload = ""
    tools = ()

    def __init__(self, runner):
        self.runner = runner
        self.args = runner.args
        self.quick = runner.args.quick
        self.dir = runner.work / self.name
        self.dir.mkdir(parents=True, exist_ok=True)

    def missing(self):
        return [t for t in self.tools if not shutil.which(t)]

    def prepare(self):
        pass

    def run(self, r):
        raise NotImplementedError


def generate_data(path, megabytes, seed):
    """Half compressible text, half random bytes, deterministic per seed."""
    rng = random.Random(seed)
    with open(path, "wb") as f:
        for b in range(megabytes):
            base = b * 16000
            text = "\n".join(f"{i} {(i * 7919) % 1000003} record-{b}-{i % 97} {'abcdefgh'[i % 8] * (i % 13)}"
                             for i in range(base, base + 16000)).encode()
            f.write(text[:655360].ljust(655360, b"."))
            f.write(rng.randbytes(393216))


class Pigz(Program):
    name, tools = "pigz", ("pigz",)

    def prepare(self):
        self.mb = 10 if self.quick else 50
        self.workload = f"pigz -p 4 round trip of {self.mb} MB"
        self.data = self.dir / "data"
        generate_data(self.data, self.mb, 1)
        self.data_sum = sha256_file(self.data)

    def run(self, r):
        gz, back = r.dir / "data.gz", r.dir / "data.back"
        r.step("compress", ["pigz", "-p", "4", "-n", "-c"], stdin=self.data, stdout=gz)
        r.step("decompress", ["pigz", "-p", "4", "-d", "-c"], stdin=gz, stdout=back)
        r.sig("sha256 of data.gz", sha256_file(gz))
        r.sig("round trip", "identical" if sha256_file(back) == self.data_sum else "DIFFERENT from the input")
        gz.unlink(missing_ok=True)
        back.unlink(missing_ok=True)


class Xz(Program):
    name, tools = "xz", ("xz",)

    def prepare(self):
        self.mb = 4 if self.quick else 20
        self.workload = f"xz -T2 round trip of {self.mb} MB"
        self.data = self.dir / "data"
        generate_data(self.data, self.mb, 2)
        self.data_sum = sha256_file(self.data)

    def run(self, r):
        xz, back = r.dir / "data.xz", r.dir / "data.back"
        # 2 MiB blocks: both threads get work (level 3's default block is 12 MiB).
        r.step("compress", ["xz", "-T2", "-3", "--block-size=2MiB", "-c"], stdin=self.data, stdout=xz)
        r.step("decompress", ["xz", "-T2", "-d", "-c"], stdin=xz, stdout=back)
        r.sig("sha256 of data.xz", sha256_file(xz))
        r.sig("round trip", "identical" if sha256_file(back) == self.data_sum else "DIFFERENT from the input")
        xz.unlink(missing_ok=True)
        back.unlink(missing_ok=True)


class Python(Program):
    name = "python"

    def prepare(self):
        self.items = 40_000 if self.quick else 200_000
        self.python = self.runner.python
        self.workload = f"threading Lock/RLock/Condition/Semaphore/Queue, 4 threads, {self.items} items"

    def missing(self):
        return [] if self.runner.python else ["python3"]

    def run(self, r):
        rc, out = r.step("threads", [self.python, str(HERE / "pythreads.py"), str(self.items)])
        r.sig("stdout", out.read_text(errors="replace"))


class Sqlite(Program):
    name, tools = "sqlite", ("sqlite3", "cc")

    def prepare(self):
        self.rows = 2000 if self.quick else 10000
        self.workload = f"4 threads x {self.rows} inserts + selects, WAL, C program on libsqlite3"
        self.exe = self.dir / "sqlite_threads"
        cc = subprocess.run(["cc", "-O2", "-g", "-pthread", "-o", str(self.exe), str(HERE / "sqlite_threads.c"),
                             "-lsqlite3"], capture_output=True, text=True)
        if cc.returncode != 0:
            raise SetupError(f"cannot compile sqlite_threads.c (libsqlite3-dev missing?):\n{cc.stderr}")

    def run(self, r):
        db = r.dir / "test.db"
        rc, out = r.step("threads", [str(self.exe), str(db), str(self.rows)])
        r.sig("stdout", out.read_text(errors="replace"))
        rc, out = r.step("sqlite3-cli", ["sqlite3", str(db),
                                         "SELECT count(*), total(v), count(DISTINCT thread) FROM t;"
                                         "PRAGMA integrity_check; PRAGMA journal_mode;"])
        r.sig("sqlite3 stdout", out.read_text(errors="replace"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis(Program):
    name, tools = "redis", ("redis-server", "redis-cli", "redis-benchmark")

    def prepare(self):
        self.requests = 5000 if self.quick else 20000
        self.workload = f"redis-server on 127.0.0.1, redis-benchmark -n {self.requests} -c 10 -t set,get"

    def cli(self, port, *args):
        return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port)] + list(args),
                              capture_output=True, text=True, timeout=10, env=os.environ)

    def run(self, r):
        port = free_port()
        argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--protected-mode", "yes",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(r.dir),
                "--logfile", str(r.dir / "redis.log")]
        argv, env = r.wrap(argv, r.env(), "0-server")
        out, err = r.dir / "server.stdout", r.dir / "server.stderr"
        r.stderr_files.append(err)
        start = time.monotonic()
        with open(out, "wb") as fo, open(err, "wb") as fe:
            server = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                                      cwd=r.dir, start_new_session=True)
        try:
            self.exercise(r, server, port, start)
        finally:
            if server.poll() is None:
                kill_tree(server, proc_tree([server.pid]))
                server.wait()

    def exercise(self, r, server, port, start):
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                r.problems.append(f"redis-server exited at start-up with status {server.returncode}")
                r.sig("server", f"exited at start-up ({server.returncode})")
                r.elapsed += time.monotonic() - start
                return
            try:
                if self.cli(port, "ping").stdout.strip() == "PONG":
                    break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() > deadline:
                r.problems.append("redis-server did not answer PING within 30 s")
                r.backtraces += dump_backtraces(proc_tree([server.pid]), r.dir, "server-start")
                r.sig("server", "no PONG")
                r.elapsed += time.monotonic() - start
                return
            time.sleep(0.1)
        r.sig("server", "PONG")
        rc, out = r.step("benchmark", ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
                                       "-n", str(self.requests), "-c", "10", "-q", "-t", "set,get"],
                         watch=[server.pid], timed=False)
        text = out.read_text(errors="replace").replace("\r", "\n")
        done = sorted({m.group(1) for m in re.finditer(r"^(SET|GET): .*requests per second", text, re.M)})
        r.sig("benchmark finished", ",".join(done) or "none")
        if r.problems:
            # The benchmark hung: its backtraces include the server's. Stop here.
            r.elapsed += time.monotonic() - start
            return
        try:
            r.sig("dbsize", self.cli(port, "dbsize").stdout.strip())
            r.sig("value", self.cli(port, "get", "key:__rand_int__").stdout.strip())
            sd = self.cli(port, "shutdown", "nosave")
            r.sig("shutdown", f"status {sd.returncode}")
        except subprocess.TimeoutExpired:
            r.problems.append("redis-cli timed out (10 s) talking to the server")
            r.backtraces += dump_backtraces(proc_tree([server.pid]), r.dir, "server")
            r.elapsed += time.monotonic() - start
            r.sig("server exit status", "(killed: not answering)")
            return
        try:
            rc = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            r.problems.append("redis-server did not exit within 30 s of `shutdown nosave`")
            r.backtraces += dump_backtraces(proc_tree([server.pid]), r.dir, "server-exit")
            kill_tree(server, proc_tree([server.pid]))
            rc = server.wait()
        r.elapsed += time.monotonic() - start
        r.sig("server exit status", rc)


class Make(Program):
    name, tools = "make", ("make", "cc", "ar")

    def prepare(self):
        self.files = 50 if self.quick else 200
        self.workload = f"make -j2, {self.files} generated C files + ar + link"
        self.template = self.dir / "template"
        if self.template.exists():
            shutil.rmtree(self.template)
        (self.template / "src").mkdir(parents=True)
        (self.template / "gen.h").write_text(
            "#include <stdint.h>\n" + "".join(f"uint32_t f{i:03d}(uint32_t);\n" for i in range(self.files)))
        for i in range(self.files):
            (self.template / "src" / f"f{i:03d}.c").write_text(f"""#include "../gen.h"
static const uint32_t table[16] = {{{", ".join(str((i * 2654435761 + k * 40503) % 65521) for k in range(16))}}};
struct pair {{ uint32_t a, b; }};
static uint32_t mix(struct pair p) {{ return (p.a * 2246822519u) ^ (p.b >> 3) ^ {i}u; }}
uint32_t f{i:03d}(uint32_t x) {{
    uint32_t acc = x;
    for (int k = 0; k < 16; k++) {{
        struct pair p = {{ acc + table[k], acc ^ (uint32_t)k }};
        acc = mix(p) + (acc << 5) + (acc >> 2);
    }}
    return acc;
}}
""")
        calls = "".join(f"    h = h * 31u + f{i:03d}(h ^ {i}u);\n" for i in range(self.files))
        (self.template / "main.c").write_text(f"""#include <stdio.h>
#include "gen.h"
int main(void) {{
    uint32_t h = 1;
{calls}    printf("functions {self.files}, hash %08x\\n", h);
    return 0;
}}
""")
        (self.template / "Makefile").write_text("""CC ?= cc
CFLAGS = -O1 -Wall
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
app: main.o libgen.a
\t$(CC) -o $@ main.o libgen.a
libgen.a: $(OBJS)
\tar rcsD $@ $^
%.o: %.c gen.h
\t$(CC) $(CFLAGS) -c -o $@ $<
clean:
\trm -f app main.o libgen.a $(OBJS)
""")

    def run(self, r):
        proj = r.dir / "proj"
        shutil.copytree(self.template, proj)
        rc, out = r.step("make", ["make", "-j2"], cwd=proj)
        r.sig("make stdout (sorted)", "\n".join(sorted(out.read_text(errors="replace").splitlines())))
        objs = sorted(proj.glob("src/*.o"))
        h = hashlib.sha256()
        for o in objs:
            h.update(o.name.encode() + sha256_file(o).encode())
        r.sig("objects", f"{len(objs)} files, sha256 {h.hexdigest()}")
        for f in ("libgen.a", "app"):
            r.sig(f"sha256 of {f}", sha256_file(proj / f) if (proj / f).exists() else "missing")
        if (proj / "app").exists():
            rc, out = r.step("app", [str(proj / "app")], cwd=proj)
            r.sig("app stdout", out.read_text(errors="replace"))
        shutil.rmtree(proj, ignore_errors=True)


class Swift(Program):
    name = "swift"

    def prepare(self):
        self.swift = self.runner.swift
        self.workload = "swift build of a 2-target package (own --scratch-path)"

    def missing(self):
        return [] if self.runner.swift else ["swift"]

    def run(self, r):
        pkg, scratch = r.dir / "pkg", r.dir / "scratch"
        shutil.copytree(HERE / "swiftpkg", pkg)
        rc, out = r.step("swift-build", [self.swift, "build", "--scratch-path", str(scratch),
                                         "--manifest-cache", "local"], cwd=pkg)
        exe = scratch / "debug" / "rwtool"
        r.sig("product built", "yes" if exe.exists() else "no")
        if exe.exists():
            rc, out = r.step("rwtool", [str(exe)], cwd=pkg)
            r.sig("rwtool stdout", out.read_text(errors="replace"))
        shutil.rmtree(scratch, ignore_errors=True)


CLASSES = {c.name: c for c in (Pigz, Xz, Python, Sqlite, Redis, Make, Swift)}


class SetupError(Exception):
    pass


# --------------------------------------------------------------------------
# The runner

class Runner:
    def __init__(self, args):
        self.args = args
        self.times = {}
        base = Path(args.workdir) if args.workdir else None
        if base:
            base.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix="dept-realworld.", dir=base))
        self.python = sys.executable or shutil.which("python3")
        self.swift = shutil.which("swift") or next(
            (p for p in ["/opt/swift/usr/bin/swift"] if os.access(p, os.X_OK)), None)
        try:
            self.dept = self.find_dept()
        except SetupError:
            shutil.rmtree(self.work, ignore_errors=True)
            raise

    def find_dept(self):
        lib = os.environ.get("DEPT_LIBRARY") or str(REPO / ".build/release/libdept.so")
        lib = os.path.abspath(lib)
        if not os.path.isfile(lib) or not os.access(lib, os.R_OK):
            raise SetupError(f"libdept.so not found at {lib}: build it (swift build -c release) "
                             "or set DEPT_LIBRARY=/path/to/libdept.so")
        cli = os.environ.get("DEPT_CLI") or str(REPO / ".build/release/dept-cli")
        usable = None
        if self.args.preload:
            self.cli_note = "--preload given"
        elif not os.access(cli, os.X_OK):
            self.cli_note = f"{cli} does not exist"
        else:
            probe = self.work / "cli-probe"
            try:
                env = dict(os.environ, DEPT_LIBRARY=lib)
                r = subprocess.run([cli, "run", "--log-dir", str(probe), "--output", str(probe) + ".txt",
                                    "--", "/bin/true"], env=env, capture_output=True, text=True, timeout=60)
                if r.returncode == 0:
                    usable, self.cli_note = cli, "works"
                else:
                    self.cli_note = f"`{cli} run -- /bin/true` exited {r.returncode}: {r.stderr.strip()[:200]}"
            except (OSError, subprocess.TimeoutExpired) as e:
                self.cli_note = f"`{cli} run -- /bin/true` failed: {e}"
        return Dept(lib, usable)

    def record_time(self, prog, step, mode, t):
        self.times[(prog, step, mode)] = t

    def timeout_for(self, prog, step, mode):
        if mode == "plain":
            return self.args.timeout
        plain = self.times.get((prog, step, "plain"))
        if plain is None:
            return self.args.timeout
        return min(self.args.timeout, max(60.0, 10 * plain + 30))

    def run_program(self, cls):
        prog = cls(self)
        res = {"name": prog.name, "workload": "", "plain": None, "dept": None, "same": None,
               "counts": {}, "procs": 0, "problems": [], "diff": [], "lines": [], "backtraces": [],
               "skipped": None, "dir": prog.dir}
        missing = prog.missing()
        if missing:
            res["skipped"] = "missing " + ", ".join(missing)
            log(f"[{prog.name}] skipped: {res['skipped']}")
            return res
        prog.prepare()
        res["workload"] = prog.workload
        runs = {}
        for mode in ("plain", "dept"):
            log(f"[{prog.name}] {mode}: {prog.workload} ...")
            r = Run(prog, mode, self)
            prog.run(r)
            runs[mode] = r
            log(f"[{prog.name}] {mode}: {r.elapsed:.2f} s" + (f"  ({'; '.join(r.problems)})" if r.problems else ""))
        plain, dept = runs["plain"], runs["dept"]
        res["plain"], res["dept"] = plain.elapsed, dept.elapsed
        # Compare.
        a, b = dict(plain.signature), dict(dept.signature)
        for label in list(dict.fromkeys([l for l, _ in plain.signature] + [l for l, _ in dept.signature])):
            if a.get(label) != b.get(label):
                res["diff"].append((label, a.get(label, "(absent)"), b.get(label, "(absent)")))
        res["problems"] = [f"plain: {p}" for p in plain.problems] + [f"dept: {p}" for p in dept.problems]
        res["same"] = not res["diff"] and not res["problems"]
        # What dept said (and what the plain run said: it should be nothing).
        plain_lines = collect_dept_lines(plain.stderr_files, plain.logdirs)
        lines = collect_dept_lines(dept.stderr_files, dept.logdirs)
        if plain_lines:
            res["problems"].append(f"the plain run printed {len(plain_lines)} DEPT: lines (is dept preloaded globally?)")
            res["same"] = False
        counts = {}
        for l in lines:
            k = classify(l)
            if k == "info":
                if "dept active" in l:
                    res["procs"] += 1
                continue
            counts[k] = counts.get(k, 0) + 1
            res["lines"].append(l)
        res["counts"] = counts
        res["backtraces"] = plain.backtraces + dept.backtraces
        res["logdirs"] = dept.logdirs
        return res


def fmt_counts(counts):
    if not counts:
        return "none"
    return " ".join(f"{k}={counts[k]}" for k in KIND_ORDER if k in counts)


def print_table(results, out=sys.stdout):
    rows = [("program", "plain (s)", "dept (s)", "ratio", "same output", "reports", "procs")]
    for r in results:
        if r["skipped"]:
            rows.append((r["name"], "-", "-", "-", "skipped", r["skipped"], "-"))
            continue
        ratio = f"{r['dept'] / r['plain']:.2f}x" if r["plain"] else "-"
        same = "yes" if r["same"] else "no"
        if any(re.search(r"stalled|timeout|timed out|did not", p) for p in r["problems"]):
            same = "no (hung)"
        rows.append((r["name"], f"{r['plain']:.2f}", f"{r['dept']:.2f}", ratio,
                     same, fmt_counts(r["counts"]), str(r["procs"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(c.ljust(w) if i in (0, 4, 5) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)


def strip_templates(s):
    """`f<a<b>, c>(x)` -> `f<>(x)`: C++ template arguments make frames unreadable."""
    prev = None
    while prev != s:
        prev, s = s, re.sub(r"<[^<>]*>", "\x00", s)
    return s.replace("\x00", "<>")


IDLE_FRAMES = re.compile(r"futex_abstimed_wait|__pthread_cond_wait_common|___pthread_cond_wait|"
                         r"___pthread_cond_timedwait|wait_common \(|dept_pthread_cond_\w*wait")


def backtrace_excerpt(path, limit=90):
    """The threads of a backtrace file worth reading, compacted: those blocked
    on a lock (futex lock wait), spinning for or running inside dept's core,
    or inside dept's hooks other than an idle condvar wait. Runs of frames of
    one stripped library become one line."""
    text = Path(path).read_text(errors="replace").splitlines()
    out = [l for l in text[:3] if not l.startswith(("#", "Thread"))]
    skipped = 0
    thread, keep = [], False
    for line in text + ["Thread (end)"]:
        if line.startswith("Thread "):
            if thread:
                if keep:
                    out.extend(thread)
                else:
                    skipped += 1
            thread, keep, idle = [line], False, False
            continue
        if not line.startswith("#"):
            continue
        m = re.match(r"#\d+\s+0x[0-9a-f]+ in \?\? \(\) from (\S+)", line)
        if m and thread and thread[-1].endswith(f"?? () from {m.group(1)}"):
            continue                      # same stripped library as the frame above
        short = strip_templates(line)
        short = re.sub(r"\((?:[^()]|\([^()]*\)){60,}\)", "(...)", short)
        thread.append("  " + short[:200])
        if re.search(r"lll_lock_wait|dept_core_lock|sched_yield", line):
            keep = True
        elif re.search(r"libdept|DeptRuntime|DeptCore|CShim", line) and not IDLE_FRAMES.search(line):
            keep = True
    if skipped:
        out.append(f"({skipped} other thread(s) idle or outside dept: see the file)")
    if len(out) > limit:
        out = out[:limit] + [f"  ... ({len(out) - limit} more lines in {path})"]
    return out


def main():
    ap = argparse.ArgumentParser(prog="Scripts/realworld", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="programs: " + ", ".join(PROGRAMS))
    ap.add_argument("--quick", action="store_true", help="smaller workloads (about a minute)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run only this program (repeatable, or comma-separated)")
    ap.add_argument("--list", action="store_true", help="list the programs and exit")
    ap.add_argument("--keep", action="store_true", help="keep the work directory even when all went well")
    ap.add_argument("--workdir", metavar="DIR", help="create the work directory under DIR (default $TMPDIR)")
    ap.add_argument("--preload", action="store_true", help="use LD_PRELOAD even when dept-cli works")
    ap.add_argument("--timeout", type=float, default=600, metavar="S",
                    help="time limit of one step (default 600; under dept: min(this, max(60, 10 x plain + 30)))")
    ap.add_argument("--stall-seconds", type=float, default=30, metavar="S",
                    help="stop a step whose process tree used no CPU for this long (default 30)")
    args = ap.parse_args()
    if args.list:
        print("\n".join(PROGRAMS))
        return 0
    names = [n.strip() for o in args.only for n in o.split(",") if n.strip()] or PROGRAMS
    names = sorted(set(names), key=lambda n: PROGRAMS.index(n) if n in PROGRAMS else -1)
    unknown = [n for n in names if n not in CLASSES]
    if unknown:
        log(f"realworld: unknown program(s) {', '.join(unknown)}; choose from {', '.join(PROGRAMS)}")
        return 2

    try:
        runner = Runner(args)
    except SetupError as e:
        log(f"realworld: {e}")
        return 2
    log(f"realworld: dept via {runner.dept.how}")
    if not runner.dept.cli:
        log(f"realworld: dept-cli not used: {runner.cli_note}")
    log(f"realworld: work directory {runner.work}")

    t0 = time.monotonic()
    results = []
    for n in names:
        try:
            results.append(runner.run_program(CLASSES[n]))
        except SetupError as e:
            log(f"realworld: {n}: {e}")
            return 2

    ran = [r for r in results if not r["skipped"]]
    failing = []
    print()
    print(f"dept on real programs ({'quick' if args.quick else 'default'} workloads; dept via {runner.dept.how})")
    print(f"libdept.so: {runner.dept.identity()}")
    if not runner.dept.cli:
        print(f"note: dept-cli not used ({runner.cli_note}): LD_PRELOAD directly, "
              "DEPT_OPTIONS=log_path=<dir>/dept:verbosity=2:exitcode=0")
    print()
    print_table(results)
    print()
    for r in ran:
        bad = any(r["counts"].get(k) for k in REPORT_KINDS)
        if r["same"] and not r["lines"]:
            continue
        if not r["same"] or bad:
            failing.append(r["name"])
        print(f"== {r['name']}: {r['workload']}")
        for p in r["problems"]:
            print(f"   problem: {p}")
        for label, a, b in r["diff"]:
            print(f"   differs: {label}")
            for tag, v in (("plain", a), ("dept ", b)):
                vl = v.splitlines() or [""]
                print(f"     {tag}: {vl[0][:160]}" + (f"  (+{len(vl) - 1} lines)" if len(vl) > 1 else ""))
        seen = {}
        for l in r["lines"]:
            seen[l] = seen.get(l, 0) + 1
        for l, c in list(seen.items())[:15]:
            print(f"   {l}" + (f"  (x{c})" if c > 1 else ""))
        if len(seen) > 15:
            print(f"   ... {len(seen) - 15} more distinct DEPT: lines")
        for d in r.get("logdirs", []):
            if d.is_dir() and any(d.iterdir()):
                print(f"   dept logs: {d}" + (f" (`dept-cli report {d}`)" if runner.dept.cli else ""))
        shown = set()
        for b in r["backtraces"]:
            pid = b.stem.rsplit("-", 1)[-1]
            if pid in shown:
                print(f"   backtrace: {b} (same process again)")
                continue
            shown.add(pid)
            excerpt = backtrace_excerpt(b)
            if not any(l.startswith("Thread") for l in excerpt):
                print(f"   backtrace: {b} ({excerpt[0] if excerpt else '?'}: no thread in dept or on a lock)")
                continue
            print(f"   backtrace: {b}")
            for line in excerpt:
                print(f"     {line}")
        print(f"   files: {r['dir']}")
        print()
    with_reports = sum(1 for r in ran if any(r["counts"].get(k) for k in REPORT_KINDS))
    same = sum(1 for r in ran if r["same"])
    print(f"{len(ran)} programs, {same} same, {with_reports} with reports")
    skipped = [r for r in results if r["skipped"]]
    if skipped:
        print(f"skipped: " + "; ".join(f"{r['name']} ({r['skipped']})" for r in skipped))
    print(f"(total {time.monotonic() - t0:.0f} s)")
    if failing or args.keep:
        print(f"work directory kept: {runner.work}")
    else:
        shutil.rmtree(runner.work, ignore_errors=True)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
