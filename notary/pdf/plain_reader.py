"""A strict reader for the plain common case of an original: what ``read_original`` needs, without pypdf.

Why: bulk issuance reads every original, and pypdf's tolerant parser costs several times more than the rest
of preparing a document. Most originals (office and school software output) are plain: one classic xref
table, every entry pointing at its object's header, ordinary tokens. For exactly those files this module
gives what pypdf would have given; for anything else — another structure, a token pypdf would read
leniently, a repair pypdf would make, any check that would fail — it raises :class:`Unusual` and the caller
reads the file with pypdf, so the stamp (a pure function of the original's bytes) and every refusal message
stay exactly what they were. Each rule below is the narrow case in which pypdf 7's reader does the same.

Values come out in the model of :mod:`notary.pdf.pdf_objects`, as ``from_pypdf`` would convert pypdf's.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

from notary.pdf.pdf_objects import MAX_DEPTH, MAX_NODES, Name, PdfValue, Real, Ref


class Unusual(Exception):
    """Not the plain case: read the file with pypdf instead."""


class Stream:
    """An indirect object that is a stream (only its being one matters to the stamp: PlainPdf.texts keeps no
    more of it, so ``read_original`` must never read its entries)."""

    __slots__ = ("entries",)

    def __init__(self, entries: dict[Name, PdfValue]) -> None:
        self.entries = entries


Resolved: TypeAlias = PdfValue | Stream

_WS = re.compile(rb"(?:[ \t\r\n]+|%[^\r\n]*)*")
"""Whitespace and comments between tokens (a NUL, VT or FF, which pypdf treats otherwise, never matches)."""
_SPACE = re.compile(rb"[ \t\r\n]*")
_TAIL = re.compile(rb"(?<=[\r\n])startxref(?:\r\n|\r|\n)(\d{1,10})(?:\r\n|\r|\n)%%EOF(?:\r\n|\r|\n)?\Z")
_XREF_HEAD = re.compile(rb"xref(?:\r\n|\r|\n)")
_SUBSECTION = re.compile(rb"[ \t\r\n]*(\d{1,10}) (\d{1,10})[ \t]*(?:\r\n|\r|\n)")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n)")
_TRAILER = re.compile(rb"[ \t\r\n]*trailer")
_OBJ_HEADER = re.compile(rb"(\d{1,10})[ \t\r\n]+(\d{1,5})[ \t\r\n]+obj(?=[ \t\r\n])")
_PLAIN_STRING = re.compile(rb"\(([^()\\\r]*)\)")
_END_STREAM = re.compile(rb"[ \t\r\n]*endstream")
_AFTER_DICT = re.compile(rb"[ \t\r\n]*(?:stream *(?:\r\n|\n)|(endobj))")
"""After an object's dictionary: ``stream`` and its end of line (a stream's data follows), else ``endobj``
(group 1)."""
_AFTER_VALUE = re.compile(rb"[ \t\r\n]*endobj")
_TEXTS_MAX = 16 * 1024
"""Bound of PlainPdf.texts (bytes of text in all): a run's templates have a few hundred; a file with more is read
as before, its texts just not kept."""
_ENDS_TOKEN = frozenset(b" \t\r\n()<>[]{}/%")
_ESCAPES = {
    ord("n"): 10,
    ord("r"): 13,
    ord("t"): 9,
    ord("b"): 8,
    ord("f"): 12,
    **{c: c for c in b"()/\\ %<>[]#_&$"},
}
_BOMS = (b"\xfe\xff", b"\xff\xfe", b"\xef\xbb\xbf")
_KEYWORDS: dict[bytes, PdfValue] = {b"true": True, b"null": None}
"""``false`` is left to pypdf: ``from_pypdf`` has always converted pypdf's ``false`` to True (a BooleanObject is
truthy), and the stamp must stay what it was."""
_MAX_REF_TEXT = 19
"""pypdf recognises ``N G R`` only within a 20-byte look-ahead that includes the byte after the ``R``."""
_MAX_NUMBER_TEXT = 32
"""Longer numbers go to pypdf, which refuses those of more than ~48 bytes (it reads a number in 16-byte steps up to
a 64-byte limit): a file must not be read here that pypdf would refuse. No real file writes a number this long, and
a longer real could also overflow a float (to infinity: an OverflowError later in Fraction)."""

_TOKEN = re.compile(
    rb"/([^\x00-\x20\x7f-\xff()<>\[\]{}/%#]{1,127})"  # 1: a name
    rb"|(\d{1,10})[ \t\r\n]+(\d{1,5})[ \t\r\n]+(R)"  # 2, 3, 4: a reference
    rb"|(<<)"  # 5: a dictionary
    rb"|([+-]?(?:(\d+)(\.\d*)?|(\.\d+)))"  # 6 (7, 8, 9): a number
    rb"|(\[)"  # 10: an array
    rb"|\(([^()\\\r]*)(\))"  # 11, 12: a literal string without escapes or nesting
    rb"|(\()"  # 13: any other literal string
    rb"|<([0-9A-Fa-f]*)(>)"  # 14, 15: a hex string
    rb"|(true|null)"  # 16: a keyword
)
"""One token of a direct value, told apart by the group that closed last (``lastindex``): the same choices,
in the same order, as the rules of :meth:`PlainPdf._value` (a reference before a number, ``<<`` before a hex
string, an escape-free literal string before the general one); no match is an unusual token."""
_NAMES: dict[bytes, Name] = {}
"""Names made so far (they are immutable): the same few dozen keys recur in every original of a run."""
_REFS: dict[bytes, Ref] = {}
_REALS: dict[bytes, Real] = {}
_INTERNED_MAX = 4096
"""Bound of each of these caches: a hostile file's many distinct tokens cannot grow them without bound."""


