# Tcl Thread package workload for Scripts/realworld.
#
# A tpool of 4 workers sums slices of 0..N-1 (jobs posted, waited for and
# collected), while 3 threads made with thread::create count into shared
# variables (tsv) under a thread::mutex and report through a thread::cond;
# the main thread also gathers their answers through thread::send -async and
# vwait. The output is deterministic.
#
# usage: tclsh tclthreads.tcl N
package require Thread

set n [expr {[llength $argv] ? [lindex $argv 0] : 200000}]
set slices 64

tsv::set stats sum 0
tsv::set stats done 0
set mutex [thread::mutex create]
set cond [thread::cond create]

# Pool: each job sums one slice and adds it to the shared total.
set pool [tpool::create -minworkers 4 -maxworkers 4 -initcmd {package require Thread}]
set jobs {}
for {set i 0} {$i < $slices} {incr i} {
    lappend jobs [tpool::post $pool [list apply {{i slices n} {
        set s 0
        for {set k $i} {$k < $n} {incr k $slices} {
            incr s [expr {($k * 7919) % 1000003}]
        }
        tsv::incr stats sum $s
        return $s
    }} $i $slices $n]]
}
set total 0
set pending $jobs
while {[llength $pending]} {
    foreach job [tpool::wait $pool $pending pending] {
        incr total [tpool::get $pool $job]
    }
}
tpool::release $pool

# Threads: count under a thread::mutex, signal a thread::cond when done.
set workers {}
for {set w 0} {$w < 3} {incr w} {
    lappend workers [thread::create -joinable {thread::wait}]
}
set w 0
foreach t $workers {
    thread::send -async $t [list apply {{w n mutex cond} {
        set mine 0
        for {set k $w} {$k < $n} {incr k 3} {
            if {$k % 1000 == 0} {
                thread::mutex lock $mutex
                tsv::incr stats marks
                thread::mutex unlock $mutex
            }
            incr mine [expr {$k % 97}]
        }
        thread::mutex lock $mutex
        tsv::incr stats done
        thread::cond notify $cond
        thread::mutex unlock $mutex
        return $mine
    }} $w $n $mutex $cond] result($w)
    incr w
}
thread::mutex lock $mutex
while {[tsv::get stats done] < 3} {
    thread::cond wait $cond $mutex
}
thread::mutex unlock $mutex
set mod 0
for {set w 0} {$w < 3} {incr w} {
    if {![info exists result($w)]} { vwait result($w) }
    incr mod $result($w)
}
foreach t $workers {
    thread::release $t
    thread::join $t
}
thread::cond destroy $cond
thread::mutex destroy $mutex

puts "slices $slices total $total shared [tsv::get stats sum]"
puts "marks [tsv::get stats marks] mod-sum $mod"
exit [expr {$total == [tsv::get stats sum] ? 0 : 1}]
