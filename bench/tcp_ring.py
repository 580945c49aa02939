#!/usr/bin/env python3
"""A ring AllReduce's traffic over plain TCP, without Gloo or sgp: what the
links themselves allow (issue 11: ar-sgd across processes is 10-15 % slower
than the emulator's ring model, cause not found).

Rank r connects to rank r+1 and accepts rank r-1. An iteration is the ring's
2 (P - 1) steps; in each a rank sends one chunk (BYTES / P) to the next
rank in SEGMENTS pieces while it receives one from the previous rank, and
it sends piece j of step s only after piece j of step s - 1 has arrived
(the reduce-scatter's and all-gather's dependency). No arithmetic: bytes
only. Prints the mean seconds per iteration after WARMUP iterations, and
the emulator's model of the same ring (every step a chunk on the wire at
the payload rate given, frames included) for comparison.

  tcp_ring.py RANK HOSTS(comma-separated) PORT BYTES ITERATIONS [SEGMENTS=8] [WARMUP=5] [RATE_MBIT]
"""
import socket
import sys
import threading
import time


def recv_exact(sock, view):
    got = 0
    while got < len(view):
        n = sock.recv_into(view[got:])
        if n == 0:
            raise ConnectionError("the previous rank closed the connection")
        got += n


def connect(host, port, deadline):
    while True:
        try:
            return socket.create_connection((host, port), timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main():
    rank, hosts, port = int(sys.argv[1]), sys.argv[2].split(","), int(sys.argv[3])
    total, iterations = int(sys.argv[4]), int(sys.argv[5])
    segments = int(sys.argv[6]) if len(sys.argv) > 6 else 8
    warmup = int(sys.argv[7]) if len(sys.argv) > 7 else 5
    rate_mbit = float(sys.argv[8]) if len(sys.argv) > 8 else 0.0
    size = len(hosts)
    piece = total // size // segments
    steps = 2 * (size - 1)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((hosts[rank], port))
    listener.listen(1)
    deadline = time.monotonic() + 30
    out = connect(hosts[(rank + 1) % size], port, deadline)
    inc, _ = listener.accept()
    for s in (out, inc):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(60)

    send_buf = bytearray(piece)
    recv_buf = bytearray(piece)
    received = 0
    cond = threading.Condition()

    def receiver(count):
        nonlocal received
        view = memoryview(recv_buf)
        for _ in range(count):
            recv_exact(inc, view)
            with cond:
                received += 1
                cond.notify()

    times = []
    for it in range(iterations + warmup):
        # Every rank starts an iteration together: a one-byte token round.
        if rank == 0:
            out.sendall(b"t")
            recv_exact(inc, memoryview(bytearray(1)))
            out.sendall(b"g")
            recv_exact(inc, memoryview(bytearray(1)))
        else:
            recv_exact(inc, memoryview(bytearray(1)))
            out.sendall(b"t")
            recv_exact(inc, memoryview(bytearray(1)))
            out.sendall(b"g")
        with cond:
            received = 0
        t0 = time.monotonic()
        th = threading.Thread(target=receiver, args=(steps * segments,))
        th.start()
        for s in range(steps):
            for j in range(segments):
                if s > 0:
                    need = (s - 1) * segments + j + 1
                    with cond:
                        cond.wait_for(lambda: received >= need)
                out.sendall(send_buf)
        th.join()
        if it >= warmup:
            times.append(time.monotonic() - t0)
    mean = sum(times) / len(times)
    line = f"rank {rank}: {mean:.4f} s per iteration ({len(times)} iterations, {steps} steps of {piece * segments} bytes)"
    if rate_mbit > 0:
        payload = rate_mbit * 1e6 / 8 * 1448 / (1448 + 66)
        model = steps * piece * segments / payload
        line += f"; the link model: {model:.4f} s, ratio {mean / model:.2f}"
    print(line, flush=True)


if __name__ == "__main__":
    main()
