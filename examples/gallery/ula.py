"""Gallery: the matched group of channel covariance of a 16-element uniform linear array (generative model).

Writes a figure (matched basis, coefficient variances, held-out PSNR against kept
coefficients) and a table (verdict table of discovery, coding gain, energy compaction)
into --out.  Run: python examples/gallery/ula.py [--small] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import ula_channel, main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(ula_channel, "Matched group of channel covariance of a 16-element uniform linear array (generative model)"))
