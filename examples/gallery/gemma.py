"""Gallery: the matched group of Gemma-3-270M hidden states, windows of 16 tokens (when installed).

Writes a figure (matched basis, coefficient variances, held-out PSNR against kept
coefficients) and a table (verdict table of discovery, coding gain, energy compaction)
into --out.  Run: python examples/gallery/gemma.py [--small] [--out DIR]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import gemma_hidden, main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(gemma_hidden, "Matched group of Gemma-3-270M hidden states, windows of 16 tokens (when installed)"))
