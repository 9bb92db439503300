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
        opts += [f"log_path={logdir}/dept", "verbosity=2", "held_back=0", "exitcode=0"]
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
                head = (obj.get("headline") or (obj.get("message") or "").split("\n")[0]
                        or f"DEPT: {obj.get('kind', 'other')}: (no headline)")
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

    def __init__(self, prog, mode, runner, index=1):
        self.prog, self.mode, self.runner = prog, mode, runner
        self.index = index
        self.dir = prog.dir / f"{mode}{index}"
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

    def wrap(self, argv, env, tag, log_mode=None):
        """log_mode: permissions of the report directory, for programs whose
        processes drop privileges (they write their reports there too)."""
        if self.mode == "plain":
            return list(argv), env
        d = self.dir / f"dept-{tag}"
        self.logdirs.append(d)
        argv, env = self.runner.dept.wrap(argv, env, d)
        if log_mode is not None:
            os.chmod(d, log_mode)
        return argv, env

    def step(self, name, argv, *, cwd=None, stdin=None, stdout=None, timeout=None, watch=(), timed=True,
             ok_status=(0,), extra_env=None):
        """Runs one command (under dept in a dept run); returns (rc, stdout path)."""
        self.nstep += 1
        tag = f"{self.nstep}-{name}"
        out = Path(stdout) if stdout else self.dir / f"{tag}.stdout"
        err = self.dir / f"{tag}.stderr"
        self.stderr_files.append(err)
        argv2, env = self.wrap(argv, {**self.env(), **(extra_env or {})}, tag)
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
        if self.mode == "plain" and r.rc not in ok_status:
            # The workload itself is broken (a missing option, a full disk):
            # comparing two failures would prove nothing.
            self.problems.append(f"step '{name}' exited with status {r.rc} in the plain run "
                                 f"(see {err})")
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
        self.mb = 4 if self.quick else 12
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


# --------------------------------------------------------------------------
# Helpers shared by the workloads below

def run_plain(argv, cwd=None, **kw):
    """A set-up command, run plainly (never under dept); raises SetupError."""
    r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, errors="replace", **kw)
    if r.returncode != 0:
        raise SetupError(f"`{' '.join(map(str, argv))}` failed ({r.returncode}): {(r.stderr or r.stdout)[-600:]}")
    return r


def sha256_files(paths):
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).name.encode() + b"\0" + sha256_file(p).encode())
    return f"{len(paths)} files, sha256 {h.hexdigest()[:16]}"


def generate_y4m(path, width, height, frames):
    """A deterministic 4:2:0 video: moving gradients and a bouncing square."""
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F25:1 Ip A1:1 C420jpeg\n".encode())
        for t in range(frames):
            f.write(b"FRAME\n")
            sx, sy = (t * 7) % (width - 40), (t * 5) % (height - 40)
            y = bytearray(width * height)
            for row in range(height):
                base = row * width
                v = (row + 2 * t) & 0xFF
                y[base:base + width] = bytes(((x + v) ^ (row >> 3)) & 0xFF for x in range(width))
                if sy <= row < sy + 40:
                    y[base + sx:base + sx + 40] = b"\xeb" * 40
            f.write(bytes(y))
            cw, ch = width // 2, height // 2
            f.write(bytes(((x + t) & 0xFF) for x in range(cw)) * ch)
            f.write(bytes(((128 + x - t) & 0xFF) for x in range(cw)) * ch)


def generate_wav(path, seconds, rate=44100):
    """A deterministic 16-bit stereo chord with a slow sweep."""
    import math
    import struct
    import wave
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = bytearray()
        for i in range(seconds * rate):
            t = i / rate
            left = 0.3 * math.sin(2 * math.pi * 220 * t) + 0.2 * math.sin(2 * math.pi * (330 + 40 * t) * t)
            right = 0.3 * math.sin(2 * math.pi * 277 * t) + 0.1 * math.sin(2 * math.pi * 1000 * t)
            frames += struct.pack("<hh", int(left * 32767), int(right * 32767))
        w.writeframes(bytes(frames))


