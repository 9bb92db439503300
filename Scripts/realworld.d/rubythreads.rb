# Ruby threads workload for Scripts/realworld.
#
# Two producers feed a SizedQueue and a Queue, four consumers drain them; the
# statistics are kept under a Mutex and a Monitor (re-entered by its owner),
# a ConditionVariable gates the start and counts finished consumers. The
# output is deterministic.
#
# usage: ruby rubythreads.rb N
require 'monitor'

n = (ARGV[0] || 40_000).to_i
sized = SizedQueue.new(128)
plain = Queue.new
lock = Mutex.new
gate = ConditionVariable.new
go = false
stats_lock = Mutex.new
mon = Monitor.new
sum = 0
xor = 0
items = 0
per_queue = Hash.new(0)
finished = 0

producers = (0..1).map do |p|
  Thread.new do
    lock.synchronize { gate.wait(lock) until go }
    p.step(n - 1, 2) { |x| (x % 4 < 2 ? sized : plain) << x }
  end
end

consumers = [[sized, :sized], [sized, :sized], [plain, :plain], [plain, :plain]].map do |q, name|
  Thread.new do
    lock.synchronize { gate.wait(lock) until go }
    while (x = q.pop)
      stats_lock.synchronize do
        sum += x
        xor ^= (x * 2_654_435_761) & 0xFFFFFFFF
        items += 1
      end
      mon.synchronize { mon.synchronize { per_queue[name] += 1 } }
    end
    lock.synchronize do
      finished += 1
      gate.broadcast
    end
  end
end

lock.synchronize do
  go = true
  gate.broadcast
end
producers.each(&:join)
sized.close
plain.close
lock.synchronize { gate.wait(lock) until finished == consumers.size }
consumers.each(&:join)

puts "items #{items} (expected #{n})"
puts "sum #{sum} xor #{format('%08x', xor)}"
per_queue.keys.sort.each { |k| puts "#{k}: #{per_queue[k]}" }
exit(items == n ? 0 : 1)
