#!/usr/bin/env python3
"""The test variants of Scripts/ported-suites: one per RUN line of a TSan test
and one per helgrind .vgtest file, as tuples

    (suite, name, binary, args, extra DEPT_OPTIONS)

from the binaries build.sh left in WORK/build/. `tests.py WORK` prints them
tab-separated.

TSan: the args and suppression files of the RUN lines that change what runs
(mutex_cycle_long 5..30, mutex_lock_destroyed with and without 1,
mutex_cycle2 with TSan's `deadlock:main` and `deadlock:zzzz` suppressions,
which dept reads in the same syntax, and suppressions_mutex with its
`mutex:` suppression file, a kind dept skips with a note).
Helgrind: one variant per .vgtest (its prog and args; `prereq: false` ones
are kept, with .prereq_false in the name), then every binary no .vgtest
runs (.novgtest)."""
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _executables(d):
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        p = os.path.join(d, f)
        if f.endswith('.so') or not os.path.isfile(p) or not os.access(p, os.X_OK):
            continue
        yield f, p


def tsan(work):
    supp = os.path.join(HERE, 'tsan', 'supp')
    src = os.path.join(work, 'llvm', 'compiler-rt', 'test', 'tsan')
    out = []
    for f, p in _executables(os.path.join(work, 'build', 'tsan')):
        if f == 'mutex_cycle_long':        # RUN: %t 5 / 10 / 15 / 20 / 30
            for a in ('5', '10', '15', '20', '30'):
                out.append(('tsan', f + '.' + a, p, a, ''))
        elif f == 'mutex_lock_destroyed':  # RUN: %t ; %t 1
            out.append(('tsan', f, p, '', ''))
            out.append(('tsan', f + '.1', p, '1', ''))
        elif f == 'mutex_cycle2':
            out.append(('tsan', f, p, '', ''))
            out.append(('tsan', f + '.supp_main', p, '',
                        'suppressions=' + os.path.join(supp, 'deadlock_main.supp')))
            out.append(('tsan', f + '.supp_zzzz', p, '',
                        'suppressions=' + os.path.join(supp, 'deadlock_zzzz.supp')))
        elif f == 'suppressions_mutex':
            out.append(('tsan', f, p, '', ''))
            out.append(('tsan', f + '.supp', p, '',
                        'suppressions=' + os.path.join(src, 'suppressions_mutex.cpp.supp')))
        else:
            out.append(('tsan', f, p, '', ''))
    return out


def helgrind(work):
    tests = os.path.join(work, 'valgrind', 'helgrind', 'tests')
    b = os.path.join(work, 'build', 'helgrind')
    out = []
    used = set()
    for vg in sorted(glob.glob(os.path.join(tests, '*.vgtest'))):
        prog = args = None
        prereq_false = False
        with open(vg) as fh:
            for line in fh:
                m = re.match(r'^prog:\s*(\S+)', line)
                if m:
                    prog = os.path.basename(m.group(1))
                m = re.match(r'^args:\s*(.*\S)?\s*$', line)
                if m:
                    args = m.group(1) or ''
                if re.match(r'^prereq:\s*false\s*$', line):
                    prereq_false = True
        if not prog or not os.path.exists(os.path.join(b, prog)):
            continue
        name = os.path.basename(vg)[:-len('.vgtest')]
        used.add(prog)
        out.append(('helgrind', name + ('.prereq_false' if prereq_false else ''),
                    os.path.join(b, prog), args or '', ''))
    for f, p in _executables(b):
        if f not in used:
            out.append(('helgrind', f + '.novgtest', p, '', ''))
    return out


def all_tests(work):
    return tsan(work) + helgrind(work)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: tests.py WORK')
    for t in all_tests(sys.argv[1]):
        print('\t'.join(t))
