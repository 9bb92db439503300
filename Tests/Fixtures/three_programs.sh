#!/bin/sh
# Starts three programs, one after the other, the way a test script would:
#   abba             (Examples/abba.c)        a potential AB-BA deadlock
#   consistent_order (Examples/consistent_order.c)  clean
#   fork_abba        (Tests/Fixtures/fork_abba.c)   forks a child that has an
#                                                   AB-BA inversion
# Each line "started <name> <pid>" names the pid of the program (exec keeps
# the pid of the `sh -c`). The script itself always exits 0: only dept's
# collected reports can make the run fail.
# usage: three_programs.sh BINDIR
bin="$1"
for prog in abba consistent_order fork_abba; do
    sh -c 'echo "started $1 $$"; exec "$0"' "$bin/$prog" "$prog"
done
exit 0
