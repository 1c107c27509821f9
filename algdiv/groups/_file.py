"""Group files: a permutation group as a small, human-readable JSON document.

Format (version 1)::

    {
      "format": "algdiv.group",
      "version": 1,
      "name": "aut(colouring)",
      "degree": 6,
      "spec": null,
      "order": "6",
      "generators": [
        [1, 2, 0, 4, 5, 3],
        [3, 4, 5, 0, 1, 2]
      ]
    }

``generators`` are permutations in array form (``perm[i] = sigma(i)``), one per
line; ``spec`` is the command-line grammar form for the named families (then the
family is rebuilt from it, so its structured transform comes back) and ``null``
for generic groups; a product with a generic factor also has ``family``
(``"direct"`` or ``"wreath"``) and ``factors``, a list of nested documents of
the same form (without ``format`` and ``version``); ``order`` is informative (a
decimal string, not read).
"""
from __future__ import annotations

import json
import os

import numpy as np

from ._group import PermutationGroup
from ._limits import check_bytes

__all__ = ["save_group", "load_group", "GROUP_FILE_FORMAT", "GROUP_FILE_VERSION"]

GROUP_FILE_FORMAT = "algdiv.group"
GROUP_FILE_VERSION = 1
#: JSON text is parsed into Python lists: about this many bytes of memory per byte of file
_PARSE_BYTES_PER_FILE_BYTE = 16
_MAX_NAME = 200


def _doc(group: PermutationGroup, top: bool = True) -> dict:
    """The JSON document of ``group`` (nested documents for the factors of products without a spec)."""
    spec = group.spec
    if spec is not None and "@" in spec:
        spec = None          # a group read from a file is written as its generators
    order = group.order() if group.family != "generic" or group.degree <= 64 else None
    doc = {"format": GROUP_FILE_FORMAT, "version": GROUP_FILE_VERSION} if top else {}
    doc.update(name=group.name, degree=group.degree, spec=spec,
               order=None if order is None else str(order))
    if spec is None and group.family in ("direct", "wreath"):
        doc["family"] = group.family
        doc["factors"] = [_doc(f, top=False) for f in group.factors]
    doc["generators"] = [[int(v) for v in g] for g in group.generators]
    return doc