def _interned(cache: dict[bytes, Name], raw: bytes) -> Name:
    value = cache.get(raw)
    if value is None:
        if len(cache) >= _INTERNED_MAX:
            cache.clear()
        value = cache[raw] = Name(raw)
    return value


_HEADERS = {num: b"%d 0 obj" % num for num in range(1024)}
"""The object headers of generation 0 that most files have (formatting each again costs more than reading it)."""


class PlainPdf:
    """The classic cross-reference table, trailer and objects of a plain single-revision PDF."""

    def __init__(self, data: bytes) -> None:
        if not data.startswith(b"%PDF-"):
            raise Unusual("no header at offset 0")
        self.data = data
        tail = _TAIL.search(data, max(0, len(data) - 64))
        if tail is None:
            raise Unusual("not a plain end of file")
        self.startxref = int(tail.group(1))
        self.offsets = self._read_xref(self.startxref)
        self.bodies: dict[int, int] = {}
        """Object number -> offset after its ``N G obj`` header."""
        size = len(data)
        for num, (offset, gen) in self.offsets.items():  # as pypdf checks every entry, so do we
            # the header as most files write it, else any header _OBJ_HEADER accepts
            prefix = _HEADERS.get(num) if gen == 0 else None
            if prefix is None:
                prefix = b"%d %d obj" % (num, gen)
            end = offset + len(prefix)
            if num < 10**10 and data.startswith(prefix, offset) and end < size and data[end] in b" \t\r\n":
                self.bodies[num] = end
                continue
            header = _OBJ_HEADER.match(data, offset)
            if header is None or int(header.group(1)) != num or int(header.group(2)) != gen:
                raise Unusual("an xref entry does not point at its object")
            self.bodies[num] = header.end()
        self._cache: dict[int, Resolved] = {}
        self.texts: list[tuple[int, int, bytes]] | None = []
        """(number, generation, text) of each object resolved so far, in order: its value from the first token
        up to and including the ``endobj`` keyword after it (all the value depends on), or just ``stream`` for a
        stream, whose dictionary (:attr:`Stream.entries`) nothing of ``read_original`` reads. None once one was not
        kept (another end, or more than _TEXTS_MAX bytes in all)."""
        self._texts_left = _TEXTS_MAX
        self.nodes = MAX_NODES // 3
        """pypdf's reading converts a value up to three times (a font dictionary inside the resources inside
        the page), counting each node; a third of its budget here keeps every file it refuses out of this path."""

    def _read_xref(self, offset: int) -> dict[int, tuple[int, int]]:
        data = self.data
        head = _XREF_HEAD.match(data, offset)
        if head is None:
            raise Unusual("not a classic xref table")
        pos = head.end()
        offsets: dict[int, tuple[int, int]] = {}
        seen: set[int] = set()
        while True:
            trailer = _TRAILER.match(data, pos)
            if trailer is not None:
                self.trailer_at = trailer.end()
                return offsets
            sub = _SUBSECTION.match(data, pos)
            if sub is None:
                raise Unusual("unusual xref subsection")
            first, count = int(sub.group(1)), int(sub.group(2))
            pos = sub.end()
            if pos + 20 * count > len(data):
                raise Unusual("xref table past the end")
            # every entry is 20 bytes: count matches in these 20 * count bytes are one at each entry's place
            entries = _ENTRY.findall(data, pos, pos + 20 * count)
            if len(entries) != count:
                raise Unusual("unusual xref entry")
            nums = range(first, first + count)  # distinct: only another subsection's may repeat one
            if seen and not seen.isdisjoint(nums):
                raise Unusual("unusual xref entry")
            seen.update(nums)
            for num, (entry_offset, gen, kind) in zip(nums, entries, strict=True):
                if kind == b"n":
                    offsets[num] = (int(entry_offset), 0 if gen == b"00000" else int(gen))
            pos += 20 * count

    def trailer(self) -> dict[Name, PdfValue]:
        value, _ = self._value(_WS.match(self.data, self.trailer_at).end(), 0)  # type: ignore[union-attr]
        if type(value) is not dict:
            raise Unusual("no trailer dictionary")
        return value

    def resolve(self, value: PdfValue) -> Resolved:
        """One level of indirection resolved (like ``original_pdf.resolve``)."""
        if type(value) is not Ref:
            return value
        cached = self._cache.get(value.num)
        if cached is not None:
            return cached
        entry = self.offsets.get(value.num)
        if entry is None or entry[1] != value.gen:
            raise Unusual("a reference to no object")
        data = self.data
        result: Resolved
        start = _WS.match(data, self.bodies[value.num]).end()  # type: ignore[union-attr]
        if data.startswith(b"<<", start):  # what _value does with it, without its dispatch
            result, pos = self._dict(start + 2, 0)
        else:
            result, pos = self._value(start, 0)
        if type(result) is dict:
            after = _AFTER_DICT.match(data, pos)
            if after is None:
                raise Unusual("a dictionary followed by neither stream nor endobj")
            if after.lastindex is None:
                result = self._stream(result, after.end())
                start = end = -1  # only its being a stream counts (its /Length differs in each file)
            else:
                end = after.end()
        else:
            after = _AFTER_VALUE.match(data, pos)
            end = -2 if after is None else after.end()
        if result is None:
            raise Unusual("a reference to null")  # pypdf's NullObject is not None: told apart by the fallback
        self._keep_text(value, start, end)
        self._cache[value.num] = result
        return result

    def _keep_text(self, ref: Ref, start: int, end: int) -> None:
        """Keep the text of object ``ref`` in :attr:`texts`: data[start:end], or ``stream`` for a stream
        (start = end = -1), or give up keeping texts (end = -2)."""
        texts = self.texts
        if texts is None:
            return
        self._texts_left -= end - start
        if end == -2 or self._texts_left < 0:
            self.texts = None  # not kept: a value ended otherwise, or the texts would be large
        else:
            texts.append((ref.num, ref.gen, b"stream" if start < 0 else self.data[start:end]))

    def _stream(self, entries: dict[Name, PdfValue], start: int) -> Stream:
        length = entries.get(Name(b"Length"))
        if type(length) is not int or length < 0 or start + length > len(self.data):
            raise Unusual("a stream without a plain /Length")
        if _END_STREAM.match(self.data, start + length) is None:
            raise Unusual("a stream whose /Length does not end at endstream")
        return Stream(entries)

    def spend(self, nodes: int) -> None:
        """Bounded like ``from_pypdf``'s Budget; the fallback then gives its message."""
        self.nodes -= nodes
        if self.nodes < 0:
            raise Unusual("large structure")

    def _value(self, pos: int, depth: int) -> tuple[PdfValue, int]:
        """The direct value at ``pos`` (whitespace already skipped) and the offset after it."""
        if depth > MAX_DEPTH:
            raise Unusual("deep nesting")
        data = self.data
        token = _TOKEN.match(data, pos)
        if token is None:
            raise Unusual("unusual token")
        kind = token.lastindex
        value: PdfValue
        if kind == 1:
            value = _interned(_NAMES, token.group(1))
        elif kind == 4:
            if token.end() - pos > _MAX_REF_TEXT:
                raise Unusual("a reference pypdf would read as numbers")
            text = token.group()
            value = _REFS.get(text)
            if value is None:
                if len(_REFS) >= _INTERNED_MAX:
                    _REFS.clear()
                value = _REFS[text] = Ref(int(token.group(2)), int(token.group(3)))
        elif kind == 5:
            return self._dict(pos + 2, depth)
        elif kind == 6:
            text = token.group()
            value = _integer(text) if token.group(7) and not token.group(8) else _real(text)
        elif kind == 10:
            return self._array(pos + 1, depth)
        elif kind == 12:
            value = _plain_string(token.group(11))
        elif kind == 13:
            value, end = _literal_string(data, pos)
            if end < len(data) and data[end] not in _ENDS_TOKEN:
                raise Unusual("a token that runs on")
            return value, end
        elif kind == 15:
            if len(token.group(14)) % 2:
                raise Unusual("unusual hex string")
            value = _plain_string(bytes.fromhex(token.group(14).decode("ascii")))
        else:
            value = _KEYWORDS[token.group()]
        end = token.end()
        if end < len(data) and data[end] not in _ENDS_TOKEN:
            raise Unusual("a token that runs on")
        return value, end

    def _dict(self, pos: int, depth: int) -> tuple[PdfValue, int]:
        data = self.data
        if depth < _FAST_DEPTH and _FAST_PATH:
            whole = _DICT_FAST.match(data, pos, pos + _FAST_TEXT_MAX)
            if whole is not None:
                end = whole.end()
                if end - pos > _KNOWN_TEXT_MAX:
                    return self._entries(_DICT_ENTRY.findall(data, pos, end - 2)), end
                text = data[pos:end]
                known = _KNOWN.get(text)
                if known is not None:
                    self.spend(known[1])
                    return _fresh(known[0]), end
                before = self.nodes
                result = self._entries(_DICT_ENTRY.findall(data, pos, end - 2))
                if len(_KNOWN) >= _KNOWN_MAX:
                    _KNOWN.clear()
                _KNOWN[text] = (_fresh(result), before - self.nodes)
                return result, end
            whole = _DICT_COMMENTED.match(data, pos, pos + _FAST_TEXT_MAX)
            if whole is not None:  # as a trailer often is
                end = whole.end()
                entries, at = [], pos
                while (entry := _DICT_ENTRY_COMMENTED.match(data, at, end - 2)) is not None:
                    entries.append(entry.groups(b""))
                    at = entry.end()
                return self._entries(entries), end
        return self._dict_token_by_token(pos, depth)

    def _entries(self, entries: list[tuple[bytes, ...]]) -> dict[Name, PdfValue]:
        """The dictionary of the entries of _DICT_ENTRY (or _DICT_ENTRY_FLAT, _DICT_ENTRY_COMMENTED), converted in
        their order as :meth:`_dict_token_by_token` converts them: the same values, checks and budget spent in the
        same order."""
        result: dict[Name, PdfValue] = {}
        value: PdfValue
        for raw_key, name, ref, integer, real, string, hexadecimal, keyword, array, inner in entries:
            key = _NAMES.get(raw_key)
            if key is None:
                key = _interned(_NAMES, raw_key)
            if key in result:
                raise Unusual("unusual dictionary key")
            if array:  # one group of an entry takes part
                value = self._items(array)
            elif inner:
                value = self._entries(_DICT_ENTRY_FLAT.findall(inner, 2, len(inner) - 2))
            else:
                value = _leaf(name, ref, integer, real, string, hexadecimal, keyword)
            result[key] = value
        self.spend(1 + len(result))
        return result

    def _items(self, array: bytes) -> list[PdfValue]:
        """The array of a _SIMPLE_ARRAY ``[...]``, converted as :meth:`_array` converts it."""
        result = [_leaf(*groups) for groups in _ITEM.findall(array, 1, len(array) - 1)]
        self.spend(1 + len(result))
        return result

    def _dict_token_by_token(self, pos: int, depth: int) -> tuple[PdfValue, int]:
        data, size = self.data, len(self.data)
        result: dict[Name, PdfValue] = {}
        key: PdfValue
        value: PdfValue
        inline = depth < MAX_DEPTH  # entries (at depth + 1) may be read here, as _value would read them
        while True:
            token = _KEY_NEXT.match(data, pos)
            if token is not None and token.lastindex == 2:
                self.spend(1 + len(result))
                return result, token.end()
            if token is not None and inline:
                key, pos = _interned(_NAMES, token.group(1)), token.end()
                if pos < size and data[pos] not in _ENDS_TOKEN:
                    raise Unusual("a token that runs on")
            else:
                key, pos = self._value(_WS.match(data, pos).end(), depth + 1)  # type: ignore[union-attr]
            if type(key) is not Name or key in result:
                raise Unusual("unusual dictionary key")
            token = _SIMPLE_NEXT.match(data, pos) if inline else None
            if token is None or token.lastindex == 6:
                value, pos = self._value(_WS.match(data, pos).end(), depth + 1)  # type: ignore[union-attr]
            else:
                value, pos = _simple(token), token.end()
                if pos < size and data[pos] not in _ENDS_TOKEN:
                    raise Unusual("a token that runs on")
            result[key] = value

    def _array(self, pos: int, depth: int) -> tuple[PdfValue, int]:
        data, size = self.data, len(self.data)
        result: list[PdfValue] = []
        value: PdfValue
        inline = depth < MAX_DEPTH
        while True:
            token = _SIMPLE_NEXT.match(data, pos)
            if token is not None and token.lastindex == 6:
                self.spend(1 + len(result))
                return result, token.end()
            if token is not None and inline:
                value, pos = _simple(token), token.end()
                if pos < size and data[pos] not in _ENDS_TOKEN:
                    raise Unusual("a token that runs on")
            else:
                pos = _WS.match(data, pos).end()  # type: ignore[union-attr]
                if pos >= size:
                    raise Unusual("unterminated array")
                value, pos = self._value(pos, depth + 1)
            result.append(value)


