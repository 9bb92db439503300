"""DNS client for Scripts/realworld: THREADS threads, each on its own UDP
socket, ask the server for NAMES names of the local zone rw.test (A records)
and one name that is not in it (NXDOMAIN), in a deterministic order, and
check every answer. The output is deterministic.

usage: python3 dnsclient.py PORT THREADS NAMES
"""
import hashlib
import socket
import struct
import sys
import threading

_, port, threads, names = sys.argv
port, threads, names = int(port), int(threads), int(names)
results = [None] * threads


def query(sock, qid, name):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"
    q += struct.pack(">HH", 1, 1)
    for _ in range(5):
        sock.sendto(q, ("127.0.0.1", port))
        try:
            data, _ = sock.recvfrom(4096)
        except socket.timeout:
            continue
        rid, flags, qd, an = struct.unpack(">HHHH", data[:8])
        if rid != qid:
            continue
        rcode = flags & 0xF
        if an == 0:
            return f"rcode {rcode}"
        # Answer: after the question; the name is a 2-byte pointer.
        off = 12
        while data[off]:
            off += data[off] + 1
        off += 5
        rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", data[off + 2:off + 12])
        return ".".join(str(b) for b in data[off + 12:off + 12 + rdlen])
    return "no answer"


def worker(t):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    h = hashlib.sha256()
    ok = 0
    for i in range(names):
        n = (i * 7 + t * 13) % names
        got = query(s, (t * names + i) & 0xFFFF, f"h{n}.rw.test.")
        ok += got == f"10.0.{n // 256}.{n % 256}"
        h.update(got.encode())
    missing = query(s, 0xFFFE, f"absent{t}.rw.test.")
    results[t] = (ok, missing, h.hexdigest()[:16])


ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
good = True
for t, r in enumerate(results):
    print(f"thread {t}: {r}")
    good = good and r is not None and r[0] == names
sys.exit(0 if good else 1)
