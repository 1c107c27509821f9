"""Gallery: the matched group of windows of 16 months of the El Nino sea-surface temperature (statsmodels).

Writes a figure (matched basis, coefficient variances, held-out PSNR against kept
coefficients) and a table (verdict table of discovery, coding gain, energy compaction)
into --out.  Run: python examples/gallery/elnino.py [--small] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import elnino, main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(elnino, "Matched group of windows of 16 months of the El Nino sea-surface temperature (statsmodels)"))
