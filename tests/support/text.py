"""Comparing what a terminal program printed, independent of where it wrapped its lines."""

from __future__ import annotations


def squashed(text: str) -> str:
    """``text`` without any whitespace: Rich may break a line at any space or between two Chinese
    characters, depending on the console width and on the length of a path in the message."""
    return "".join(text.split())


def says(output: str, expected: str) -> bool:
    """True when ``output`` contains ``expected``, however the console wrapped it."""
    return squashed(expected) in squashed(output)
