#!/usr/bin/env python3
"""Verdicts of Scripts/ported-suites: read the runs run.py left in
WORK/out/<suite>/<name>/<mode>[.rN].{out,err,rc,time} (mode: plain, and old
and/or new) and compare them.

For every variant and run (the first, then the reruns .r1 .. .rK if any):
  rc              exit status (124/137: the 60 s timeout, a hang)
  stdout==plain   whether the run's stdout equals the first plain run's
  verdicts        the set of `DEPT:` lines, with pids, tids, addresses,
                  thread names and millisecond counts normalised away
  keys            the set of `key: ` lines (report keys)
  class           reported (a `DEPT: potential deadlock`, `deadlock` or
                  `hang` line), warning (only `DEPT: warning:` lines),
                  silent

With two libraries, a variant "differs" when old and new differ on the first
run in class, verdicts, keys, rc or stdout==plain. After reruns it is
"noise" when some outcome (those five together) occurs on both sides in one
of the runs, else DIFFERS; without reruns it stays "DIFFERS (no reruns)".

  compare.py --out DIR [--libs old,new] [--filter REGEX]
re-reports an existing out directory (report on stdout; exit 1 when a
variant DIFFERS)."""
import argparse
import glob
import os
import re
import sys

REPORTED = re.compile(r'^DEPT: (potential deadlock|deadlock|hang)\b')


def norm(line):
    line = re.sub(r'\(pid \d+\)', '(pid N)', line)
    line = re.sub(r'\btid \d+', 'tid N', line)
    line = re.sub(r'\b\d+ ms\b', 'N ms', line)
    line = re.sub(r'0x[0-9a-f]+', '0xADDR', line)
    line = re.sub(r'\bT\d+\b', 'Tn', line)
    return line.rstrip()


def read(p, binary=False):
    try:
        with open(p, 'rb') as f:
            d = f.read()
        return d if binary else d.decode('utf-8', 'replace')
    except FileNotFoundError:
        return None


def outcome(d, mode, tag, plain_out):
    base = os.path.join(d, mode + tag)
    rc = read(base + '.rc')
    if rc is None:
        return None
    rc = int(rc)
    err = read(base + '.err') or ''
    out = read(base + '.out', True)
    verdicts, keys = set(), set()
    for line in err.splitlines():
        s = line.strip()
        if s.startswith('DEPT:'):
            verdicts.add(norm(s))
        elif s.startswith('key: '):
            keys.add(s[5:].strip())
    if any(REPORTED.match(v) for v in verdicts):
        cls = 'reported'
    elif any(v.startswith('DEPT: warning:') for v in verdicts):
        cls = 'warning'
    else:
        cls = 'silent'
    return {'rc': rc, 'hang': rc in (124, 137),
            'crash': rc < 0 or (rc >= 128 and rc not in (124, 137)),
            'stdout_eq_plain': out == plain_out, 'class': cls,
            'verdicts': sorted(verdicts), 'keys': sorted(keys)}


def sig(o):
    return (o['class'], tuple(o['verdicts']), tuple(o['keys']), o['rc'],
            o['stdout_eq_plain'])


def tags_of(d):
    """'' for the first run, then '.r1' .. '.rK' for the reruns found."""
    rs = {os.path.basename(p).split('.')[1] for p in glob.glob(os.path.join(d, 'plain.r*.rc'))}
    return [''] + ['.' + r for r in sorted(rs, key=lambda t: int(t[1:]))]


def collect(out, libs, flt=None):
    """One row per variant directory under out (suite/name)."""
    rows = []
    rx = re.compile(flt) if flt else None
    for d in sorted(glob.glob(os.path.join(out, '*', '*'))):
        if not os.path.isdir(d):
            continue
        suite, name = d.split(os.sep)[-2:]
        if rx and not rx.search(suite + '/' + name):
            continue
        plain_rc = read(os.path.join(d, 'plain.rc'))
        if plain_rc is None:
            continue
        plain_out = read(os.path.join(d, 'plain.out'), True)
        tags = tags_of(d)
        plain_rcs = []
        for t in tags:
            r = read(os.path.join(d, 'plain' + t + '.rc'))
            plain_rcs.append(int(r) if r is not None else int(plain_rc))
        res = {}
        for m in libs:
            res[m] = [o for o in (outcome(d, m, t, plain_out) for t in tags) if o]
        if any(not res[m] for m in libs):
            continue
        row = {'suite': suite, 'name': name, 'plain_rc': int(plain_rc),
               'plain_rcs': plain_rcs, 'status': 'same', 'allruns': 'same'}
        row.update(res)
        if len(libs) == 2:
            a, b = libs
            sa, sb = {sig(o) for o in res[a]}, {sig(o) for o in res[b]}
            if sig(res[a][0]) != sig(res[b][0]):
                if len(res[a]) == 1:
                    row['status'] = 'DIFFERS (no reruns)'
                else:
                    row['status'] = 'noise' if sa & sb else 'DIFFERS'
            row['allruns'] = 'same' if sa == sb else ('overlap' if sa & sb else 'disjoint')
        rows.append(row)
    return rows