_SKIP = rb"(?>(?:[ \t\r\n]+|%[^\r\n]*)*)"
"""What _WS matches, atomic: the token after it is never looked for inside a comment."""
_KEY_NEXT = re.compile(_SKIP + rb"(?:/([^\x00-\x20\x7f-\xff()<>\[\]{}/%#]{1,127})|(>>))")
"""After whitespace: a dictionary key that is a name (1), or the dictionary's end (2)."""
_SIMPLE_NEXT = re.compile(
    _SKIP + rb"(?:/([^\x00-\x20\x7f-\xff()<>\[\]{}/%#]{1,127})"  # 1: a name
    rb"|((\d{1,10})[ \t\r\n]+(\d{1,5})[ \t\r\n]+R)"  # 2 (3, 4): a reference, tried before a number as in _TOKEN
    rb"|(\d+)(?![\d.])"  # 5: an unsigned integer (a number without sign or point)
    rb"|(\]))"  # 6: an array's end
)
"""After whitespace: the commonest values, read as :meth:`PlainPdf._value` reads them but without its dispatch;
anything else (and a reference too long for pypdf) goes through _value."""


_FAST_WS = rb"[ \t\r\n]*+"
"""Whitespace between tokens on the fast path: no comment, inside which findall could find tokens (the comments
between a dictionary's entries are read by _DICT_COMMENTED's path, any other by the token-by-token one)."""
_RUNS_ON = rb"(?![^ \t\r\n()<>\[\]{}/%])"
"""Not followed by a byte that would make the token run on (the end of the text is no such byte)."""


