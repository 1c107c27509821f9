"""Gallery: the matched group of MiniLM-L6 position embeddings, windows of 16 positions.

Writes a figure (matched basis, coefficient variances, held-out PSNR against kept
coefficients) and a table (verdict table of discovery, coding gain, energy compaction)
into --out.  Run: python examples/gallery/minilm.py [--small] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import minilm_positions, main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(minilm_positions, "Matched group of MiniLM-L6 position embeddings, windows of 16 positions"))
