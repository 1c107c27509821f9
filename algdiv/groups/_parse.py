"""The group grammar of the command line: ``FAMILY:ARGS`` and products."""
from __future__ import annotations

from ._dct import dct_group
from ._families import (cyclic, dihedral, direct_product, elementary_abelian, hamming, symmetric,
                        tree, trivial, wreath_product)
from ._semidirect import semidirect_product

__all__ = ["GROUP_GRAMMAR", "parse_group", "group_spec"]

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
  @FILE.json               a group file (algdiv discover --out, algdiv.groups.save_group)
Printed names are accepted too: dihedral(16), dct_group(8, type=2), direct(cyclic(4), tree(2)).
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


#: deepest nesting of direct(...) / wreath(...) that parse_group accepts
MAX_DEPTH = 32
#: longest specification parse_group reads (characters)
MAX_LENGTH = 10_000
#: most digits of one integer argument (larger values exceed every size limit anyway)
MAX_DIGITS = 12


class _Parser:
    def __init__(self, spec: str):
        self.spec = spec
        self.text = spec.replace(" ", "")
        self.pos = 0
        self.depth = 0

    def fail(self, why: str):
        shown = self.spec if len(self.spec) <= 80 else self.spec[:77] + "..."
        raise ValueError(f"Cannot parse group {shown!r}: {why}. Grammar: FAMILY:ARGS, "
                         "direct(G,...), wreath(INNER,OUTER); e.g. 'tree:4', "
                         "'direct(cyclic:4,elementary_abelian:2)'.")

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        return self.text[start:self.pos]

    def number(self, name: str, token: str) -> int:
        """A non-negative integer argument of at most MAX_DIGITS ASCII digits."""
        if not (token.isascii() and token.isdigit()):
            self.fail(f"{name} arguments must be non-negative integers, not {token!r}")
        if len(token.lstrip("0")) > MAX_DIGITS:
            self.fail(f"{name} argument {token[:20]}{'...' if len(token) > 20 else ''} is "
                      f"too large (more than {MAX_DIGITS} digits)")
        return int(token)

    def expect(self, char: str):
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            got = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end"
            self.fail(f"expected {char!r} at position {self.pos}, found {got}")
        self.pos += 1

    def file(self):
        """``@PATH`` inside a product: the path runs to the next ',' or ')'."""
        from ._file import load_group

        start = self.pos = self.pos + 1
        while self.pos < len(self.text) and self.text[self.pos] not in ",)":
            self.pos += 1
        if self.pos == start:
            self.fail(f"expected a file name after '@' at position {start}")
        return load_group(self.text[start:self.pos])

    def call_args(self, name):
        """``(a, b, key=value)``: the arguments of a printed name such as ``dct_group(8, type=2)``."""
        self.expect("(")
        args, kwargs = [], {}
        while True:
            token = self.word()
            if self.pos < len(self.text) and self.text[self.pos] == "=":
                self.pos += 1
                value = self.word() if self.text[self.pos:self.pos + 1] not in ("'", '"') else None
                if value is None:
                    quote = self.text[self.pos]
                    self.pos += 1
                    value = self.word()
                    self.expect(quote)
                kwargs[token.lower()] = (self.number(name, value) if value.isdigit()
                                         else value.lower())
            else:
                args.append(self.number(name, token))
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                continue
            self.expect(")")
            return args, kwargs

    def group(self):
        if self.text[self.pos:self.pos + 1] == "@":
            return self.file()
        name = self.word().lower()
        if name == "dct_group":
            args, kwargs = self.call_args(name)
            if not 1 <= len(args) + len(kwargs) <= 3 or set(kwargs) - {"n", "type", "kind"}:
                self.fail("dct_group takes (n, type=1|2, kind='dct'|'dst')")
            return dct_group(*args, **kwargs)
        if not name:
            self.fail(f"expected a family name at position {self.pos}")
        if name in ("direct", "wreath", "semidirect"):
            self.expect("(")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.fail(f"products nest more than {MAX_DEPTH} deep")
            parts = [self.group()]
            while self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                parts.append(self.group())
            self.expect(")")
            self.depth -= 1
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
        if self.text[self.pos:self.pos + 1] == "(":
            args, kwargs = self.call_args(name)
            if kwargs:
                self.fail(f"{name} takes integer arguments only, not {', '.join(kwargs)}=")
        while self.pos < len(self.text) and self.text[self.pos] == ":":
            self.pos += 1
            token = self.word()
            args.append(self.number(name, token))
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            self.fail(f"{name} takes {want} integer argument(s), not {len(args)}")
        return func(*args)


def parse_group(spec: str):
    """Build a group from the command-line grammar (see :data:`GROUP_GRAMMAR`).

    ``"@PATH"`` reads a group file (:func:`load_group`), also as a factor of a
    product (``"direct(@G.json,cyclic:3)"``; there the path may not hold ``,`` or
    ``)``).  The names algdiv prints (:attr:`PermutationGroup.name`, e.g.
    ``"dihedral(16)"``) are accepted as well as the grammar forms
    (:attr:`PermutationGroup.spec`, e.g. ``"dihedral:16"``).

    Raises
    ------
    TypeError
        ``spec`` is not a string.
    ValueError
        The text does not follow the grammar, nests products more than
        ``MAX_DEPTH`` (32) deep, is longer than ``MAX_LENGTH`` characters, or an
        argument is out of range.
    SizeLimitError
        The group's generators would pass the memory limit
        (:data:`algdiv.groups.MEMORY_LIMIT`); checked before they are built.

    Examples
    --------
    >>> from algdiv.groups import parse_group
    >>> parse_group("direct(cyclic:4,elementary_abelian:2)").name
    'direct(cyclic(4), elementary_abelian(2))'
    >>> parse_group("wreath(cyclic:5,symmetric:3)").degree
    15
    >>> parse_group("dct:8:1").degree
    14
    >>> parse_group("dihedral(16)").spec
    'dihedral:16'
    """
    if not isinstance(spec, str):
        raise TypeError(f"Argument 'spec' must be a str, not {type(spec).__name__}.")
    if len(spec) > MAX_LENGTH:
        raise ValueError(f"Argument 'spec' must be at most {MAX_LENGTH} characters long, "
                         f"not {len(spec)}.")
    if spec.strip().startswith("@"):
        from ._file import load_group

        return load_group(spec.strip()[1:])
    parser = _Parser(spec)
    group = parser.group()
    if parser.pos != len(parser.text):
        parser.fail(f"unexpected {parser.text[parser.pos:]!r} after the group")
    return group


_PARAM = {"cyclic": "n", "dihedral": "n", "symmetric": "n", "trivial": "n",
          "elementary_abelian": "k", "hamming": "k", "tree": "k"}


def group_spec(group):
    """The grammar form of ``group`` (``"dihedral:16"``, ``"direct(dct:8:2,cyclic:3)"``).

    A generic group read from a file gives ``"@" + path``; any other generic group
    (and a product with one) has no spec: ``None``.
    """
    fam = group.family
    if fam in _PARAM:
        return f"{fam}:{group.params[_PARAM[fam]]}"
    if fam == "dct":
        p = group.params
        return f"{p['kind']}:{p['n']}:{p['type']}"
    if fam in ("direct", "wreath") or (fam == "semidirect"
                                        and group.params.get("action") != "explicit"):
        parts = [group_spec(f) for f in group.factors]
        if None not in parts:
            return f"{fam}({','.join(parts)})"
    source = getattr(group, "_source", None)
    return None if source is None else "@" + source