def _simple_pattern(group: bytes) -> bytes:
    """The tokens of _TOKEN that are whole values, each in a group opened by ``group`` (``(`` to capture it whole
    or with its delimiters: findall gives b"" for a group that did not take part, so an empty capture must not be a
    value; ``(?:`` not to capture)."""
    return (
        rb"/" + group + rb"[^\x00-\x20\x7f-\xff()<>\[\]{}/%#]{1,127})"  # a name
        rb"|" + group + rb"\d{1,10}[ \t\r\n]+\d{1,5}[ \t\r\n]+R)"  # a reference, before a number as in _TOKEN
        rb"|" + group + rb"[+-]?\d+)(?![\d.])"  # an integer
        rb"|" + group + rb"[+-]?(?:\d+\.\d*|\.\d+))"  # a real
        rb"|" + group + rb"\([^()\\\r]*\))"  # a literal string without escapes or nesting
        rb"|" + group + rb"<[0-9A-Fa-f]*>)"  # a hex string
        rb"|" + group + rb"true|null)"  # a keyword
    )


def _item_pattern(group: bytes) -> bytes:
    return _FAST_WS + rb"(?>" + _simple_pattern(group) + rb")" + _RUNS_ON


_SIMPLE_ARRAY = rb"\[(?:" + _item_pattern(b"(?:") + rb")*+" + _FAST_WS + rb"\]"
"""An array of _TOKEN's whole values, without groups."""
_FLAT_DICT = (
    rb"<<(?:" + _FAST_WS + rb"/(?:[^\x00-\x20\x7f-\xff()<>\[\]{}/%#]{1,127})" + _RUNS_ON + _FAST_WS
    + rb"(?>" + _simple_pattern(b"(?:") + rb"|" + _SIMPLE_ARRAY + rb")" + _RUNS_ON + rb")*+" + _FAST_WS + rb">>"
)  # fmt: skip
"""A dictionary of whole values and simple arrays, without groups."""


