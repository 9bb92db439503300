#!/usr/bin/env python3
"""Runner of Scripts/ported-suites (which fetches and builds first; see its
--help).

Runs every variant (tests.py) plainly and under each given libdept.so
(LD_PRELOAD=LIB DEPT_OPTIONS=exitcode=0[:suppressions=...]), one after the
other in that order, each under `timeout -k 5 TIMEOUT`, in a fresh
WORK/out/<suite>/<name>/ (files <mode>[.rN].{out,err,rc,time}, the command
in cmd, the working directory cwd/; a stderr above 8 MB is cut, see trim).
With two libraries, the variants whose first runs differ are run --reruns
more rounds (plain, old, new each), so that noise can be told from a change. Writes WORK/report.txt and
WORK/summary.json, prints the report, and exits 1 when a variant DIFFERS
(compare.py), else 0; 2 on a setup error.

  run.py --work WORK [--old LIB] [--new LIB] [-j N] [--reruns K]
         [--filter REGEX] [--timeout SECONDS]"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402
import tests  # noqa: E402

# Known to take 10-60 s (timeouts, sleeps): started first, so that -j N drains evenly.
SLOW = ('helgrind/pth_cond_destroy_busy', 'helgrind/annotate_rwlock',
        'helgrind/shmem_abits', 'helgrind/bar_bad')


ERR_CAP = 8 << 20


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def trim(path, cap=ERR_CAP):
    """Shorten a stderr file above cap bytes to its first and last cap/2
    bytes (whole lines) and, from the part between, the lines containing
    `DEPT:` or `key: `, so that compare.py sees every verdict. (helgrind's
    shmem_abits checks valgrind's shadow memory through client requests,
    no-ops natively, and prints 2 GB of failed checks per run.)"""
    size = os.path.getsize(path)
    if size <= cap:
        return
    with open(path, 'rb') as f, open(path + '.trim', 'wb') as o:
        head = f.read(cap // 2)
        head = head[:head.rfind(b'\n') + 1]
        o.write(head)
        f.seek(size - cap // 2)
        tail = f.read()
        tail = tail[tail.find(b'\n') + 1:]
        start, end = len(head), size - len(tail)
        o.write(b'[ported-suites: %d bytes cut here; their lines containing "DEPT:" or "key: " follow]\n'
                % (end - start))
        f.seek(start)
        left, carry = end - start, b''
        while left > 0 or carry:
            chunk = f.read(min(left, 16 << 20)) if left > 0 else b''
            left -= len(chunk)
            buf = carry + chunk
            cut = len(buf) if left <= 0 else buf.rfind(b'\n') + 1
            buf, carry = buf[:cut], buf[cut:]
            starts = set()
            for pat in (b'DEPT:', b'key: '):
                i = buf.find(pat)
                while i != -1:
                    starts.add(buf.rfind(b'\n', 0, i) + 1)
                    j = buf.find(b'\n', i)
                    i = -1 if j == -1 else buf.find(pat, j)
            for a in sorted(starts):
                b_ = buf.find(b'\n', a)
                o.write(buf[a:] + b'\n' if b_ == -1 else buf[a:b_ + 1])
        o.write(b'[ported-suites: end of the cut]\n')
        o.write(tail)
    os.replace(path + '.trim', path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--work', required=True)
    ap.add_argument('--old')
    ap.add_argument('--new')
    ap.add_argument('-j', type=int, default=1)
    ap.add_argument('--reruns', type=int, default=3)
    ap.add_argument('--filter')
    ap.add_argument('--timeout', default='60')
    a = ap.parse_args()

    libs = {m: os.path.abspath(p) for m, p in (('old', a.old), ('new', a.new)) if p}
    if not libs:
        log('ported-suites: no library to run (--old/--new)')
        return 2
    try:
        rx = re.compile(a.filter) if a.filter else None
    except re.error as e:
        log('ported-suites: --filter %r: %s' % (a.filter, e))
        return 2
    variants = tests.all_tests(a.work)
    if not variants:
        log('ported-suites: no test binaries under %s/build (run without --no-build)' % a.work)
        return 2
    if rx:
        variants = [t for t in variants if rx.search(t[0] + '/' + t[1])]
        if not variants:
            log('ported-suites: --filter %r selects no variant' % a.filter)
            return 2
    variants.sort(key=lambda t: (t[0] + '/' + t[1]).split('.')[0] not in SLOW)
    modes = ['plain'] + list(libs)
    out = os.path.join(a.work, 'out')
    shutil.rmtree(out, ignore_errors=True)

    def run_one(t, mode, tag):
        suite, name, binary, args, extra = t
        d = os.path.join(out, suite, name)
        cwd = os.path.join(d, 'cwd')
        os.makedirs(cwd, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ('LD_PRELOAD', 'DEPT_OPTIONS')}
        if mode != 'plain':
            env['DEPT_OPTIONS'] = 'exitcode=0' + (':' + extra if extra else '')
            env['LD_PRELOAD'] = libs[mode]
        base = os.path.join(d, mode + tag)
        cmd = ['timeout', '-k', '5', a.timeout, binary] + (args.split() if args else [])
        t0 = time.time()
        with open(base + '.out', 'wb') as o, open(base + '.err', 'wb') as e:
            rc = subprocess.call(cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                                 cwd=cwd, env=env)
        dt = time.time() - t0
        trim(base + '.err')
        with open(base + '.rc', 'w') as f:
            f.write('%d\n' % rc)
        with open(base + '.time', 'w') as f:
            f.write('%.2f\n' % dt)
        with open(os.path.join(d, 'cmd'), 'w') as c:
            c.write(' '.join(cmd) + '\n')
            if extra:
                c.write('extra DEPT_OPTIONS: ' + extra + '\n')
        return '%s%s=%d(%.1fs)' % (mode, tag, rc, dt)

    def run_rounds(t, rounds):
        res = []
        for r in rounds:
            tag = '.r%d' % r if r else ''
            for m in modes:
                res.append(run_one(t, m, tag))
        log('  %-9s %-42s %s' % (t[0], t[1], ' '.join(res)))

    t0 = time.time()
    log('ported-suites: running %d variants (%s), -j %d, timeout %s s'
        % (len(variants), ', '.join(modes), a.j, a.timeout))
    with ThreadPoolExecutor(max_workers=max(1, a.j)) as ex:
        list(ex.map(lambda t: run_rounds(t, [0]), variants))
    lnames = list(libs)
    rows = compare.collect(out, lnames)
    if len(lnames) == 2 and a.reruns > 0:
        again = {(r['suite'], r['name']) for r in rows if r['status'] != 'same'}
        sel = [t for t in variants if (t[0], t[1]) in again]
        if sel:
            log('ported-suites: %d variant(s) differ on the first run, %d more round(s) each: %s'
                % (len(sel), a.reruns, ' '.join(t[0] + '/' + t[1] for t in sel)))
            with ThreadPoolExecutor(max_workers=max(1, a.j)) as ex:
                list(ex.map(lambda t: run_rounds(t, range(1, a.reruns + 1)), sel))
            rows = compare.collect(out, lnames)
    txt, status = compare.report(rows, lnames)
    head = ''.join('%s = %s\n' % (m, p) for m, p in libs.items())
    txt = head + '\n' + txt + 'run time %.0f s\n' % (time.time() - t0)
    with open(os.path.join(a.work, 'report.txt'), 'w') as f:
        f.write(txt)
    with open(os.path.join(a.work, 'summary.json'), 'w') as f:
        json.dump({'libraries': libs, 'rows': rows}, f, indent=1)
    sys.stdout.write(txt)
    return status


if __name__ == '__main__':
    sys.exit(main())