def brief(o):
    kinds = sorted({re.sub(r':.*', '', v[6:]) if REPORTED.match(v) or v.startswith('DEPT: warning')
                    else v for v in o['verdicts'] if not v.startswith('DEPT: info')})
    return 'rc=%d %s keys=%s stdout%splain%s' % (
        o['rc'], o['class'], ','.join(o['keys']) or '-',
        '==' if o['stdout_eq_plain'] else '!=',
        ' [%s]' % '; '.join(kinds) if kinds else '')


def count(outcomes):
    c = {'reported': 0, 'warning': 0, 'silent': 0}
    for o in outcomes:
        c[o['class']] += 1
    return '%d reported / %d warning / %d silent' % (c['reported'], c['warning'], c['silent'])


def report(rows, libs):
    """The report text and the exit status (1 when a variant DIFFERS)."""
    L = []
    P = L.append
    suites = {}
    for r in rows:
        suites[r['suite']] = suites.get(r['suite'], 0) + 1
    P('Per-variant first-run results (plain exit status | %s; keys: report keys; [kinds of DEPT: lines]):'
      % ' | '.join(libs))
    for r in rows:
        P('  %-9s %-42s plain rc=%-3d | %s%s' % (
            r['suite'], r['name'], r['plain_rc'],
            ' | '.join('%s %s' % (m, brief(r[m][0])) for m in libs),
            '' if r['status'] == 'same' else '  <%s>' % r['status']))
    P('')
    if len(libs) == 2:
        a, b = libs
        diff = [r for r in rows if r['status'] != 'same']
        P('Variants where %s and %s differ on the first run: %d' % (a, b, len(diff)))
        for r in diff:
            P('  %s/%s: %s (plain rc=%d)' % (r['suite'], r['name'], r['status'], r['plain_rc']))
            for m in libs:
                for i, o in enumerate(r[m]):
                    P('      %s run%d: %s' % (m, i, brief(o)))
            for m in libs:
                P('      %s first-run DEPT lines: %s' % (m, r[m][0]['verdicts'] or '-'))
        P('')
        multi = [r for r in rows if len(r[a]) > 1 and r['allruns'] != 'same']
        if multi:
            P('Variants whose set of %s outcomes over all runs differs from the set of %s outcomes: %d'
              % (a, b, len(multi)))
            for r in multi:
                P('  %s/%s: %s' % (r['suite'], r['name'], r['allruns']))
            P('')
    hc = []
    for r in rows:
        for m in libs:
            for i, o in enumerate(r[m]):
                if (o['hang'] or o['crash']) and o['rc'] != r['plain_rcs'][i]:
                    hc.append('  %s/%s %s run%d rc=%d (plain run%d rc=%d)'
                              % (r['suite'], r['name'], m, i, o['rc'], i, r['plain_rcs'][i]))
    P('Runs under dept that hung (timeout) or died of a signal where the plain run of the same round did not: %d'
      % len(hc))
    L.extend(hc)
    P('')
    n = len(L)
    P('Exit status differing from plain (first run; expected where dept reports a live deadlock or hang'
      ' and exits 1, or the test is nondeterministic):')
    for r in rows:
        for m in libs:
            o = r[m][0]
            if o['rc'] != r['plain_rc']:
                P('  %s/%s %s rc=%d plain rc=%d %s' % (r['suite'], r['name'], m, o['rc'],
                                                       r['plain_rc'], o['class']))
    if len(L) == n + 1:
        P('  none')
    P('')
    P('First-run verdict classes:')
    for m in libs:
        P('  %-4s %s' % (m, count(r[m][0] for r in rows)))
        for s in sorted(suites):
            P('    %-9s %s' % (s, count(r[m][0] for r in rows if r['suite'] == s)))
    nruns = sum(len(r[libs[0]]) for r in rows)
    if nruns > len(rows):
        P('All runs (first runs and reruns, %d per library):' % nruns)
        for m in libs:
            P('  %-4s %s' % (m, count(o for r in rows for o in r[m])))
    P('')
    status = 0
    line = 'summary: %d variants (%s)' % (len(rows), ', '.join(
        '%s %d' % kv for kv in sorted(suites.items())))
    for m in libs:
        line += '; %s: %s' % (m, count(r[m][0] for r in rows))
    if len(libs) == 2:
        ndiff = sum(1 for r in rows if r['status'].startswith('DIFFERS'))
        nnoise = sum(1 for r in rows if r['status'] == 'noise')
        line += '; %s vs %s: %d differ, %d noise' % (libs[0], libs[1], ndiff, nnoise)
        status = 1 if ndiff else 0
    P(line)
    return '\n'.join(L) + '\n', status


def main():
    ap = argparse.ArgumentParser(description='Re-report a Scripts/ported-suites out directory.')
    ap.add_argument('--out', required=True)
    ap.add_argument('--libs', default='old,new')
    ap.add_argument('--filter', default=None, help='regex on suite/name')
    a = ap.parse_args()
    libs = a.libs.split(',')
    rows = collect(a.out, libs, a.filter)
    txt, status = report(rows, libs)
    sys.stdout.write(txt)
    return status


if __name__ == '__main__':
    sys.exit(main())