def _entry_pattern(space: bytes, group: bytes, inner: bytes) -> bytes:
    """A dictionary entry: ``space``, a key as _KEY_NEXT reads it, ``space``, then a whole value, a simple array
    or ``inner`` (each in a group opened by ``group``; ``(`` or ``(?:`` as for _simple_pattern)."""
    return (
        space + rb"/" + group + rb"[^\x00-\x20\x7f-\xff()<>\[\]{}/%#]{1,127})" + _RUNS_ON + space
        + rb"(?>" + _simple_pattern(group) + rb"|" + group + _SIMPLE_ARRAY + rb")|" + group + inner + rb"))"
        + _RUNS_ON
    )  # fmt: skip


def _dict_pattern(space: bytes) -> bytes:
    """After a dictionary's ``<<``: entries of _entry_pattern, without groups (Python 3.11's re fails with a
    SystemError on some groups inside possessive repeats), and the end."""
    return rb"(?:" + _entry_pattern(space, b"(?:", _FLAT_DICT) + rb")*+" + space + rb">>"


_ITEM = re.compile(_item_pattern(b"("))
_DICT_ENTRY = re.compile(_entry_pattern(_FAST_WS, b"(", _FLAT_DICT))
_DICT_ENTRY_FLAT = re.compile(_entry_pattern(_FAST_WS, b"(", rb"(?!)"))
"""As _DICT_ENTRY, with the same groups, but its last (a flat dictionary) never takes part."""
_DICT_FAST = re.compile(_dict_pattern(_FAST_WS))
"""A dictionary of _DICT_ENTRY's entries: findall then finds each entry exactly where this match went (no
comments, so nothing between entries is skipped)."""
_DICT_ENTRY_COMMENTED = re.compile(_entry_pattern(_SKIP, b"(", _FLAT_DICT))
_DICT_COMMENTED = re.compile(_dict_pattern(_SKIP))
"""As _DICT_FAST, with comments between its entries (not in its arrays or dictionaries, whose text findall reads):
its entries are then read one after the other, from where the last one ended, never inside a comment."""
_FAST_TEXT_MAX = 1 << 16
"""Longer dictionaries are read token by token: the fast path's lists of entries stay small whatever the file (the
cut cannot make a match: a dictionary's last token is followed by at least its ``>>``)."""
_FAST_DEPTH = MAX_DEPTH - 2
"""A dictionary at a smaller depth may take the fast path: values in arrays in dictionaries in it (depth + 3) are
still read inline by the token-by-token path."""