def wait_until(probe, server, seconds):
    """Polls probe() until it returns true; False when the server exited or time ran out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            if probe():
                return True
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
        time.sleep(0.1)
    return False


def port_open(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


class Server:
    """A server started (under dept in a dept run) for the duration of a run:
    start it, wait until it answers, exercise it, stop it and record how it
    exited. Time counts from the start to the exit."""

    def __init__(self, r, tag, argv, *, cwd=None, env=None, log_mode=None):
        self.r = r
        argv, env = r.wrap(argv, env or r.env(), tag, log_mode)
        self.out, self.err = r.dir / f"{tag}.stdout", r.dir / f"{tag}.stderr"
        r.stderr_files.append(self.err)
        self.start = time.monotonic()
        with open(self.out, "wb") as fo, open(self.err, "wb") as fe:
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                                         cwd=cwd or r.dir, start_new_session=True)
        self.stopped = False

    def ready(self, probe, what, seconds=60):
        if wait_until(probe, self.proc, seconds):
            self.r.sig(f"{what} ready", "yes")
            return True
        if self.proc.poll() is not None:
            self.r.problems.append(f"{what} exited at start-up with status {self.proc.returncode}")
        else:
            self.r.problems.append(f"{what} did not answer within {seconds} s")
            self.r.backtraces += dump_backtraces(proc_tree([self.proc.pid]), self.r.dir, f"{what}-start")
        self.r.sig(f"{what} ready", "no")
        self.kill()
        return False

    def stop(self, what, how=None, seconds=60):
        """how(): asks the server to exit (default SIGTERM); records its exit status."""
        if self.proc.poll() is None:
            if how:
                how()
            else:
                self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.r.problems.append(f"{what} did not exit within {seconds} s of being asked to")
            self.r.backtraces += dump_backtraces(proc_tree([self.proc.pid]), self.r.dir, f"{what}-exit")
            self.kill()
            rc = "(killed)"
        self.finish()
        self.r.sig(f"{what} exit status", rc)

    def kill(self):
        if self.proc.poll() is None:
            kill_tree(self.proc, proc_tree([self.proc.pid]))
            self.proc.wait()
        self.finish()

    def finish(self):
        if not self.stopped:
            self.stopped = True
            self.r.elapsed += time.monotonic() - self.start


# --------------------------------------------------------------------------
# Interpreters and runtimes

class Perl(Program):
    name, tools = "perl", ("perl",)

    def prepare(self):
        self.items = 20_000 if self.quick else 60_000
        self.workload = f"ithreads: Thread::Queue, Thread::Semaphore, lock/cond_wait, 5 threads, {self.items} items"

    def run(self, r):
        rc, out = r.step("threads", ["perl", str(HERE / "perlthreads.pl"), str(self.items)])
        r.sig("stdout", out.read_text(errors="replace"))


class Ruby(Program):
    name, tools = "ruby", ("ruby",)

    def prepare(self):
        self.items = 50_000 if self.quick else 300_000
        self.workload = f"Thread, Mutex, Monitor, ConditionVariable, Queue/SizedQueue, 6 threads, {self.items} items"

    def run(self, r):
        rc, out = r.step("threads", ["ruby", str(HERE / "rubythreads.rb"), str(self.items)])
        r.sig("stdout", out.read_text(errors="replace"))


class Tcl(Program):
    name, tools = "tcl", ("tclsh",)

    def prepare(self):
        self.n = 400_000 if self.quick else 2_000_000
        self.workload = f"Thread package: tpool of 4 (64 jobs), 3 threads with thread::mutex/cond and tsv, n={self.n}"

    def missing(self):
        if not shutil.which("tclsh"):
            return ["tclsh"]
        r = subprocess.run(["tclsh"], input="puts [package require Thread]\n", capture_output=True, text=True)
        return [] if r.returncode == 0 else ["tcl-thread"]

    def run(self, r):
        rc, out = r.step("threads", ["tclsh", str(HERE / "tclthreads.tcl"), str(self.n)])
        r.sig("stdout", out.read_text(errors="replace"))


class Node(Program):
    name, tools = "node", ("node",)

    def prepare(self):
        self.n = 50_000 if self.quick else 400_000
        self.workload = f"4 worker_threads (Atomics.wait, SharedArrayBuffer) + libuv pool: pbkdf2, zlib, fs; n={self.n}"

    def run(self, r):
        files = r.dir / "files"
        files.mkdir()
        rc, out = r.step("threads", ["node", str(HERE / "nodethreads.js"), str(self.n), "files"])
        r.sig("stdout", out.read_text(errors="replace"))
        shutil.rmtree(files, ignore_errors=True)


class Java(Program):
    name, tools = "java", ("java", "javac")

    def prepare(self):
        self.n = 200_000 if self.quick else 2_000_000
        self.workload = f"OpenJDK: fixed pool of 4, ReentrantLock+Conditions buffer, latch, parallel stream; n={self.n}"
        self.classes = self.dir / "classes"
        run_plain(["javac", "-d", str(self.classes), str(HERE / "JThreads.java")])

    def run(self, r):
        rc, out = r.step("threads", ["java", "-cp", str(self.classes), "JThreads", str(self.n)])
        r.sig("stdout", out.read_text(errors="replace"))


class Erlang(Program):
    name, tools = "erlang", ("erl",)

    def prepare(self):
        self.n = 50_000 if self.quick else 200_000
        self.workload = (f"erl +S 4:4 (BEAM, 4 schedulers): 8 processes each sum {self.n} terms and fill an ETS "
                         "table, results by message passing")

    def run(self, r):
        prog = (f"P=self(), Pids=[spawn(fun() -> L=lists:seq(1,{self.n}), S=lists:sum([X*X rem 7 || X <- L]), "
                "T=ets:new(t,[]), [ets:insert(T,{K,K}) || K <- lists:seq(1,20000)], "
                "P ! {self(), S + ets:info(T,size)} end) || _ <- lists:seq(1,8)], "
                "R=[receive {Pid,V} -> V end || Pid <- Pids], io:format(\"~p~n\",[lists:sum(R)]), halt().")
        rc, out = r.step("beam", ["erl", "-noshell", "+S", "4:4", "-eval", prog])
        r.sig("stdout", out.read_text(errors="replace"))


class Guile(Program):
    name, tools = "guile", ("guile",)

    def prepare(self):
        self.n = 5_000 if self.quick else 20_000
        self.conses = 100_000 if self.quick else 300_000
        self.workload = (f"guile 3.0 (ice-9 threads) par-map over {self.n} items (futures on a thread pool, Boehm GC), "
                         f"then 4 threads allocating {self.conses} vectors each (Boehm GC's parallel mark)")

    def run(self, r):
        expr = (f"(use-modules (ice-9 threads)) (display (apply + (par-map (lambda (x) (modulo (* x x) 1009)) "
                f"(iota {self.n})))) (newline)")
        rc, out = r.step("par-map", ["guile", "--no-auto-compile", "-c", expr])
        r.sig("stdout", out.read_text(errors="replace"))
        # Collections started by any of the threads, under the allocation
        # lock: a false deadlock in about 1 run in 8 before the `waiter
        # signals too` rule.
        alloc = ("(use-modules (ice-9 threads)) "
                 "(define (work n) (let loop ((i 0) (acc '())) (if (< i n) "
                 "(loop (+ i 1) (if (> (length acc) 200) '() (cons (make-vector 50 i) acc))) (length acc)))) "
                 f"(display (apply + (map join-thread (map (lambda (k) (call-with-new-thread (lambda () (work {self.conses})))) "
                 "'(1 2 3 4))))) (newline)")
        rc, out = r.step("alloc-threads", ["guile", "--no-auto-compile", "-c", alloc])
        r.sig("alloc", out.read_text(errors="replace"))


# --------------------------------------------------------------------------
# Databases and servers

class Mariadb(Program):
    name, tools = "mariadb", ("mariadbd", "mariadb", "mariadb-install-db", "mariadb-admin", "mariadb-slap")

    def prepare(self):
        self.clients = 4
        self.rows = 500 if self.quick else 2500
        self.workload = (f"mariadbd (InnoDB) on a unix socket: {self.clients} mariadb clients x {self.rows} rows "
                         f"in transactions, mariadb-slap -c 8, checksums, shutdown")
        self.template = self.dir / "datadir"
        if self.template.exists():
            shutil.rmtree(self.template)
        run_plain(["mariadb-install-db", "--no-defaults", f"--datadir={self.template}", "--user=root",
                   "--auth-root-authentication-method=normal", "--skip-test-db",
                   "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M"], timeout=300)
        self.scripts = []
        for c in range(self.clients):
            lines = [f"CREATE TABLE IF NOT EXISTS rw.t{c} (id INT PRIMARY KEY, v BIGINT, s VARCHAR(64), KEY (v)) ENGINE=InnoDB;"]
            # Transactions of 96 rows: each updates rw.shared's 16 rows in
            # ascending order from id 0, so that clients never deadlock in InnoDB.
            for n in range(self.rows):
                if n % 96 == 0:
                    lines.append("BEGIN;")
                v = (c * 1000003 + n * 7919) % 1000000007
                lines.append(f"INSERT INTO rw.t{c} VALUES ({n}, {v}, 'row-{c}-{n}');")
                lines.append(f"UPDATE rw.shared SET hits = hits + 1 WHERE id = {n % 16};")
                if n % 96 == 95 or n == self.rows - 1:
                    lines.append("COMMIT;")
                    lines.append(f"SELECT COUNT(*) FROM rw.t{c} WHERE v % 7 = {c};")
            p = self.dir / f"client{c}.sql"
            p.write_text("\n".join(lines) + "\n")
            self.scripts.append(p)

    def client(self, sock, *args, **kw):
        return ["mariadb", "--no-defaults", f"--socket={sock}", "-uroot", "--batch", "--skip-column-names"] + list(args)

    def run(self, r):
        data = r.dir / "data"
        shutil.copytree(self.template, data)
        sock = r.dir / "mysqld.sock"
        srv = Server(r, "0-mariadbd", ["mariadbd", "--no-defaults", f"--datadir={data}", f"--socket={sock}",
                                        "--skip-networking", "--user=root", f"--pid-file={r.dir / 'mysqld.pid'}",
                                        "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M",
                                        "--skip-log-bin", "--thread-handling=one-thread-per-connection",
                                        f"--log-error={r.dir / 'mysqld.err'}"])
        probe = lambda: subprocess.run(self.client(sock, "-e", "SELECT 1"), capture_output=True,
                                       timeout=5).returncode == 0
        if not srv.ready(probe, "mariadbd", 120):
            return
        try:
            r.step("setup", self.client(sock, "-e",
                   "CREATE DATABASE rw; CREATE TABLE rw.shared (id INT PRIMARY KEY, hits BIGINT) ENGINE=InnoDB; "
                   "INSERT INTO rw.shared SELECT seq, 0 FROM rw.seq_0_to_15;"), watch=[srv.proc.pid], timed=False)
            procs = []
            for c, script in enumerate(self.scripts):
                argv, env = r.wrap(self.client(sock), r.env(), f"client{c}")
                out, err = r.dir / f"client{c}.stdout", r.dir / f"client{c}.stderr"
                r.stderr_files.append(err)
                with open(script, "rb") as fi, open(out, "wb") as fo, open(err, "wb") as fe:
                    procs.append((c, out, subprocess.Popen(argv, env=env, stdin=fi, stdout=fo, stderr=fe,
                                                            cwd=r.dir, start_new_session=True)))
            for c, out, p in procs:
                try:
                    rc = p.wait(timeout=self.runner.timeout_for(self.name, "clients", r.mode))
                except subprocess.TimeoutExpired:
                    r.problems.append(f"client {c} timed out")
                    r.backtraces += dump_backtraces(proc_tree([srv.proc.pid, p.pid]), r.dir, f"client{c}")
                    kill_tree(p, proc_tree([p.pid]))
                    rc = p.wait()
                r.sig(f"client {c}", f"status {rc}, " + hashlib.sha256(out.read_bytes()).hexdigest()[:16])
            rc, out = r.step("slap", ["mariadb-slap", "--no-defaults", f"--socket={sock}", "-uroot",
                                      "--concurrency=8", "--iterations=1", "--number-of-queries=800",
                                      "--create-schema=rw",
                                      "--query=SELECT SUM(hits) FROM shared; SELECT COUNT(*) FROM t0 WHERE v > 500000000;",
                                      "--silent"], watch=[srv.proc.pid], timed=False)
            queries = " UNION ALL ".join(f"SELECT '{c}', COUNT(*), SUM(v), SUM(CRC32(s)) FROM rw.t{c}"
                                         for c in range(self.clients))
            rc, out = r.step("check", self.client(sock, "-e", queries + "; SELECT SUM(hits) FROM rw.shared; "
                                                    "CHECK TABLE rw.t0, rw.shared;"),
                             watch=[srv.proc.pid], timed=False)
            r.sig("check stdout", out.read_text(errors="replace"))
        finally:
            srv.stop("mariadbd", lambda: subprocess.run(["mariadb-admin", "--no-defaults", f"--socket={sock}",
                                                         "-uroot", "shutdown"], capture_output=True, timeout=60), 120)
            shutil.rmtree(data, ignore_errors=True)


class Memcached(Program):
    name, tools = "memcached", ("memcached", "memcslap")

    def prepare(self):
        self.n = 3000 if self.quick else 10000
        self.workload = (f"memcached -t 4 on 127.0.0.1, memcslap -c 4 set+get x {self.n}, "
                         "then 4 client threads set/get 2000 keys each")

    def run(self, r):
        port = free_port()
        srv = Server(r, "0-memcached", ["memcached", "-u", "root", "-t", "4", "-l", "127.0.0.1", "-p", str(port), "-U", "0",
                                         "-m", "64", "-c", "256"])
        if not srv.ready(lambda: port_open(port), "memcached"):
            return
        try:
            server = f"127.0.0.1:{port}"
            for test in ("set", "get"):
                r.step(f"memcslap-{test}", ["memcslap", f"--servers={server}", "--concurrency=4",
                                            f"--execute-number={self.n}", f"--test={test}", "--binary"],
                       watch=[srv.proc.pid], timed=False)
            rc, out = r.step("client", [self.runner.python, str(HERE / "kvclient.py"), "memcached", str(port), "4", "2000"],
                             watch=[srv.proc.pid], timed=False)
            r.sig("client stdout", out.read_text(errors="replace"))
        finally:
            srv.stop("memcached")


class StaticFiles(Program):
    """A web server under ab: generated files, then their checksums over HTTP."""

    def make_files(self, seed, files):
        """files: name -> (size, requests). Content from a seeded RNG, 4 kB repeated."""
        rng = random.Random(seed)
        self.files, self.counts = {}, {}
        for name, (size, requests) in files.items():
            data = (bytes(rng.getrandbits(8) for _ in range(min(size, 4096))) * (size // 4096 + 1))[:size]
            (self.root / name).write_bytes(data)
            self.files[name] = hashlib.sha256(data).hexdigest()
            self.counts[name] = requests

    def serve(self, r, srv, port):
        """ab -c 8 on every file (its counts in the signature), then one GET each, compared."""
        for name in self.files:
            rc, out = r.step(f"ab-{name}", ["ab", "-q", "-n", str(self.counts[name]), "-c", "8", "-r",
                                            f"http://127.0.0.1:{port}/{name}"], watch=[srv.proc.pid], timed=False)
            text = out.read_text(errors="replace")
            complete = re.search(r"Complete requests:\s+(\d+)", text)
            failed = re.search(r"Failed requests:\s+(\d+)", text)
            non2xx = re.search(r"Non-2xx responses:\s+(\d+)", text)
            r.sig(f"ab {name}", f"complete {complete and complete.group(1)}, failed {failed and failed.group(1)}, "
                                f"non-2xx {non2xx.group(1) if non2xx else 0}")
        import urllib.request
        for name, digest in self.files.items():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{name}", timeout=30) as resp:
                got = hashlib.sha256(resp.read()).hexdigest()
            r.sig(f"GET {name}", "same" if got == digest else "DIFFERENT")


class Nginx(StaticFiles):
    name, tools = "nginx", ("nginx", "ab")

    def prepare(self):
        self.requests = 1000 if self.quick else 5000
        self.workload = (f"nginx, thread_pool of 4 with aio threads, ab -c 8 -n {self.requests}/{self.requests // 5}/"
                         f"{self.requests // 50} on 2 kB/300 kB/3 MB files + checksums")
        self.root = self.dir / "www"
        self.root.mkdir(exist_ok=True)
        self.make_files(7, {"small.txt": (2_000, self.requests), "medium.bin": (300_000, self.requests // 5),
                            "large.bin": (3_000_000, self.requests // 50)})

    def run(self, r):
        port = free_port()
        conf = r.dir / "nginx.conf"
        conf.write_text(f"""daemon off;
