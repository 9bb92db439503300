"""Python threading workload for Scripts/realworld.

Two producers and two consumers (4 threads) move N items: even items go
through a queue.Queue, odd items through a bounded buffer built from a
Condition (over a Lock) and a BoundedSemaphore. Statistics are kept under an
RLock taken recursively and a plain Lock; an Event gates the start, a
Barrier lines the producers up, joins end it. The output is deterministic.

usage: python3 pythreads.py N
"""
import collections
import sys
import threading
import queue

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
PRODUCERS = 2
DONE = None


class BoundedBuffer:
    def __init__(self, capacity):
        self.cond = threading.Condition(threading.Lock())
        self.slots = threading.BoundedSemaphore(capacity)
        self.items = collections.deque()

    def put(self, x):
        self.slots.acquire()
        with self.cond:
            self.items.append(x)
            self.cond.notify()

    def get(self):
        with self.cond:
            while not self.items:
                self.cond.wait()
            x = self.items.popleft()
        self.slots.release()
        return x


class Stats:
    def __init__(self):
        self.rlock = threading.RLock()
        self.lock = threading.Lock()
        self.count = collections.Counter()
        self.sums = collections.Counter()
        self.xor = 0
        self.events = 0

    def add(self, who, x):
        with self.rlock:
            with self.rlock:          # recursive re-acquisition by the owner
                self.count[who] += 1
                self.sums[who] += x
        with self.lock:
            self.xor ^= (x * 2654435761) & 0xFFFFFFFF
            self.events += 1


q = queue.Queue(maxsize=512)
buf = BoundedBuffer(256)
stats = Stats()
go = threading.Event()
lineup = threading.Barrier(PRODUCERS)


def producer(p):
    go.wait()
    lineup.wait()
    for x in range(p, N, PRODUCERS):
        if x % 2 == 0:
            q.put(x)
        else:
            buf.put(x)
    q.put(DONE)
    buf.put(DONE)


def consumer(name, get):
    go.wait()
    finished = 0
    while finished < PRODUCERS:
        x = get()
        if x is DONE:
            finished += 1
            continue
        stats.add(name, x)


threads = [threading.Thread(target=producer, args=(p,), name=f"producer-{p}") for p in range(PRODUCERS)]
threads.append(threading.Thread(target=consumer, args=("queue", q.get), name="consumer-queue"))
threads.append(threading.Thread(target=consumer, args=("cond", buf.get), name="consumer-cond"))
for t in threads:
    t.start()
go.set()
for t in threads:
    t.join()

assert q.empty() and not buf.items
print(f"items {stats.events} (expected {N})")
for who in sorted(stats.count):
    print(f"{who}: count {stats.count[who]} sum {stats.sums[who]}")
print(f"xor {stats.xor:08x}")
sys.exit(0 if stats.events == N else 1)
