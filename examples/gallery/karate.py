"""Gallery: the matched group of heat kernel of the karate-club graph (networkx).

Writes a figure (matched basis, coefficient variances, held-out PSNR against kept
coefficients) and a table (verdict table of discovery, coding gain, energy compaction)
into --out.  Run: python examples/gallery/karate.py [--small] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import heat_kernel_graph, main  # noqa: E402

def karate(small=False):
    return heat_kernel_graph("karate", small=small)

if __name__ == "__main__":
    raise SystemExit(main(karate, "Matched group of heat kernel of the karate-club graph (networkx)"))
