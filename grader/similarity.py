"""Which submissions are near-identical once names, comments and layout are set aside.

The approach is MOSS's (Schleimer, Wilkerson and Aiken, "Winnowing: local
algorithms for document fingerprinting", SIGMOD 2003), on Python's own tokens:

1. normalise: Python's ``tokenize`` reads the code (as far as it reads, should it
   not parse); comments, docstrings, the type annotations of ``def`` lines, blank
   lines and line breaks inside brackets are dropped, every name a student
   chooses becomes ``N`` (attribute names after a dot stay: ``x.amax`` and
   ``x.max`` are different code), every string ``S``; indentation stays as
   block markers, since it is Python's syntax.
2. fingerprint: hash every run of ``K`` tokens; of each ``WINDOW`` consecutive
   hashes keep the smallest (winnowing), so a copied passage of at least
   ``K + WINDOW - 1`` tokens is always caught, wherever it moved.
3. leave out the exercise's stub: every student starts from its signatures.
4. compare: the similarity of two submissions is the share of their
   fingerprints they have in common (Jaccard); pairs at or above
   ``THRESHOLD`` are joined into groups.

Hashes are blake2b, not Python's ``hash`` (salted per process), so the same
sources give the same numbers on every run.
"""

from __future__ import annotations

import hashlib
import io
import keyword
import tokenize
from dataclasses import dataclass, field
from itertools import combinations

K = 12  # tokens per k-gram: about one short statement
WINDOW = 8  # so a shared passage of K + WINDOW - 1 = 19 tokens is always seen
THRESHOLD = 0.75  # near-identical, not merely the same idea (honest pairs: under 0.1)
MIN_FINGERPRINTS = 8  # less own code than this (a stub, a few lines) is not compared
MAX_SOURCE = 256 * 1024  # characters read from a submission: enough for any honest one

_DROPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_STATEMENT_START = {"NEWLINE", "INDENT", "DEDENT", None}


@dataclass
class Token:
    text: str  # the normalised token
    line: int  # where it stood in the source, 1-based


def normalise(source: str) -> list[Token]:
    """The tokens of ``source`` that say what it does; see the module docstring."""
    raw = _raw_tokens(source[:MAX_SOURCE])
    skip = _annotation_tokens(raw)
    tokens: list[Token] = []
    previous = None  # the last kept token's text
    for i, tok in enumerate(raw):
        if tok.type in _DROPPED or i in skip:
            continue
        if tok.type == tokenize.STRING and previous in _STATEMENT_START and _ends_statement(raw, i):
            continue  # a docstring (or any lone string): prose, not code
        text = _normal_text(tok, previous)
        if text == "NEWLINE" and previous in _STATEMENT_START:
            continue  # the line break after a dropped docstring
        tokens.append(Token(text, tok.start[0]))
        previous = text
    return tokens


def _raw_tokens(source: str) -> list[tokenize.TokenInfo]:
    """Every token Python reads; a file that stops parsing is read up to where it stops."""
    tokens = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            tokens.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return tokens


def _annotation_tokens(raw: list[tokenize.TokenInfo]) -> set[int]:
    """Indices of the type annotations in ``def`` lines (``x: Tensor``, ``-> Tensor``), with
    their ``:`` and ``->``: they change nothing a submission does, so a copy with them
    stripped is the same code. Read from the tokens, so a file that does not parse loses
    them too."""
    skip: set[int] = set()
    header, depth, skipping = False, 0, False
    for i, tok in enumerate(raw):
        if tok.type in _DROPPED:
            continue
        text = tok.string if tok.type == tokenize.OP else None
        if tok.type == tokenize.NAME and tok.string == "def":
            header, depth, skipping = True, 0, False
            continue
        if not header:
            continue
        ends = (depth == 1 and text in (",", "=", ")")) or (depth == 0 and text == ":")
        if skipping and ends:
            skipping = False
        elif not skipping and ((depth == 1 and text == ":") or (depth == 0 and text == "->")):
            skipping = True
        if text in ("(", "[", "{"):
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
        if skipping:
            skip.add(i)
        elif depth == 0 and text == ":":
            header = False  # the end of the def line
    return skip


def _ends_statement(raw: list[tokenize.TokenInfo], i: int) -> bool:
    i += 1
    while i < len(raw) and raw[i].type in (tokenize.COMMENT, tokenize.NL):
        i += 1
    return i == len(raw) or raw[i].type in (tokenize.NEWLINE, tokenize.ENDMARKER)