master_process on;
user root;
worker_processes 1;
pid {r.dir}/nginx.pid;
error_log {r.dir}/error.log warn;
thread_pool rw threads=4 max_queue=1024;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {r.dir}/body;
    proxy_temp_path {r.dir}/proxy;
    fastcgi_temp_path {r.dir}/fastcgi;
    uwsgi_temp_path {r.dir}/uwsgi;
    scgi_temp_path {r.dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {self.root};
        sendfile off;
        aio threads=rw;
        output_buffers 2 64k;
    }}
}}
""")
        srv = Server(r, "0-nginx", ["nginx", "-p", str(r.dir), "-c", str(conf), "-e", str(r.dir / "error.log")])
        if not srv.ready(lambda: port_open(port), "nginx"):
            return
        try:
            self.serve(r, srv, port)
        finally:
            # Graceful stop: SIGQUIT to nginx's master itself (its pid file),
            # not to the dept-cli wrapper, which forwards INT, TERM and HUP only.
            srv.stop("nginx", lambda: os.kill(int((r.dir / "nginx.pid").read_text()), signal.SIGQUIT))


class Apache(StaticFiles):
    name, tools = "apache2", ("apache2", "ab")

    def prepare(self):
        self.requests = 1000 if self.quick else 4000
        self.workload = (f"apache2 (mpm_event, 1 process x 8 threads, APR locks), ab -c 8 -n {self.requests} "
                         f"+ -n {self.requests // 10} on 2 kB/300 kB files, checksums")
        # Its workers run as www-data: the work directory must be traversable.
        for d in (self.runner.work, self.dir):
            os.chmod(d, 0o755)
        self.root = self.dir / "www"
        self.root.mkdir(exist_ok=True)
        self.make_files(17, {"small.txt": (2_000, self.requests), "medium.bin": (300_000, self.requests // 10)})

    def run(self, r):
        os.chmod(r.dir, 0o755)
        port = free_port()
        mods = "/usr/lib/apache2/modules"
        conf = r.dir / "httpd.conf"
        conf.write_text(f"""LoadModule mpm_event_module {mods}/mod_mpm_event.so
LoadModule authz_core_module {mods}/mod_authz_core.so
LoadModule mime_module {mods}/mod_mime.so
LoadModule dir_module {mods}/mod_dir.so
ServerRoot {r.dir}
PidFile {r.dir}/httpd.pid
Mutex file:{r.dir} default
Listen 127.0.0.1:{port}
ServerName localhost
User www-data
Group www-data
ErrorLog {r.dir}/error.log
LogLevel warn
ServerLimit 1
StartServers 1
ThreadsPerChild 8
ThreadLimit 8
MaxRequestWorkers 8
MinSpareThreads 1
MaxSpareThreads 8
TypesConfig /etc/mime.types
DocumentRoot {self.root}
<Directory {self.root}>
    Require all granted
</Directory>
""")
        # Its children run as www-data: they must be able to write their
        # reports (else dept writes them to stderr, which is error.log).
        srv = Server(r, "0-apache2", ["apache2", "-f", str(conf), "-DFOREGROUND"], log_mode=0o1777)
        r.stderr_files.append(r.dir / "error.log")
        if not srv.ready(lambda: port_open(port), "apache2"):
            return
        try:
            self.serve(r, srv, port)
        finally:
            # SIGTERM to the parent itself (its pid file): dept-cli would forward it too.
            srv.stop("apache2", lambda: os.kill(int((r.dir / "httpd.pid").read_text()), signal.SIGTERM))


class Unbound(Program):
    name, tools = "unbound", ("unbound",)

    def prepare(self):
        self.names = 300 if self.quick else 1500
        self.workload = (f"unbound -d, 4 threads, local zone of {self.names} A records; "
                         f"4 client threads x {self.names} UDP queries + NXDOMAIN, answers checked")

    def run(self, r):
        port = free_port()
        conf = r.dir / "unbound.conf"
        records = "".join(f'    local-data: "h{n}.rw.test. 300 IN A 10.0.{n // 256}.{n % 256}"\n'
                          for n in range(self.names))
        conf.write_text(f"""server:
    interface: 127.0.0.1
    port: {port}
    num-threads: 4
    so-reuseport: yes
    username: ""
    chroot: ""
    directory: "{r.dir}"
    pidfile: "{r.dir}/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 0
    do-ip6: no
    do-tcp: no
    module-config: "iterator"
    access-control: 127.0.0.0/8 allow
    local-zone: "rw.test." static
{records}remote-control:
    control-enable: no
