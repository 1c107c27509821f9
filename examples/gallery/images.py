"""Gallery: the matched group of 8x8 blocks of the images bundled with scikit-image.

Writes a figure (matched basis, coefficient variances, held-out PSNR against kept
coefficients) and a table (verdict table of discovery, coding gain, energy compaction)
into --out.  Run: python examples/gallery/images.py [--small] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import image_blocks, main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(image_blocks, "Matched group of 8x8 blocks of the images bundled with scikit-image"))