_KNOWN: dict[bytes, tuple[dict[Name, PdfValue], int]] = {}
"""The text of a _DICT_FAST dictionary (after its ``<<``, up to its ``>>``) -> its value and the nodes it cost: its
value depends on nothing else, and the same few dictionaries (catalog, page tree, page, fonts) recur in every
original from the same software. Each hit is handed out as a fresh copy, as reading it again would give."""
_KNOWN_MAX = 1024
_KNOWN_TEXT_MAX = 1024
"""Bounds of _KNOWN (entries, bytes of a text): ~9 MB at most (measured with texts of nested dictionaries and
arrays), whatever the files."""


def _possessive_repeats_hold() -> bool:
    """Whether this Python's ``re`` ends a possessive repeat after its last whole iteration. CPython 3.11.0-3.11.4
    keep a half-matched last one (gh-106052, fixed in 3.11.5): a dictionary whose last key has no value would pass
    the fast path with entries missing, where it must be refused. There the token-by-token path reads everything."""
    broken = (
        re.fullmatch(rb"(?:ab?c)*+", b"a"),
        _DICT_FAST.match(b" /Size 4 /Root 1 0 R /P >>"),
        _DICT_FAST.match(b" /A 1 /B /C /D >>"),
        _DICT_COMMENTED.match(b" /Size 4 %c\n /P >>"),
    )
    return all(match is None for match in broken)