""")
        srv = Server(r, "0-unbound", ["unbound", "-d", "-c", str(conf)])

        def answers():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(0.5)
            s.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x02h0\x02rw\x04test\x00\x00\x01\x00\x01",
                     ("127.0.0.1", port))
            try:
                return s.recvfrom(512)[0][:2] == b"\x12\x34"
            finally:
                s.close()

        if not srv.ready(answers, "unbound"):
            return
        try:
            rc, out = r.step("client", [self.runner.python, str(HERE / "dnsclient.py"), str(port), "4", str(self.names)],
                             watch=[srv.proc.pid], timed=False)
            r.sig("client stdout", out.read_text(errors="replace"))
        finally:
            srv.stop("unbound")


# --------------------------------------------------------------------------
# Media

class Ffmpeg(Program):
    name, tools = "ffmpeg", ("ffmpeg",)
    common = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]

    def prepare(self):
        self.seconds = 2 if self.quick else 6
        self.workload = (f"ffmpeg: {self.seconds} s testsrc2+sine -> libx264 (-threads 4) + aac in mp4, "
                         "and a frame-threaded decode (-threads 4) of a reference clip to framemd5")
        self.reference = self.dir / "reference.mp4"
        run_plain(self.encode_argv(self.reference), timeout=300)

    def encode_argv(self, out):
        return self.common + ["-f", "lavfi", "-i", f"testsrc2=size=480x270:rate=25:duration={self.seconds}",
                              "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={self.seconds}",
                              "-filter_threads", "2", "-c:v", "libx264", "-preset", "veryfast", "-threads", "4",
                              "-c:a", "aac", "-b:a", "96k", "-fflags", "+bitexact", "-flags:v", "+bitexact",
                              "-flags:a", "+bitexact", "-map_metadata", "-1", str(out)]

    def run(self, r):
        out = r.dir / "out.mp4"
        r.step("encode", self.encode_argv(out))
        # libx264 with 4 threads changed a few frames of one plain run out of
        # nine under load 9: compare what the encode must keep (frame count,
        # audio), and decode a fixed reference, which is deterministic.
        if out.exists():
            rc, frames = r.step("count", self.common + ["-i", str(out), "-map", "0:v", "-f", "framemd5", "-"],
                                timed=False)
            r.sig("encoded frames", sum(1 for l in frames.read_text(errors="replace").splitlines()
                                        if l and not l.startswith("#")))
            rc, audio = r.step("audio", self.common + ["-i", str(out), "-map", "0:a", "-f", "md5", "-"], timed=False)
            r.sig("encoded audio", audio.read_text(errors="replace").strip())
            out.unlink()
        else:
            r.sig("encoded", "missing")
        rc, dec = r.step("decode", self.common + ["-threads", "4", "-thread_type", "frame", "-i",
                                                  str(self.reference), "-map", "0:v", "-f", "framemd5", "-"])
        r.sig("framemd5 of the reference", hashlib.sha256(dec.read_bytes()).hexdigest())


class Gstreamer(Program):
    name, tools = "gstreamer", ("gst-launch-1.0",)

    def prepare(self):
        self.buffers = 100 if self.quick else 400
        self.workload = (f"gst-launch-1.0: videotestsrc ({self.buffers} frames) ! queue ! videoconvert ! queue ! "
                         "jpegenc ! queue ! multifilesink, audiotestsrc ! queue ! wavenc ! filesink")

    def run(self, r):
        out = r.dir / "frames"
        out.mkdir()
        r.step("pipeline", ["gst-launch-1.0", "-q",
                            "videotestsrc", f"num-buffers={self.buffers}", "pattern=ball", "!",
                            "video/x-raw,width=320,height=240,framerate=25/1", "!", "queue", "!",
                            "videoconvert", "!", "video/x-raw,format=I420", "!", "queue", "!",
                            "jpegenc", "quality=80", "!", "queue", "!",
                            "multifilesink", "location=frames/f%04d.jpg",
                            "audiotestsrc", f"num-buffers={self.buffers}", "wave=sine", "!", "queue", "!",
                            "audioconvert", "!", "wavenc", "!", "filesink", "location=tone.wav"])
        r.sig("jpeg frames", sha256_files(sorted(out.glob("*.jpg"))))
        wav = r.dir / "tone.wav"
        r.sig("sha256 of tone.wav", sha256_file(wav) if wav.exists() else "missing")
        shutil.rmtree(out, ignore_errors=True)
        wav.unlink(missing_ok=True)


class Video(Program):
    """x264 and x265 command-line encoders on one generated clip."""

    def prepare(self):
        self.frames = 20 if self.quick else 60
        self.clip = self.dir / "clip.y4m"
        generate_y4m(self.clip, 320, 240, self.frames)


class X264(Video):
    name, tools = "x264", ("x264",)

    def prepare(self):
        super().prepare()
        self.workload = f"x264 --threads 4 (frame threads + lookahead) on a {self.frames}-frame 320x240 clip"

    def run(self, r):
        r.step("encode", ["x264", "--quiet", "--threads", "4", "--preset", "fast", "--lookahead-threads", "2",
                          "-o", "out.264", str(self.clip)])
        r.sig("sha256 of out.264", sha256_file(r.dir / "out.264") if (r.dir / "out.264").exists() else "missing")


class X265(Video):
    name, tools = "x265", ("x265",)

    def prepare(self):
        super().prepare()
        self.frames = min(self.frames, 30)
        self.workload = f"x265 --pools 4 --frame-threads 2 --wpp on a {self.frames}-frame 320x240 clip"

    def run(self, r):
        r.step("encode", ["x265", "--log-level", "error", "--input", str(self.clip), "--frames", str(self.frames),
                          "--pools", "4", "--frame-threads", "2", "--wpp", "--preset", "fast",
                          "--output", "out.hevc"])
        r.sig("sha256 of out.hevc", sha256_file(r.dir / "out.hevc") if (r.dir / "out.hevc").exists() else "missing")


class Dav1d(Video):
    name, tools = "dav1d", ("dav1d", "ffmpeg")

    def prepare(self):
        super().prepare()
        self.workload = (f"dav1d --threads 4 --framedelay 4 (frame + tile threads) of a {self.frames}-frame AV1 clip "
                         "(2x2 tiles), md5 of the frames")
        self.ivf = self.dir / "clip.ivf"
        run_plain(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(self.clip), "-c:v", "libaom-av1",
                   "-cpu-used", "8", "-row-mt", "1", "-tiles", "2x2", "-b:v", "300k", str(self.ivf)], timeout=300)

    def run(self, r):
        for threads in ("4", "2"):
            rc, out = r.step(f"decode-{threads}", ["dav1d", "-q", "--threads", threads, "--framedelay", threads,
                                                   "-i", str(self.ivf), "--muxer", "md5", "-o", "-"])
            r.sig(f"md5 with {threads} threads", out.read_text(errors="replace"))


# --------------------------------------------------------------------------
# Compressors

class Compressor(Program):
    """A compress + decompress round trip of generated data."""
    mb, quick_mb, suffix = 20, 6, ".z"
    compress = decompress = ()

    def prepare(self):
        self.size = self.quick_mb if self.quick else self.mb
        self.workload = f"{' '.join(self.compress)} + {' '.join(self.decompress)}, {self.size} MB"
        self.data = self.dir / "data"
        generate_data(self.data, self.size, 3)
        self.data_sum = sha256_file(self.data)

    def run(self, r):
        packed, back = r.dir / ("data" + self.suffix), r.dir / "data.back"
        r.step("compress", list(self.compress), stdin=self.data, stdout=packed)
        r.step("decompress", list(self.decompress), stdin=packed, stdout=back)
        r.sig(f"sha256 of data{self.suffix}", sha256_file(packed))
        r.sig("round trip", "identical" if sha256_file(back) == self.data_sum else "DIFFERENT from the input")
        packed.unlink(missing_ok=True)
        back.unlink(missing_ok=True)


class Zstd(Compressor):
    name, tools, suffix, mb = "zstd", ("zstd",), ".zst", 60
    compress = ("zstd", "-q", "-T4", "-6", "-B1048576", "-c")
    decompress = ("zstd", "-q", "-d", "-T4", "-c")


class Pbzip2(Compressor):
    name, tools, suffix = "pbzip2", ("pbzip2",), ".bz2"
    compress = ("pbzip2", "-p4", "-b3", "-c")
    decompress = ("pbzip2", "-p4", "-d", "-c")


class Lbzip2(Compressor):
    name, tools, suffix = "lbzip2", ("lbzip2",), ".bz2"
    compress = ("lbzip2", "-n", "4", "-c")
    decompress = ("lbzip2", "-n", "4", "-d", "-c")


class Plzip(Compressor):
    name, tools, suffix, mb = "plzip", ("plzip",), ".lz", 12
    compress = ("plzip", "-n", "4", "-1", "-B", "1MiB", "-c")
    decompress = ("plzip", "-n", "4", "-d", "-c")


class Pixz(Compressor):
    name, tools, suffix, mb = "pixz", ("pixz",), ".pxz", 12
    compress = ("pixz", "-p", "4", "-1", "-f", "0.5")
    decompress = ("pixz", "-p", "4", "-d")


class SevenZip(Program):
    name, tools = "7zip", ("7zz",)

    def prepare(self):
        self.size = 4 if self.quick else 12
        self.workload = f"7zz a -mmt4 (LZMA2 -mx3) of {self.size} MB + 7zz t + 7zz x -so"
        self.src = self.dir / "src"
        self.src.mkdir(exist_ok=True)
        generate_data(self.src / "data", self.size, 4)
        for i in range(40):
            (self.src / f"small{i:02d}.txt").write_text(f"file {i}\n" * (100 + 37 * i))
        for f in self.src.iterdir():
            os.utime(f, (1_600_000_000, 1_600_000_000))
        self.sums = {f.name: sha256_file(f) for f in self.src.iterdir()}

    def run(self, r):
        arc = r.dir / "a.7z"
        r.step("add", ["7zz", "a", "-bd", "-bso0", "-mmt4", "-mx3", "-md4m", "-ms=off", str(arc), "."],
               cwd=self.src)
        r.sig("sha256 of a.7z", sha256_file(arc) if arc.exists() else "missing")
        r.step("test", ["7zz", "t", "-bd", "-bso0", "-mmt4", str(arc)])
        rc, out = r.step("extract", ["7zz", "x", "-bd", "-so", "-mmt4", str(arc), "data"])
        r.sig("extracted data", "identical" if sha256_file(out) == self.sums["data"] else "DIFFERENT")
        arc.unlink(missing_ok=True)
        out.unlink(missing_ok=True)


class Sort(Program):
    name, tools = "sort", ("sort",)

    def prepare(self):
        self.lines = 200_000 if self.quick else 1_500_000
        self.workload = f"GNU sort --parallel=4 -S 8M (external merge) of {self.lines} lines"
        self.input = self.dir / "lines.txt"
        rng = random.Random(5)
        with open(self.input, "w") as f:
            for i in range(self.lines):
                f.write(f"{rng.getrandbits(40):012x} {i % 1000:04d} item-{(i * 7919) % 100003}\n")

    def run(self, r):
        tmp = r.dir / "tmp"
        tmp.mkdir()
        rc, out = r.step("sort", ["sort", "--parallel=4", "-S", "8M", "-T", str(tmp), "-k2,2n", "-k1,1",
                                  str(self.input)])
        r.sig("sha256 of sorted output", sha256_file(out))
        out.unlink(missing_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------
# Build tools and other system programs

class CmakeNinja(Program):
    name, tools = "cmake", ("cmake", "ninja", "cc")

    def prepare(self):
        self.files = 30 if self.quick else 120
        self.workload = f"cmake -G Ninja configure + cmake --build -j2 (ninja) of {self.files} generated C files"
        self.template = self.dir / "template"
        if self.template.exists():
            shutil.rmtree(self.template)
        (self.template / "src").mkdir(parents=True)
        (self.template / "gen.h").write_text(
            "#include <stdint.h>\n" + "".join(f"uint32_t g{i:03d}(uint32_t);\n" for i in range(self.files)))
        for i in range(self.files):
            (self.template / "src" / f"g{i:03d}.c").write_text(
                f'#include "gen.h"\nuint32_t g{i:03d}(uint32_t x) {{ for (int k = 0; k < {i % 13 + 3}; k++) '
                f'x = x * 2654435761u + {i}u; return x ^ (x >> 13); }}\n')
        calls = "".join(f"    h = g{i:03d}(h);\n" for i in range(self.files))
        (self.template / "main.c").write_text(
            f'#include <stdio.h>\n#include "gen.h"\nint main(void) {{\n    uint32_t h = 7;\n{calls}'
            f'    printf("functions {self.files}, hash %08x\\n", h);\n    return 0;\n}}\n')
        (self.template / "CMakeLists.txt").write_text(
            "cmake_minimum_required(VERSION 3.13)\nproject(rw C)\n"
            "file(GLOB SRCS ${CMAKE_SOURCE_DIR}/src/*.c)\n"
            "add_library(gen STATIC ${SRCS})\ntarget_include_directories(gen PUBLIC ${CMAKE_SOURCE_DIR})\n"
            "add_executable(app main.c)\ntarget_link_libraries(app gen)\n")

    def run(self, r):
        src, build = r.dir / "src", r.dir / "build"
        shutil.copytree(self.template, src)
        r.step("configure", ["cmake", "-G", "Ninja", "-S", str(src), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"])
        rc, out = r.step("build", ["cmake", "--build", str(build), "-j", "2"])
        app = build / "app"
        r.sig("objects", len(list(build.rglob("*.o"))))
        if app.exists():
            rc, out = r.step("app", [str(app)])
            r.sig("app stdout", out.read_text(errors="replace"))
        else:
            r.sig("app", "missing")
        shutil.rmtree(src, ignore_errors=True)
        shutil.rmtree(build, ignore_errors=True)


class Git(Program):
    name, tools = "git", ("git",)

    def prepare(self):
        self.commits = 60 if self.quick else 250
        self.workload = (f"git repack -adf --threads=4, index-pack --threads=4, grep --threads=4, fsck "
                         f"on a generated repository of {self.commits} commits")
        self.template = self.dir / "repo"
        if self.template.exists():
            shutil.rmtree(self.template)
        env = dict(os.environ, GIT_AUTHOR_NAME="rw", GIT_AUTHOR_EMAIL="rw@example.invalid",
                   GIT_COMMITTER_NAME="rw", GIT_COMMITTER_EMAIL="rw@example.invalid",
                   GIT_AUTHOR_DATE="1600000000 +0000", GIT_COMMITTER_DATE="1600000000 +0000")
        run_plain(["git", "init", "-q", "-b", "main", str(self.template)], env=env)
        # One fast-import stream: 40 files, each commit rewrites a few of them.
        rng = random.Random(11)
        contents = [[f"line {k} of file {f}: {rng.getrandbits(64):016x}" for k in range(300)] for f in range(40)]
        stream = []
        for c in range(self.commits):
            stream.append(f"commit refs/heads/main\nmark :{c + 1}\n"
                          f"committer rw <rw@example.invalid> {1600000000 + c} +0000\n")
            msg = f"commit {c}\n"
            stream.append(f"data {len(msg)}\n{msg}")
            if c:
                stream.append(f"from :{c}\n")
            for f in ([rng.randrange(40) for _ in range(4)] if c else range(40)):
                for _ in range(5):
                    contents[f][rng.randrange(300)] = f"edit {c}: {rng.getrandbits(64):016x}"
                body = "\n".join(contents[f]) + "\n"
                stream.append(f"M 100644 inline dir{f % 5}/file{f:02d}.txt\ndata {len(body.encode())}\n{body}\n")
        run_plain(["git", "fast-import", "--quiet"], cwd=self.template, input="".join(stream), env=env)
        run_plain(["git", "checkout", "-q", "main"], cwd=self.template)

    def run(self, r):
        repo = r.dir / "repo"
        shutil.copytree(self.template, repo)
        r.step("repack", ["git", "-c", "pack.threads=4", "repack", "-q", "-a", "-d", "-f", "--window=20",
                          "--threads=4"], cwd=repo)
        packs = sorted((repo / ".git/objects/pack").glob("*.pack"))
        r.sig("packs", len(packs))
        if packs:
            # Only its status: repack -f with 4 threads picks deltas in a
            # varying order, so the pack (and the hash index-pack prints) varies.
            r.step("index-pack", ["git", "index-pack", "--threads=4", "-o", str(r.dir / "check.idx"),
                                  str(packs[0])], cwd=repo)
        rc, out = r.step("grep", ["git", "grep", "--threads=4", "-c", "edit 1", "main"], cwd=repo)
        r.sig("grep stdout", out.read_text(errors="replace"))
        rc, out = r.step("fsck", ["git", "fsck", "--full", "--no-progress"], cwd=repo)
        r.sig("fsck stdout", out.read_text(errors="replace"))
        rc, out = r.step("objects", ["git", "rev-list", "--objects", "--all"], cwd=repo)
        r.sig("objects", hashlib.sha256(b"".join(sorted(out.read_bytes().splitlines()))).hexdigest()[:16])
        shutil.rmtree(repo, ignore_errors=True)


class QemuImg(Program):
    name, tools = "qemu-img", ("qemu-img",)

    def prepare(self):
        self.mb = 16 if self.quick else 64
        self.workload = f"qemu-img convert -m 8 -W raw->qcow2->raw of a {self.mb} MB image, compare, check"
        self.raw = self.dir / "disk.raw"
        rng = random.Random(9)
        with open(self.raw, "wb") as f:
            for block in range(self.mb * 16):          # 64 KiB blocks; every third one left empty
                if block % 3 == 2:
                    f.seek(65536, 1)
                else:
                    f.write(bytes([block & 0xFF]) * 32768 + rng.randbytes(32768))
            f.truncate(self.mb << 20)
        self.raw_sum = sha256_file(self.raw)

    def run(self, r):
        r.step("to-qcow2", ["qemu-img", "convert", "-m", "8", "-W", "-f", "raw", "-O", "qcow2", str(self.raw),
                            "disk.qcow2"])
        rc, out = r.step("check", ["qemu-img", "check", "disk.qcow2"])
        # Only the verdict: -W writes clusters out of order, so the image's
        # layout (end offset, fragmentation) varies from run to run.
        r.sig("check", "No errors were found" in out.read_text(errors="replace"))
        r.step("to-raw", ["qemu-img", "convert", "-m", "8", "-W", "-f", "qcow2", "-O", "raw", "disk.qcow2", "back.raw"])
        rc, out = r.step("compare", ["qemu-img", "compare", "-f", "raw", "-F", "raw", str(self.raw), "back.raw"])
        r.sig("compare stdout", out.read_text(errors="replace"))
        back = r.dir / "back.raw"
        r.sig("round trip", "identical" if back.exists() and sha256_file(back) == self.raw_sum else "DIFFERENT")
        for f in ("disk.qcow2", "back.raw"):
            (r.dir / f).unlink(missing_ok=True)


class StressNg(Program):
    name, tools = "stress-ng", ("stress-ng",)

    def prepare(self):
        self.seconds = 1 if self.quick else 2
        self.threads = 200 if self.quick else 1000
        self.workload = (f"stress-ng --mutex 2 (priority-changing pthread mutex contention, {self.seconds} s) "
                         f"--pthread 2 (thread create/exit with mutex+condvar, {self.threads} threads, 16 at a time)")

    def run(self, r):
        # The mutex stressor is bounded by time, not by --mutex-ops: in
        # 0.15.06 a first thread that reaches the op count before the
        # creating loop checks it makes the stressor exit 3 ("could not
        # create any pthreads"). --sem with --sem-ops runs until --timeout.
        rc, out = r.step("stress", ["stress-ng", "--mutex", "2", "--pthread", "2",
                                    "--pthread-ops", str(self.threads), "--pthread-max", "16",
                                    "--timeout", str(self.seconds), "--temp-path", str(r.dir)])
        text = (r.dir / f"{r.nstep}-stress.stderr").read_text(errors="replace") + out.read_text(errors="replace")
        r.sig("completed", "successful run completed" in text)


class Sysbench(Program):
    name, tools = "sysbench", ("sysbench",)

    def prepare(self):
        self.events = 2000 if self.quick else 10000
        self.workload = f"sysbench threads (4 threads, 8 locks, {self.events} events) + mutex (4 threads)"

    def run(self, r):
        rc, out = r.step("threads", ["sysbench", "threads", "--threads=4", "--thread-locks=8", "--thread-yields=50",
                                     f"--events={self.events}", "--time=0", "run"])
        m = re.search(r"total number of events:\s+(\d+)", out.read_text(errors="replace"))
        r.sig("threads events", m and m.group(1))
        rc, out = r.step("mutex", ["sysbench", "mutex", "--threads=4", "--mutex-num=64",
                                   f"--mutex-locks={self.events * 5}", "--mutex-loops=200", "run"])
        m = re.search(r"total number of events:\s+(\d+)", out.read_text(errors="replace"))
        r.sig("mutex events", m and m.group(1))


class Samtools(Program):
    name, tools = "samtools", ("samtools",)

    def prepare(self):
        self.reads = 40_000 if self.quick else 200_000
        self.workload = f"samtools sort -@ 4, index -@ 4, view -@ 4 of {self.reads} generated reads (htslib thread pool)"
        self.sam = self.dir / "reads.sam"
        rng = random.Random(13)
        with open(self.sam, "w") as f:
            f.write("@HD\tVN:1.6\tSO:unsorted\n")
            for c in range(3):
                f.write(f"@SQ\tSN:chr{c}\tLN:1000000\n")
            for i in range(self.reads):
                seq = "".join(rng.choice("ACGT") for _ in range(60))
                f.write(f"read{i:07d}\t0\tchr{rng.randrange(3)}\t{rng.randrange(1, 999000)}\t60\t60M\t*\t0\t0\t"
                        f"{seq}\t{'I' * 60}\n")

    def run(self, r):
        r.step("sort", ["samtools", "sort", "--no-PG", "-@", "4", "-m", "4M", "-T", "tmp", "-o", "sorted.bam",
                        str(self.sam)])
        bam = r.dir / "sorted.bam"
        r.sig("sha256 of sorted.bam", sha256_file(bam) if bam.exists() else "missing")
        r.step("index", ["samtools", "index", "-@", "4", "sorted.bam"])
        rc, out = r.step("count", ["samtools", "view", "-@", "4", "-c", "sorted.bam", "chr1:100000-600000"])
        r.sig("region count", out.read_text(errors="replace"))
        rc, out = r.step("view", ["samtools", "view", "-@", "4", "sorted.bam"])
        r.sig("view sha256", sha256_file(out))
        for f in ("sorted.bam", "sorted.bam.bai"):
            (r.dir / f).unlink(missing_ok=True)
        out.unlink(missing_ok=True)


# --------------------------------------------------------------------------
# More: C++ thread pools and other pthread users

class Pzstd(Compressor):
    name, tools, suffix, mb = "pzstd", ("pzstd",), ".zst", 40
    compress = ("pzstd", "-q", "-p", "4", "-3", "-c")
    decompress = ("pzstd", "-q", "-d", "-p", "4", "-c")


class Fio(Program):
    name, tools = "fio", ("fio",)

    def prepare(self):
        self.mb = 4 if self.quick else 16
        self.workload = f"fio: 4 threads (thread=1), psync randrw 4k, {self.mb} MB each, crc32c verify"

    def run(self, r):
        job = r.dir / "job.fio"
        job.write_text(f"""[global]