def _normal_text(tok: tokenize.TokenInfo, previous: str | None) -> str:
    if tok.type == tokenize.NAME:
        if keyword.iskeyword(tok.string) or previous == ".":
            return tok.string
        return "N"
    if tok.type == tokenize.STRING or tok.type in _FSTRING:
        return "S"
    if tok.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
        return tokenize.tok_name[tok.type]
    return tok.string


# Python 3.12 splits f-strings into parts of their own; 3.11 has one STRING token.
_FSTRING = {getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
            if hasattr(tokenize, name)}


# -- fingerprints ----------------------------------------------------------------------------

@dataclass
class Fingerprint:
    """A submission's winnowed k-gram hashes, each with the source lines it covers."""

    lines: dict[int, tuple[int, int]] = field(default_factory=dict)  # hash -> (first, last line)

    @property
    def hashes(self) -> set[int]:
        return set(self.lines)


def _kgram_hashes(tokens: list[Token]) -> list[tuple[int, int, int]]:
    """(hash, first line, last line) of every run of K tokens."""
    grams = []
    for start in range(len(tokens) - K + 1):
        run = tokens[start:start + K]
        digest = hashlib.blake2b("\x1f".join(t.text for t in run).encode(), digest_size=8)
        grams.append((int.from_bytes(digest.digest(), "big"), run[0].line, run[-1].line))
    return grams


def fingerprint(source: str, boilerplate: set[int] = frozenset()) -> Fingerprint:
    """Winnowed fingerprints of ``source``, leaving out those in ``boilerplate``."""
    grams = _kgram_hashes(normalise(source))
    chosen: dict[int, tuple[int, int]] = {}
    for start in range(max(1, len(grams) - WINDOW + 1)):
        window = grams[start:start + WINDOW]
        if not window:
            break
        smallest = min(range(len(window)), key=lambda i: (window[i][0], -i))  # rightmost minimum
        value, first, last = window[smallest]
        if value not in boilerplate:
            chosen.setdefault(value, (first, last))
    return Fingerprint(chosen)


def boilerplate(stub: str) -> set[int]:
    """Every k-gram of the exercise's stub: code each student was given, not wrote."""
    return {value for value, _, _ in _kgram_hashes(normalise(stub))}


# -- the class --------------------------------------------------------------------------------

@dataclass
class Pair:
    a: str
    b: str
    similarity: float  # 0..1


@dataclass
class Group:
    """Students whose submissions are near-identical, most similar pair first."""

    students: list[str]
    pairs: list[Pair]

    @property
    def similarity(self) -> float:
        return self.pairs[0].similarity


def shared_lines(a: str, b: str, stub: str = "") -> tuple[set[int], set[int]]:
    """The lines of ``a`` and of ``b`` that take part in passages they share: what a
    side-by-side view marks. Only asked for the pairs shown, so not kept for every pair."""
    common = boilerplate(stub) if stub else set()
    first, second = fingerprint(a, common), fingerprint(b, common)
    shared = first.hashes & second.hashes

    def covered(print_: Fingerprint) -> set[int]:
        lines: set[int] = set()
        for value in shared:
            start, end = print_.lines[value]
            lines.update(range(start, end + 1))
        return lines

    return covered(first), covered(second)


def similar_pairs(sources: dict[str, str], stub: str = "",
                  threshold: float = THRESHOLD) -> list[Pair]:
    """Every pair of students whose similarity is at least ``threshold``, most similar first."""
    common = boilerplate(stub) if stub else set()
    prints = {s: fingerprint(text, common) for s, text in sources.items()}
    prints = {s: p for s, p in prints.items() if len(p.lines) >= MIN_FINGERPRINTS}
    hashes = {s: p.hashes for s, p in prints.items()}
    pairs = []
    for a, b in combinations(sorted(prints), 2):
        shared = hashes[a] & hashes[b]
        similarity = len(shared) / len(hashes[a] | hashes[b])
        if similarity >= threshold:
            pairs.append(Pair(a, b, similarity))
    return sorted(pairs, key=lambda p: (-p.similarity, p.a, p.b))


def groups(pairs: list[Pair]) -> list[Group]:
    """Students joined by similar pairs (a copied from b, c from a: one group)."""
    leader: dict[str, str] = {}

    def find(s: str) -> str:
        while leader.setdefault(s, s) != s:
            s = leader[s]
        return s

    for pair in pairs:
        leader[find(pair.a)] = find(pair.b)
    members: dict[str, list[str]] = {}
    for student in sorted(leader):
        members.setdefault(find(student), []).append(student)
    found = [Group(students, [p for p in pairs if find(p.a) == root])
             for root, students in members.items()]
    return sorted(found, key=lambda g: (-g.similarity, -len(g.students), g.students))