_FAST_PATH = _possessive_repeats_hold()


def _fresh(entries: dict[Name, PdfValue]) -> dict[Name, PdfValue]:
    """A copy of a _DICT_FAST dictionary sharing no container with it (its leaves are immutable; an array in it,
    or in a dictionary in it, holds only leaves)."""
    copy = entries.copy()
    for key, value in entries.items():
        if type(value) is list:
            copy[key] = value.copy()
        elif type(value) is dict:
            copy[key] = _fresh(value)
    return copy


def _ref(text: bytes) -> Ref:
    """The reference of an _SIMPLE reference's text (not yet in _REFS), checked as :func:`_simple` checks it."""
    if len(text) > _MAX_REF_TEXT:
        raise Unusual("a reference pypdf would read as numbers")
    if len(_REFS) >= _INTERNED_MAX:
        _REFS.clear()
    num, gen = text.split()[:2]
    ref = _REFS[text] = Ref(int(num), int(gen))
    return ref


def _integer(text: bytes) -> int:
    if len(text) > _MAX_NUMBER_TEXT:
        raise Unusual("a number longer than pypdf reads")
    return int(text)


def _real(text: bytes) -> Real:
    value = _REALS.get(text)
    if value is None:
        if len(text) > _MAX_NUMBER_TEXT:
            raise Unusual("a number longer than pypdf reads")
        if len(_REALS) >= _INTERNED_MAX:
            _REALS.clear()
        value = _REALS[text] = Real(Decimal(repr(float(text))))
    return value