thread
ioengine=psync
bs=4k
size={self.mb}m
rw=randrw
rwmixread=50
verify=crc32c
verify_fatal=1
do_verify=1
randrepeat=1
directory={r.dir}
[job]
numjobs=4
""")
        rc, out = r.step("fio", ["fio", "--output-format=terse", str(job)])
        # terse v3: field 5 is the job's error code.
        errors = [l.split(";")[4] for l in out.read_text(errors="replace").splitlines() if l.count(";") > 5]
        r.sig("jobs and error codes", " ".join(errors))
        for f in r.dir.glob("job.*.*"):
            f.unlink(missing_ok=True)


class Stockfish(Program):
    name = "stockfish"

    def prepare(self):
        self.depth = 6 if self.quick else 9
        self.workload = f"stockfish bench: 4 search threads (std::thread pool), hash 16 MB, 48 positions to depth {self.depth}"

    def missing(self):
        return [] if self.exe() else ["stockfish"]

    @staticmethod
    def exe():
        return shutil.which("stockfish") or next((p for p in ("/usr/games/stockfish",) if os.access(p, os.X_OK)), None)

    def run(self, r):
        rc, out = r.step("bench", [self.exe(), "bench", "16", "4", str(self.depth), "default", "depth"])
        text = out.read_text(errors="replace")
        err = (r.dir / f"{r.nstep}-bench.stderr").read_text(errors="replace")
        # With 4 threads the node counts vary from run to run: only the shape.
        r.sig("positions searched", text.count("bestmove"))
        r.sig("summary printed", "Nodes searched" in err)


class Povray(Program):
    name, tools = "povray", ("povray",)

    def prepare(self):
        self.size = (160, 120) if self.quick else (480, 360)
        self.workload = f"povray +WT4: a {self.size[0]}x{self.size[1]} reflective scene with antialiasing, pixel checksum"
        self.scene = self.dir / "scene.pov"
        self.scene.write_text("""#include "colors.inc"
