# Perl ithreads workload for Scripts/realworld.
#
# Two producers feed a bounded Thread::Queue, three consumers drain it (the
# queue is ended once the producers are joined); a Thread::Semaphore limits
# the consumers inside the shared statistics, which are kept under lock() with
# cond_wait/cond_broadcast hand-shakes (a start gate and a finish count). The
# output is deterministic.
#
# usage: perl perlthreads.pl N
use strict;
use warnings;
use threads;
use threads::shared;
use Thread::Queue;
use Thread::Semaphore;

my $N = shift // 40000;
my $queue = Thread::Queue->new();
$queue->limit = 256;
my $sem = Thread::Semaphore->new(2);
my $sum :shared = 0;
my $xor :shared = 0;
my $items :shared = 0;
my %by_parity :shared = (even => 0, odd => 0);
my $go :shared = 0;
my $finished :shared = 0;

sub wait_for_go {
    lock($go);
    cond_wait($go) until $go;
}

sub producer {
    my ($p) = @_;
    wait_for_go();
    for (my $x = $p; $x < $N; $x += 2) {
        $queue->enqueue($x);
    }
    return 0;
}

sub consumer {
    wait_for_go();
    my $mine = 0;
    while (defined(my $x = $queue->dequeue())) {
        $sem->down();
        {
            lock($sum);
            $sum += $x;
            $xor ^= ($x * 2654435761) & 0xFFFFFFFF;
            $items++;
        }
        {
            lock(%by_parity);
            $by_parity{$x % 2 ? 'odd' : 'even'}++;
        }
        $sem->up();
        $mine++;
    }
    {
        lock($finished);
        $finished++;
        cond_broadcast($finished);
    }
    return $mine;
}

my @producers = map { threads->create(\&producer, $_) } 0 .. 1;
my @consumers = map { threads->create(\&consumer) } 0 .. 2;
{
    lock($go);
    $go = 1;
    cond_broadcast($go);
}
$_->join() for @producers;
$queue->end();
{
    lock($finished);
    cond_wait($finished) until $finished == 3;
}
my $total = 0;
$total += $_->join() for @consumers;

printf "items %d (expected %d), consumed %d\n", $items, $N, $total;
printf "sum %d even %d odd %d xor %08x\n", $sum, $by_parity{even}, $by_parity{odd}, $xor;
exit($items == $N ? 0 : 1);