def _leaf(
    name: bytes, ref: bytes, integer: bytes, real: bytes, string: bytes, hexadecimal: bytes, keyword: bytes
) -> PdfValue:
    """The value of the one group of _simple_pattern that took part (findall gives b"" for the others)."""
    if name:
        value = _NAMES.get(name)
        return value if value is not None else _interned(_NAMES, name)
    if ref:
        found = _REFS.get(ref)
        return found if found is not None else _ref(ref)
    if integer:
        return _integer(integer)
    return _other(real, string, hexadecimal, keyword)


def _other(real: bytes, string: bytes, hexadecimal: bytes, keyword: bytes) -> PdfValue:
    """A real, string, hex string or keyword of _SIMPLE, as :meth:`PlainPdf._value` converts it."""
    if real:
        return _real(real)
    if string:
        return _plain_string(string[1:-1])
    if hexadecimal:
        if len(hexadecimal) % 2:  # odd digits between the brackets
            raise Unusual("unusual hex string")
        return _plain_string(bytes.fromhex(hexadecimal[1:-1].decode("ascii")))
    return _KEYWORDS[keyword]


def _simple(token: re.Match[bytes]) -> PdfValue:
    """The value of a _SIMPLE_NEXT name, reference or integer."""
    kind = token.lastindex
    if kind == 1:
        return _interned(_NAMES, token.group(1))
    if kind == 2:
        if token.end() - token.start(2) > _MAX_REF_TEXT:
            raise Unusual("a reference pypdf would read as numbers")
        text = token.group(2)
        ref = _REFS.get(text)
        if ref is None:
            if len(_REFS) >= _INTERNED_MAX:
                _REFS.clear()
            ref = _REFS[text] = Ref(int(token.group(3)), int(token.group(4)))
        return ref
    return _integer(token.group(5))


def _plain_string(value: bytes) -> bytes:
    if value.startswith(_BOMS):
        raise Unusual("a string with a byte-order mark")  # pypdf decodes these as text
    return value


def _literal_string(data: bytes, pos: int) -> tuple[bytes, int]:
    """A ``(...)`` string: balanced parentheses and pypdf's escapes; anything else is unusual."""
    plain = _PLAIN_STRING.match(data, pos)
    if plain is not None:
        return _plain_string(plain.group(1)), plain.end()
    out = bytearray()
    depth, i, end = 1, pos + 1, len(data)
    while i < end:
        byte = data[i]
        i += 1
        if byte == 0x28:
            depth += 1
        elif byte == 0x29:
            depth -= 1
            if depth == 0:
                return _plain_string(bytes(out)), i
        elif byte == 0x5C:
            if i >= end:
                break
            escaped = data[i]
            i += 1
            if escaped in _ESCAPES:
                out.append(_ESCAPES[escaped])
                continue
            raise Unusual("an escape pypdf reads its own way")  # octal, line continuation, unknown
        out.append(byte)
    raise Unusual("unterminated string")


def get(entries: dict[Name, PdfValue], key: Name) -> PdfValue:
    """``entries[key]``, None when absent; an explicit ``null`` is unusual (pypdf's NullObject is not None)."""
    value = entries.get(key)
    if value is None and key in entries:
        raise Unusual("an explicit null")
    return value


def number(value: Resolved) -> Fraction:
    """A box coordinate, exactly as ``original_pdf`` converts pypdf's number objects."""
    if type(value) is int:
        return Fraction(value)
    if type(value) is Real:
        return Fraction(value.value)
    raise Unusual("a box coordinate that is not a number")
