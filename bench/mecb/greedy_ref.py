"""Reference greedy minimum-entropy coupling (Kocaoglu et al., AAAI 2017) in plain Python.

A straightforward implementation written for the boundlab benchmark: one max-heap per marginal
(heapq on negated masses, ties to the lowest index), take both tops, emit the smaller mass,
push back the remainder. The same dust rule as the Rust code: a remainder at most 64 machine
epsilons of the entry it was cut from counts as used up.

Usage: python greedy_ref.py FILE N   (FILE holds 2N little-endian doubles: p then q)
Prints: N seconds entropy cells
"""

import heapq
import math
import sys
import time
from array import array

DUST = 64 * sys.float_info.epsilon


def greedy_coupling(p, q):
    """Returns the cells [(i, j, mass)] of the greedy coupling of p and q."""
    hp = [(-x, i) for i, x in enumerate(p) if x > 0]
    hq = [(-x, j) for j, x in enumerate(q) if x > 0]
    heapq.heapify(hp)
    heapq.heapify(hq)
    cells = []
    while hp and hq:
        a, i = hp[0]
        b, j = hq[0]
        a, b = -a, -b
        m = a if a < b else b
        cells.append((i, j, m))
        ra = a - m
        if ra > DUST * a:
            heapq.heapreplace(hp, (-ra, i))
        else:
            heapq.heappop(hp)
        rb = b - m
        if rb > DUST * b:
            heapq.heapreplace(hq, (-rb, j))
        else:
            heapq.heappop(hq)
    return cells


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    data = array("d")
    with open(path, "rb") as f:
        data.frombytes(f.read())
    if sys.byteorder != "little":
        data.byteswap()
    p, q = data[:n].tolist(), data[n:].tolist()
    t = time.perf_counter()
    cells = greedy_coupling(p, q)
    seconds = time.perf_counter() - t
    entropy = -sum(m * math.log2(m) for _, _, m in cells)
    print(f"{n} {seconds:.6f} {entropy:.12f} {len(cells)}")


if __name__ == "__main__":
    main()
