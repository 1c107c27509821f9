"""The group grammar of the command line: ``FAMILY:ARGS`` and products."""
from __future__ import annotations

from ._dct import dct_group
from ._families import (cyclic, dihedral, direct_product, elementary_abelian, hamming, symmetric,
                        tree, trivial, wreath_product)
from ._semidirect import semidirect_product

__all__ = ["GROUP_GRAMMAR", "parse_group"]

GROUP_GRAMMAR = """\
Group grammar (FAMILY:ARGS, products nest):
  cyclic:N                 Z_N on N points (shifts)            -> DFT / real Fourier
  dihedral:N               D_N on N points (shifts, i -> -i)   -> real Fourier
  elementary_abelian:K     Z_2^K on 2^K points (XOR)           -> WHT   (alias: xor:K)
  hamming:K                Z_2^K x| S_K (XOR, bit permutations)-> WHT
  tree:K                   binary-tree automorphisms, 2^K leaves -> Haar
  symmetric:N              S_N on N points                     -> Helmert
  trivial:N                {e} on N points                     -> KLT
  dct:N[:TYPE]             dihedral group on the even extension -> DCT-TYPE (TYPE 1 or 2; default 2)
  dst:N[:TYPE]             dihedral group on the odd extension  -> DST-TYPE
  direct(G1,G2,...)        product action on N1*N2*... points   -> Kronecker product
  wreath(INNER,OUTER)      INNER within blocks, OUTER permutes blocks
  semidirect(TORUS,H)      TORUS translates, H permutes its d coordinates (degree d) or its
                           signed axes +e_j, -e_j (degree 2d) -> FFT / WHT
Examples: tree:4   cyclic:12   dct:8:2   direct(cyclic:4,elementary_abelian:2)
          wreath(cyclic:5,symmetric:3)   wreath(direct(cyclic:2,cyclic:3),tree:2)
          semidirect(direct(cyclic:8,cyclic:8),dihedral:4)   semidirect(xor:3,symmetric:3)"""

_FAMILIES = {
    "cyclic": (cyclic, 1, 1),
    "dihedral": (dihedral, 1, 1),
    "elementary_abelian": (elementary_abelian, 1, 1),
    "xor": (elementary_abelian, 1, 1),
    "hamming": (hamming, 1, 1),
    "tree": (tree, 1, 1),
    "symmetric": (symmetric, 1, 1),
    "trivial": (trivial, 1, 1),
    "dct": (lambda n, t=2: dct_group(n, type=t, kind="dct"), 1, 2),
    "dst": (lambda n, t=2: dct_group(n, type=t, kind="dst"), 1, 2),
}


class _Parser:
    def __init__(self, spec: str):
        self.spec = spec
        self.text = spec.replace(" ", "")
        self.pos = 0

    def fail(self, why: str):
        raise ValueError(f"Cannot parse group {self.spec!r}: {why}. Grammar: FAMILY:ARGS, "
                         "direct(G,...), wreath(INNER,OUTER); e.g. 'tree:4', "
                         "'direct(cyclic:4,elementary_abelian:2)'.")

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        return self.text[start:self.pos]

    def expect(self, char: str):
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            got = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end"
            self.fail(f"expected {char!r} at position {self.pos}, found {got}")
        self.pos += 1

    def group(self):
        name = self.word().lower()
        if not name:
            self.fail(f"expected a family name at position {self.pos}")
        if name in ("direct", "wreath", "semidirect"):
            self.expect("(")
            parts = [self.group()]
            while self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                parts.append(self.group())
            self.expect(")")
            if name == "semidirect":
                if len(parts) != 2:
                    self.fail(f"semidirect takes 2 groups (torus, acting), not {len(parts)}")
                return semidirect_product(*parts)
            if name == "wreath":
                if len(parts) != 2:
                    self.fail(f"wreath takes 2 groups (inner, outer), not {len(parts)}")
                return wreath_product(*parts)
            return direct_product(*parts)
        if name not in _FAMILIES:
            self.fail(f"unknown family {name!r}; expected one of "
                      + ", ".join([*_FAMILIES, "direct", "wreath", "semidirect"]))
        func, lo, hi = _FAMILIES[name]
        args = []
        while self.pos < len(self.text) and self.text[self.pos] == ":":
            self.pos += 1
            token = self.word()
            if not token.isdigit():
                self.fail(f"{name} arguments must be non-negative integers, not {token!r}")
            args.append(int(token))
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            self.fail(f"{name} takes {want} integer argument(s), not {len(args)}")
        return func(*args)


def parse_group(spec: str):
    """Build a group from the command-line grammar (see :data:`GROUP_GRAMMAR`).

    Raises
    ------
    TypeError
        ``spec`` is not a string.
    ValueError
        The text does not follow the grammar or an argument is out of range.

    Examples
    --------
    >>> from algdiv.groups import parse_group
    >>> parse_group("direct(cyclic:4,elementary_abelian:2)").name
    'direct(cyclic(4), elementary_abelian(2))'
    >>> parse_group("wreath(cyclic:5,symmetric:3)").degree
    15
    >>> parse_group("dct:8:1").degree
    14
    """
    if not isinstance(spec, str):
        raise TypeError(f"Argument 'spec' must be a str, not {type(spec).__name__}.")
    parser = _Parser(spec)
    group = parser.group()
    if parser.pos != len(parser.text):
        parser.fail(f"unexpected {parser.text[parser.pos:]!r} after the group")
    return group