camera { location <0, 2, -6> look_at <0, 0.5, 0> }
light_source { <4, 6, -4> color White }
light_source { <-4, 3, -2> color rgb <0.4, 0.4, 0.6> }
plane { y, 0 pigment { checker color White color rgb <0.2, 0.3, 0.5> } finish { reflection 0.2 } }
#declare I = 0;
#while (I < 12)
  sphere { <sin(I * 0.52) * 2.2, 0.5 + mod(I, 3) * 0.4, cos(I * 0.52) * 2.2>, 0.45
    pigment { color rgb <mod(I, 3) / 2, mod(I + 1, 4) / 3, mod(I + 2, 5) / 4> }
    finish { phong 0.8 reflection 0.3 } }
  #declare I = I + 1;
#end
sphere { <0, 1, 0>, 1 pigment { color rgbf <0.9, 0.9, 1, 0.8> } finish { reflection 0.1 } interior { ior 1.5 } }
""")

    def run(self, r):
        w, h = self.size
        r.step("render", ["povray", f"+I{self.scene}", "+Oout.ppm", "+FP", f"+W{w}", f"+H{h}", "+WT4", "-D",
                          "+A0.3", "+R3", "-GA", "+L/usr/share/povray-3.7/include"])
        img = r.dir / "out.ppm"
        if img.exists():
            # The PPM header carries the render date: hash the rest.
            lines = [l for l in img.read_bytes().split(b"\n") if not l.startswith(b"#")]
            r.sig("pixels", hashlib.sha256(b"\n".join(lines)).hexdigest()[:16])
            img.unlink()
        else:
            r.sig("pixels", "missing")


def generate_ppm(path, width, height, seed):
    """A deterministic colour image: gradients, rings and noise (binary PPM)."""
    rng = random.Random(seed)
    noise = rng.randbytes(width * 3)
    rows = []
    for y in range(height):
        row = bytearray(width * 3)
        for x in range(width):
            d = ((x - width // 2) ** 2 + (y - height // 3) ** 2) // 97
            row[3 * x] = (x * 255 // width) ^ (d & 0x3f)
            row[3 * x + 1] = (y * 255 // height + d) & 0xff
            row[3 * x + 2] = noise[(3 * x + y) % len(noise)] if (x // 16 + y // 16) % 5 == 0 else (x + y) & 0xff
        rows.append(bytes(row))
    with open(path, "wb") as f:
        f.write(f"P6\n{width} {height}\n255\n".encode())
        f.writelines(rows)


def sig_outputs(r, names):
    """The checksum of each output file of run r (or "missing") into its
    signature; the files are removed."""
    for name in names:
        p = r.dir / name
        r.sig(f"sha256 of {name}", sha256_file(p) if p.exists() else "missing")
        p.unlink(missing_ok=True)


class Vips(Program):
    name, tools = "vips", ("vips",)

    def prepare(self):
        self.side = 800 if self.quick else 2000
        self.workload = (f"vips (GLib thread pool, VIPS_CONCURRENCY=4) on a {self.side}x{self.side} image: "
                         "thumbnail, resize, gaussian blur, sharpen, deflate TIFF")
        self.img = self.dir / "in.ppm"
        generate_ppm(self.img, self.side, self.side, 7)

    def run(self, r):
        env = {"VIPS_CONCURRENCY": "4"}
        steps = [
            ("thumbnail", ["vips", "thumbnail", str(self.img), "thumb.png", "600"], "thumb.png"),
            ("resize", ["vips", "resize", str(self.img), "small.v", "0.7"], "small.v"),
            ("gaussblur", ["vips", "gaussblur", "small.v", "blur.png", "3"], "blur.png"),
            ("sharpen", ["vips", "sharpen", str(self.img), "sharp.png"], "sharp.png"),
            ("tiff", ["vips", "copy", str(self.img), "copy.tif[compression=deflate]"], "copy.tif"),
        ]
        for name, argv, out in steps:
            r.step(name, argv, extra_env=env)
        sig_outputs(r, [out for _, _, out in steps])


class Ghostscript(Program):
    name, tools = "ghostscript", ("gs",)

    def prepare(self):
        self.pages = 3 if self.quick else 10
        self.workload = f"gs -dNumRenderingThreads=4, banded: {self.pages} generated PostScript pages at 200 dpi to PNG"
        self.doc = self.dir / "doc.ps"
        out = ["%!PS", "/Helvetica findfont 14 scalefont setfont"]
        for p in range(self.pages):
            for i in range(60):
                r, g, b = ((i * 37 + p * 11) % 100) / 100, ((i * 53) % 100) / 100, ((i * 71 + p) % 100) / 100
                out.append(f"{r} {g} {b} setrgbcolor newpath {50 + (i * 97 + p * 13) % 450} {60 + (i * 61) % 650} "
                           f"{10 + (i * 7) % 40} 0 360 arc fill")
            out.append("0 setgray")
            for line in range(40):
                out.append(f"40 {760 - line * 18} moveto (page {p} line {line}: the quick brown fox jumps "
                           f"over {line * p} lazy dogs) show")
            out.append("showpage")
        self.doc.write_text("\n".join(out) + "\n")

    def run(self, r):
        r.step("render", ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=png16m", "-r200",
                          "-dNumRenderingThreads=4", "-dBandHeight=64", "-dBufferSpace=1000000", "-dMaxBitmap=100000",
                          "-sOutputFile=p%02d.png", str(self.doc)])
        pages = sorted(r.dir.glob("p*.png"))
        r.sig("pages", len(pages))
        r.sig("sha256 of the pages", sha256_files(pages) if pages else "missing")
        for f in pages:
            f.unlink()


class Openjpeg(Program):
    name, tools = "openjpeg", ("opj_compress", "opj_decompress")

    def prepare(self):
        self.side = 800 if self.quick else 2000
        self.workload = f"opj_compress and opj_decompress -threads 4: a {self.side}x{self.side} image, 3 quality layers"
        self.img = self.dir / "in.ppm"
        generate_ppm(self.img, self.side, self.side, 8)

    def run(self, r):
        r.step("compress", ["opj_compress", "-threads", "4", "-i", str(self.img), "-o", "a.j2k", "-r", "20,10,1"])
        r.step("decompress", ["opj_decompress", "-threads", "4", "-i", "a.j2k", "-o", "b.ppm"])
        sig_outputs(r, ["a.j2k", "b.ppm"])


class Siege(Program):
    name, tools = "siege", ("siege",)

    def prepare(self):
        self.reps = 30 if self.quick else 150
        self.workload = (f"siege -c 8 -r {self.reps} -b (8 client threads) against a plain python3 "
                         "ThreadingHTTPServer on 127.0.0.1")
        self.www = self.dir / "www"
        self.www.mkdir(exist_ok=True)
        (self.www / "page.bin").write_bytes(bytes(random.Random(3).getrandbits(8) for _ in range(8000)))

    def missing(self):
        return (["python3"] if not self.runner.python else []) + ([] if shutil.which("siege") else ["siege"])

    def run(self, r):
        port = free_port()
        # The server is not under test: it runs plainly in both modes.
        server = subprocess.Popen([self.runner.python, "-m", "http.server", "--bind", "127.0.0.1",
                                   "--directory", str(self.www), str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            if not wait_until(lambda: port_open(port), server, 30):
                r.problems.append("the python3 http.server did not start")
                return
            env = dict(r.env(), HOME=str(r.dir))   # siege writes ~/.siege/siege.conf on first use
            argv, env = r.wrap(["siege", "-c", "8", "-r", str(self.reps), "-b", "-q", "-j",
                                f"http://127.0.0.1:{port}/page.bin"], env, "siege")
            out, err = r.dir / "siege.stdout", r.dir / "siege.stderr"
            r.stderr_files.append(err)
            res = run_process(argv, cwd=r.dir, env=env, stdin=None, stdout=out, stderr=err,
                              timeout=self.runner.timeout_for(self.name, "siege", r.mode),
                              stall=self.args.stall_seconds, btdir=r.dir, label="siege")
            r.elapsed += res.elapsed
            self.runner.record_time(self.name, "siege", r.mode, res.elapsed)
            if res.problem:
                r.problems.append(f"siege {res.problem}")
                r.backtraces += res.backtraces
            r.sig("siege exit status", res.rc)
            try:
                stats = json.loads(out.read_text(errors="replace") or "{}")
            except ValueError:
                stats = {}
            r.sig("transactions", f"{stats.get('successful_transactions')} ok, {stats.get('failed_transactions')} failed")
        finally:
            kill_tree(server, proc_tree([server.pid]))
            server.wait()


class Chromium(Program):
    name, tools = "chromium", ("chromium",)
    workload = ("chromium --headless=new --dump-dom of a page whose script writes a sum (browser, zygotes, "
                "renderer and utility processes; PartitionAlloc, which also defines glibc's __libc_malloc)")

    def prepare(self):
        self.page = self.dir / "page.html"
        self.page.write_text("<html><body><script>let s = 0; for (let i = 0; i <= 685; i++) s += i;"
                             " document.body.textContent = 'sum ' + s;</script></body></html>\n")

    def run(self, r):
        # Its own home and profile: nothing of the caller's, nothing left behind.
        home = r.dir / "home"
        home.mkdir()
        rc, out = r.step("dump-dom", ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                      f"--user-data-dir={r.dir / 'profile'}", "--dump-dom", self.page.as_uri()],
                         extra_env={"HOME": str(home)})
        r.sig("page computed", "sum 234955" in out.read_text(errors="replace"))
        shutil.rmtree(r.dir / "profile", ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


class Lld(Program):
    name, tools = "lld", ("ld.lld", "cc")

    def prepare(self):
        self.files = 60 if self.quick else 300
        self.workload = f"ld.lld --threads=4 (via cc -fuse-ld=lld) linking {self.files} objects with debug info"
        self.objs = self.dir / "objs"
        if self.objs.exists():
            shutil.rmtree(self.objs)
        self.objs.mkdir()
        src = self.dir / "src"
        src.mkdir(exist_ok=True)
        names = []
        for i in range(self.files):
            (src / f"u{i:03d}.c").write_text(
                f"static int table[64] = {{{', '.join(str((i * 7919 + k * 31) % 1009) for k in range(64))}}};\n"
                f"int u{i:03d}(int x) {{ for (int k = 0; k < 64; k++) x = x * 33 + table[k]; return x ^ {i}; }}\n")
            names.append(f"u{i:03d}")
        calls = "".join(f"    h = u{i:03d}(h);\n" for i in range(self.files))
        protos = "".join(f"int {n}(int);\n" for n in names)
        (src / "main.c").write_text(f"#include <stdio.h>\n{protos}int main(void) {{\n    int h = 1;\n{calls}"
                                    f"    printf(\"units {self.files} hash %08x\\n\", (unsigned)h);\n    return 0;\n}}\n")
        for c in sorted(src.glob("*.c")):
            run_plain(["cc", "-O1", "-g", "-ffunction-sections", "-c", "-o", str(self.objs / (c.stem + ".o")), str(c)])

    def run(self, r):
        objs = sorted(str(o) for o in self.objs.glob("*.o"))
        r.step("link", ["cc", "-fuse-ld=lld", "-Wl,--threads=4", "-Wl,--gc-sections", "-Wl,--build-id=sha1",
                        "-o", "app"] + objs)
        app = r.dir / "app"
        r.sig("sha256 of app", sha256_file(app) if app.exists() else "missing")
        if app.exists():
            rc, out = r.step("app", [str(app)])
            r.sig("app stdout", out.read_text(errors="replace"))
            app.unlink()


ALL = (Python, Perl, Ruby, Tcl, Node, Java, Erlang, Guile,
       Sqlite, Mariadb, Redis, Memcached, Nginx, Apache, Unbound,
       Ffmpeg, Gstreamer, X264, X265, Dav1d,
       Pigz, Xz, Zstd, Pzstd, Pbzip2, Lbzip2, Plzip, Pixz, SevenZip, Sort,
       Make, CmakeNinja, Swift, Git, Lld,
       QemuImg, StressNg, Sysbench, Samtools, Fio, Stockfish, Povray, Vips, Ghostscript, Openjpeg, Siege, Chromium)
CLASSES = {c.name: c for c in ALL}
PROGRAMS = [c.name for c in ALL]


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
        # The workloads run Debian's python3 (the packaged interpreter), not
        # whichever python3 comes first in PATH.
        self.python = next((p for p in ("/usr/bin/python3",) if os.access(p, os.X_OK)), None)
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
               "counts": {}, "per_run": [], "keys": {}, "procs": 0, "problems": [], "diff": [], "lines": [],
               "backtraces": [], "skipped": None, "dir": prog.dir, "logdirs": []}
        missing = prog.missing()
        if missing:
            res["skipped"] = "missing " + ", ".join(missing)
            log(f"[{prog.name}] skipped: {res['skipped']}")
            return res
        prog.prepare()
        res["workload"] = prog.workload
        # Plain and dept runs alternate, so that both see the same load.
        runs = {"plain": [], "dept": []}
        for i in range(1, self.args.runs + 1):
            for mode in ("plain", "dept"):
                log(f"[{prog.name}] {mode} {i}/{self.args.runs}: {prog.workload} ...")
                r = Run(prog, mode, self, i)
                try:
                    prog.run(r)
                except (OSError, subprocess.SubprocessError, ValueError, EOFError) as e:
                    # A broken step must not hide the other programs' results.
                    r.problems.append(f"runner error: {e!r}")
                    r.sig("runner error", repr(e))
                runs[mode].append(r)
                log(f"[{prog.name}] {mode} {i}: {r.elapsed:.2f} s" +
                    (f"  ({'; '.join(r.problems)})" if r.problems else ""))
        res["plain"] = median([r.elapsed for r in runs["plain"]])
        res["dept"] = median([r.elapsed for r in runs["dept"]])
        # Compare: every run against the first plain run.
        ref = runs["plain"][0]
        for r in runs["plain"][1:] + runs["dept"]:
            a, b = dict(ref.signature), dict(r.signature)
            for label in list(dict.fromkeys([l for l, _ in ref.signature] + [l for l, _ in r.signature])):
                if a.get(label) != b.get(label):
                    what = f"{label} ({r.mode} run {r.index})"
                    if r.mode == "plain":
                        what += ": the workload itself is not deterministic"
                    res["diff"].append((what, a.get(label, "(absent)"), b.get(label, "(absent)")))
        for r in runs["plain"] + runs["dept"]:
            res["problems"] += [f"{r.mode} {r.index}: {p}" for p in r.problems]
            res["backtraces"] += r.backtraces
        res["same"] = not res["diff"] and not res["problems"]
        # What dept said (and what the plain runs said: it should be nothing).
        for r in runs["plain"]:
            plain_lines = collect_dept_lines(r.stderr_files, r.logdirs)
            if plain_lines:
                res["problems"].append(f"plain run {r.index} printed {len(plain_lines)} DEPT: lines "
                                       "(is dept preloaded globally?)")
                res["same"] = False
        counts, procs = {}, []
        for r in runs["dept"]:
            mine = {}
            nprocs = 0
            for l in collect_dept_lines(r.stderr_files, r.logdirs):
                k = classify(l)
                if k == "info":
                    if "dept active" in l:
                        nprocs += 1
                    continue
                mine[k] = mine.get(k, 0) + 1
                counts[k] = counts.get(k, 0) + 1
                res["lines"].append(l)
            res["per_run"].append(mine)
            procs.append(nprocs)
            for key, head in collect_report_keys(r.logdirs):
                res["keys"].setdefault(key, [head, set()])[1].add(r.index)
            res["logdirs"] += r.logdirs
        res["procs"] = max(procs) if procs else 0
        res["counts"] = counts
        return res


def median(xs):
    xs = sorted(xs)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def collect_report_keys(logdirs):
    """(key, headline) of every JSON report in the log directories."""
    keys = []
    for d in logdirs:
        if not d.is_dir():
            continue
        for f in sorted(d.iterdir()):
            try:
                text = f.read_text(errors="replace")
            except OSError:
                continue
            for raw in text.splitlines():
                if raw.startswith("{") and '"dept-report"' in raw[:60]:
                    try:
                        obj = json.loads(raw)
                    except ValueError:
                        continue
                    if obj.get("kind") in REPORT_KINDS:
                        summary = re.sub(r"\(pid \d+\)", "", obj.get("headline", "")).strip()
                        keys.append((obj.get("key", "?"), summary))
    return keys


def fmt_counts(counts):
    if not counts:
        return "none"
    return " ".join(f"{k}={counts[k]}" for k in KIND_ORDER if k in counts)


def fmt_per_run(per_run):
    """Reports ((potential) deadlocks and hangs) of each dept run, `0/0/0`;
    other DEPT: lines (warnings, stalls) are counted after it."""
    reports = "/".join(str(sum(c.get(k, 0) for k in REPORT_KINDS)) for c in per_run)
    other = sum(v for c in per_run for k, v in c.items() if k not in REPORT_KINDS)
    return reports + (f" (+{other} other)" if other else "")


def print_table(results, out=sys.stdout):
    rows = [("program", "plain (s)", "dept (s)", "ratio", "same output", "reports per run", "distinct", "procs")]
    for r in results:
        if r["skipped"]:
            rows.append((r["name"], "-", "-", "-", "skipped", r["skipped"], "-", "-"))
            continue
        ratio = f"{r['dept'] / r['plain']:.2f}x" if r["plain"] else "-"
        same = "yes" if r["same"] else "no"
        if any(re.search(r"stalled|timeout|timed out|did not", p) for p in r["problems"]):
            same = "no (hung)"
        rows.append((r["name"], f"{r['plain']:.2f}", f"{r['dept']:.2f}", ratio,
                     same, fmt_per_run(r["per_run"]), str(len(r["keys"])), str(r["procs"])))
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
    ap.add_argument("--quick", action="store_true", help="smaller workloads")
    ap.add_argument("--runs", type=int, default=1, metavar="N",
                    help="run each program N times plainly and N times under dept, alternating (default 1); "
                         "times are medians, every run's output is compared with the first plain run's")
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
    if args.runs < 1:
        ap.error("--runs must be at least 1")
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
    load0 = os.getloadavg()
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
    print(f"dept on real programs ({'quick' if args.quick else 'default'} workloads, {args.runs} run(s) each; "
          f"dept via {runner.dept.how})")
    print(f"libdept.so: {runner.dept.identity()}")
    print("load average (1/5/15 min) at start {:.2f} {:.2f} {:.2f}, at end {:.2f} {:.2f} {:.2f}; {} cores".format(
        *load0, *os.getloadavg(), os.cpu_count()))
    if not runner.dept.cli:
        print(f"note: dept-cli not used ({runner.cli_note}): LD_PRELOAD directly, "
              "DEPT_OPTIONS=log_path=<dir>/dept:verbosity=2:held_back=0:exitcode=0")
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
        nruns = len(r["per_run"])
        for key, (head, where) in r["keys"].items():
            print(f"   report {key}: {head} (in run{'s' if len(where) > 1 else ''} "
                  f"{', '.join(map(str, sorted(where)))} of {nruns})")
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
