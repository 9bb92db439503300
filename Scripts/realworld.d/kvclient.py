"""memcached client for Scripts/realworld: THREADS threads, each on its own
connection, set KEYS keys of its own (text protocol), read them back, and
read every other thread's keys once all are written (a Barrier). The output
is deterministic.

usage: python3 kvclient.py memcached PORT THREADS KEYS
"""
import hashlib
import socket
import sys
import threading

_, kind, port, threads, keys = sys.argv
port, threads, keys = int(port), int(threads), int(keys)
barrier = threading.Barrier(threads)
results = [None] * threads


class Conn:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def exact(self, n):
        while len(self.buf) < n:
            self.buf += self.s.recv(65536)
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def set(self, k, v):
        self.s.sendall(b"set %s 0 0 %d\r\n%s\r\n" % (k, len(v), v))
        return self.line()

    def get(self, k):
        self.s.sendall(b"get %s\r\n" % k)
        l = self.line()
        if l == b"END":
            return None
        n = int(l.split()[3])
        v = self.exact(n + 2)[:-2]
        assert self.line() == b"END"
        return v


def value(t, i):
    return (b"value-%d-%d-" % (t, i)) * (1 + (i * 7) % 23)


def worker(t):
    c = Conn()
    stored = sum(c.set(b"rw:%d:%d" % (t, i), value(t, i)) == b"STORED" for i in range(keys))
    own = sum(c.get(b"rw:%d:%d" % (t, i)) == value(t, i) for i in range(keys))
    barrier.wait()
    h = hashlib.sha256()
    for o in range(threads):
        for i in range(0, keys, 7):
            h.update(c.get(b"rw:%d:%d" % (o, i)) or b"(missing)")
    results[t] = (stored, own, h.hexdigest()[:16])


ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
ok = True
for t, res in enumerate(results):
    print(f"thread {t}: {res}")
    ok = ok and res is not None and res[0] == keys and res[1] == keys
print(f"all keys: {'ok' if ok and len({r[2] for r in results}) == 1 else 'MISMATCH'}")
sys.exit(0 if ok else 1)
