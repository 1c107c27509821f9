"""Gallery: the matched group of scikit-learn's handwritten digits (8x8).

Writes a figure (matched basis, coefficient variances, held-out PSNR against kept
coefficients) and a table (verdict table of discovery, coding gain, energy compaction)
into --out.  Run: python examples/gallery/digits.py [--small] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import digits, main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(digits, "Matched group of scikit-learn's handwritten digits (8x8)"))