def _dumps(doc: dict, pad: str = "") -> str:
    """Pretty JSON: one field a line, one generator a line, factors nested."""
    inner = pad + "  "
    items = []
    for key, value in doc.items():
        if key == "generators" and value:
            rows = ",\n".join(inner + "  " + json.dumps(r) for r in value)
            items.append(f"{inner}\"generators\": [\n{rows}\n{inner}]")
        elif key == "factors":
            subs = ",\n".join(inner + "  " + _dumps(f, inner + "  ") for f in value)
            items.append(f"{inner}\"factors\": [\n{subs}\n{inner}]")
        else:
            items.append(f"{inner}{json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"


def save_group(group, path) -> None:
    """Write ``group`` to a JSON group file (atomically; see the module docstring).

    Parameters
    ----------
    group : PermutationGroup
    path : str or os.PathLike
        Usually ending in ``.json``; ``load_group(path)``, ``parse_group("@" + path)``
        and ``algdiv derive --group @path`` read it back.

    Raises
    ------
    TypeError
        ``group`` is not a PermutationGroup.

    Examples
    --------
    >>> import os, tempfile
    >>> from algdiv.groups import from_generators, load_group, save_group
    >>> G = from_generators([[1, 2, 0, 3], [0, 1, 2, 3]], name="aut(colouring)")
    >>> path = os.path.join(tempfile.mkdtemp(), "G.json")
    >>> save_group(G, path)
    >>> H = load_group(path)
    >>> H.name, H.degree, H.order()
    ('aut(colouring)', 4, 3)
    """
    from .._atomic import write_atomic

    if not isinstance(group, PermutationGroup):
        raise TypeError(f"Argument 'group' must be a PermutationGroup, not {type(group).__name__}.")
    check_bytes(12.0 * group.generators.size, f"the group file of {group.name}")
    text = _dumps(_doc(group)) + "\n"
    write_atomic(path, lambda fh: fh.write(text.encode()))


def _field(doc, key, where):
    if key not in doc:
        raise ValueError(f"{where}: the field {key!r} is missing.")
    return doc[key]


def _check_row(row, idx, degree, where):
    if not isinstance(row, list):
        raise ValueError(f"{where}: generator {idx} must be a list of integers, "
                         f"not {type(row).__name__}.")
    if len(row) != degree:
        raise ValueError(f"{where}: generator {idx} has {len(row)} entries, but 'degree' is {degree}.")
    bad = next((v for v in row if type(v) is not int), None)  # bools and floats are refused
    if bad is not None:
        raise ValueError(f"{where}: generator {idx} holds {bad!r}; expected integers 0..{degree - 1}.")


def _moving(gens):
    """The generators that are not the identity (as PermutationGroup keeps them)."""
    ident = np.arange(gens.shape[1])
    return gens[[not np.array_equal(g, ident) for g in gens]]


def load_group(path) -> PermutationGroup:
    """Read a group file written by :func:`save_group` (or by ``algdiv discover --out``).

    Every field is checked before use: the format and version, ``degree`` (a
    positive integer), each generator (a list of ``degree`` integers forming a
    permutation of ``0..degree-1``) and, when present, ``spec`` (rebuilt with
    :func:`parse_group`; its generators must be the file's).  Sizes are checked
    against :data:`algdiv.groups.MEMORY_LIMIT` before the file is parsed and
    before the generator array is allocated.

    Returns
    -------
    PermutationGroup
        The named family for a file with a ``spec``; else a generic group with the
        file's ``name``, whose :attr:`~PermutationGroup.spec` is ``"@" + path``.

    Raises
    ------
    TypeError
        ``path`` is not a str or path-like.
    ValueError
        The file is missing, not JSON, not a group file, of a newer version, or
        holds an invalid field (the message names it).
    SizeLimitError
        The file or its generators would pass the memory limit.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"Argument 'path' must be a str or os.PathLike, not {type(path).__name__}.")
    path = os.fspath(path)
    where = f"group file {path!r}"
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise ValueError(f"Cannot read {where}: {exc.strerror or exc}.") from None
    check_bytes(float(_PARSE_BYTES_PER_FILE_BYTE * size), f"parsing {where} ({size} bytes)")
    try:
        with open(path, "rb") as fh:
            doc = json.loads(fh.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"Cannot read {where} as JSON: {exc}.") from None
    if not isinstance(doc, dict) or doc.get("format") != GROUP_FILE_FORMAT:
        raise ValueError(f"{where} is not an algdiv group file (expected \"format\": "
                         f"{GROUP_FILE_FORMAT!r}).")
    version = _field(doc, "version", where)
    if type(version) is not int or version < 1:
        raise ValueError(f"{where}: 'version' must be a positive integer, not {version!r}.")
    if version > GROUP_FILE_VERSION:
        raise ValueError(f"{where} has version {version}; this algdiv reads version "
                         f"{GROUP_FILE_VERSION} (upgrade algdiv to read it).")
    group = _from_doc(doc, where, 0)
    if group.spec is None:
        group._source = path
    return group


#: group files nest product factors at most this deep
_MAX_DEPTH = 32


def _from_doc(doc, where, depth):
    """Build and check the group of one (possibly nested) document."""
    if depth > _MAX_DEPTH:
        raise ValueError(f"{where}: factors are nested more than {_MAX_DEPTH} deep.")
    if not isinstance(doc, dict):
        raise ValueError(f"{where}: a factor must be a JSON object, not {type(doc).__name__}.")
    name = _field(doc, "name", where)
    if not isinstance(name, str) or not 0 < len(name) <= _MAX_NAME:
        raise ValueError(f"{where}: 'name' must be a non-empty string of at most {_MAX_NAME} "
                         f"characters, not {name!r:.60}.")
    degree = _field(doc, "degree", where)
    if type(degree) is not int or degree < 1:
        raise ValueError(f"{where}: 'degree' must be a positive integer, not {degree!r}.")
    gens = _field(doc, "generators", where)
    if not isinstance(gens, list):
        raise ValueError(f"{where}: 'generators' must be a list of permutations, "
                         f"not {type(gens).__name__}.")
    check_bytes(8.0 * max(len(gens), 1) * degree, f"the generators in {where}")
    for idx, row in enumerate(gens):
        _check_row(row, idx, degree, where)
    arr = np.array(gens, dtype=np.int64).reshape(len(gens), degree)
    try:
        group = PermutationGroup(arr, degree, name=name)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    spec = doc.get("spec")
    if spec is None and "factors" not in doc:
        return group
    if spec is not None:
        if not isinstance(spec, str) or "@" in spec:
            raise ValueError(f"{where}: 'spec' must be a group spec such as 'dihedral:16' (no "
                             f"file references) or null, not {spec!r:.60}.")
        from ._parse import parse_group

        try:
            named = parse_group(spec)
        except ValueError as exc:
            raise ValueError(f"{where}: 'spec' {spec!r} does not parse: {exc}") from None
        what = f"its 'spec' {spec!r}"
    else:
        from ._families import direct_product, wreath_product

        family, factors = doc.get("family"), doc["factors"]
        if family not in ("direct", "wreath") or not isinstance(factors, list) or not factors \
                or (family == "wreath" and len(factors) != 2):
            raise ValueError(f"{where}: 'factors' needs 'family' 'direct' (one or more factors) "
                             f"or 'wreath' (two), not {family!r} with "
                             f"{len(factors) if isinstance(factors, list) else factors!r:.40}.")
        parts = [_from_doc(f, f"{where} (factor {i} of {name})", depth + 1)
                 for i, f in enumerate(factors)]
        named = direct_product(*parts) if family == "direct" else wreath_product(*parts)
        named.name = name
        what = "its 'factors'"
    if named.degree != degree or not np.array_equal(_moving(named.generators), group.generators):
        raise ValueError(f"{where}: the generators are not those of {what} (degree "
                         f"{named.degree}); remove it to read the generators alone.")
    return named
