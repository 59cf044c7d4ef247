"""The plain reader's fast paths (whole dictionaries by regex, known dictionaries, the xref loop) give exactly what
the token-by-token reader of before gave: the same values, the same budget spent, the same refusals.

The reader as it was (commit d9eff68) is kept below, frozen, and every input is read by both: the benchmark corpus,
the sample certificates, crafted odd objects and seeded random ones. Exceptions compare by type (any ``Unusual``
sends the file to pypdf; another type escapes either reader alike).
"""

from __future__ import annotations

import functools
import random
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from notary.pdf import original_pdf, plain_reader
from notary.pdf.pdf_objects import Name, Ref
from notary.pdf.samples import make_certificate, sample_certificates
from tests.unit.test_pdf_plain_reader import pdf_file

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "pdf"

_FROZEN_SOURCE = r'''
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
    """An indirect object that is a stream (only its being one matters to the stamp)."""

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
            for num, (entry_offset, gen, kind) in zip(range(first, first + count), entries, strict=True):
                if num in seen:
                    raise Unusual("unusual xref entry")
                seen.add(num)
                if kind == b"n":
                    offsets[num] = (int(entry_offset), int(gen))
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
        if result is None:
            raise Unusual("a reference to null")  # pypdf's NullObject is not None: told apart by the fallback
        self._cache[value.num] = result
        return result

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
            if token.group(7) and not token.group(8):
                value = int(text)
            else:
                value = _REALS.get(text)
                if value is None:
                    if len(_REALS) >= _INTERNED_MAX:
                        _REALS.clear()
                    value = _REALS[text] = Real(Decimal(repr(float(text))))
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
    return int(token.group(5))


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
'''


def _load_frozen() -> types.ModuleType:
    module = types.ModuleType("frozen_plain_reader")
    exec(compile(_FROZEN_SOURCE, "frozen_plain_reader.py", "exec"), module.__dict__)
    return module


FROZEN = _load_frozen()
READERS = (FROZEN, plain_reader)


def _outcome(call: Callable[[], object], module: types.ModuleType) -> object:
    try:
        value = call()
    except module.Unusual:
        return "Unusual"
    except Exception as exc:  # another type escapes either reader alike, or the readers differ
        return type(exc).__name__
    if isinstance(value, module.Stream):
        return ("stream", value.entries)
    return value


def _objects(data: bytes, module: types.ModuleType) -> object:
    """The trailer and every object of the xref table, resolved one after the other by one reader, and the budget
    left at the end."""
    try:
        pdf = module.PlainPdf(data)
    except module.Unusual:
        return "Unusual"
    results: list[tuple[object, object]] = [("trailer", _outcome(pdf.trailer, module))]
    for num, (_, gen) in list(pdf.offsets.items()):
        results.append((num, _outcome(functools.partial(pdf.resolve, Ref(num, gen)), module)))
    results.append(("trailer again", _outcome(pdf.trailer, module)))
    results.append(("budget", pdf.nodes))
    return results


@contextmanager
def _reading_with(module: types.ModuleType) -> Iterator[None]:
    """original_pdf's plain reading, on ``module``'s reader."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(original_pdf, "PlainPdf", module.PlainPdf)
        patch.setattr(original_pdf, "Unusual", module.Unusual)
        patch.setattr(original_pdf, "plain_reader", module)
        yield


def _read(data: bytes, module: types.ModuleType) -> tuple[object, str]:
    with _reading_with(module):
        result = _outcome(lambda: original_pdf.read_original_plain(data), module)
    return result, repr(result)


def assert_same(data: bytes) -> None:
    """Both readers give the same objects, the same budget and the same reading of the file."""
    assert _objects(data, plain_reader) == _objects(data, FROZEN)
    assert _read(data, plain_reader) == _read(data, FROZEN)


def _document(page_entries: bytes = b"", extra: bytes = b"<< >>", trailer: bytes = b"") -> bytes:
    """A one-page file whose page has ``page_entries`` too, with ``extra`` as object 6."""
    return pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            + page_entries + b" /Resources << /Font << /F1 5 0 R >> /ProcSet [/PDF /Text] >> >>",
            b"<< /Length 40 >>\nstream\nBT /F1 12 Tf 72 720 Td (Zeugnis) Tj ET  \nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            extra,
        ],
        trailer,
    )  # fmt: skip


def test_the_benchmark_corpus_reads_as_before() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.corpus import corpus

    files = sorted(corpus(200).rglob("*.pdf"))
    assert len(files) == 200
    for path in files:
        data = path.read_bytes()
        assert_same(data)
        assert _read(data, plain_reader)[0] is not None


def test_sample_certificates_and_vectors_read_as_before() -> None:
    inputs = [make_certificate(c.pupil, c.school, c.grades) for c in sample_certificates(6, seed=11)]
    inputs += [path.read_bytes() for path in sorted(VECTORS.glob("*.pdf"))]
    assert len(inputs) > 6
    for data in inputs:
        assert_same(data)


ODD_DICTIONARIES = [
    b"<<>>",
    b"<< >>",
    b"<</A 1 0 R>>",
    b"<</A[/B 1 0 R 2(s)<00>true null]/C/D/E/F>>",
    b"<< /A << /B << /C 1 >> >> >>",
    b"<< /A << /B [1 2] /C << >> /D (x) >> /E [ ] >>",
    b"<< /A [[1 2] [3]] >>",
    b"<< /A (x\\(y\\)z) /B (a(b)c) /C (plain) /D () /E (\\n\\t\\\\) >>",
    b"<< /A (octal \\101) >>",
    b"<< /A (line\\\ncontinued) >>",
    b"<< /A (cr\rinside) >>",
    b"<< /A (100%) /B 1 >>",
    b"<< /A (100% /B 2 0 R) /C 3 >>",
    b"<< /A <48656c6c6f> /B <> /C <4F4b> >>",
    b"<< /A <abc> >>",
    b"<< /A <FEFF0041> >>",
    b"<< /A (\xfe\xff\x00A) >>",
    b"<< /A (\xef\xbb\xbfA) >>",
    b"<< /A 1 % a comment /B 2 0 R\n /C 3 >>",
    b"<< % /X 1\n /A 1 >>",
    b"<< /A 1 %\r/B 2\r\n>>",
    b"<< /A [1 % a comment ] 2\n 3] >>",
    b"<< /A << /B 1 % c\n >> >>",
    b"<< /A % a comment that swallows the end >>",
    b"<< /A 1 >> % after",
    b"<< /A#20B 1 >>",
    b"<< /A /B#20C >>",
    b"<< /A 1 /A 2 >>",
    b"<< /A 1.5 /B -.5 /C +3 /D 5. /E -0 /F -0.0 /G .0 /H 00012 >>",
    b"<< /A 1.2.3 >>",
    b"<< /A - >>",
    b"<< /A . >>",
    b"<< /A 1e5 >>",
    b"<< /A 12345678901 0 R >>",
    b"<< /A 1 123456 R >>",
    b"<< /A 1     0     R >>",
    b"<< /A 1234567890 12345 R >>",
    b"<< /A 1 0 Rx >>",
    b"<< /A 1 0 R/B 2 0 R[3 0 R] >>",
    b"<< /A 1 0 >>",
    b"<< /A true /B null >>",
    b"<< /A false >>",
    b"<< /A nullx >>",
    b"<< /A truefalse >>",
    b"<< /A {1} >>",
    b"<< /A 1\x00 >>",
    b"<< /A\x0c1 >>",
    b"<< /A\t1\r/B\r\n2 >>",
    b"<< 1 /A >>",
    b"<< /A >>",
    b"<< /A 1 /B >>",
    b"<< /A 1",
    b"<< /A (unterminated >>",
    b"<< /A [1 2 >>",
    b"<< /A << /B 1 >>",
    b"<< /" + b"N" * 127 + b" 1 >>",
    b"<< /" + b"N" * 128 + b" 1 >>",
    b"<< /A /" + b"N" * 128 + b" >>",
    b"<< /A " + b"<< /B " * 40 + b"1" + b" >>" * 40 + b" >>",
    b"<< /A " + b"[" * 40 + b"1" + b"]" * 40 + b" >>",
    b"<< /Length 5 >>\nstream\nhello\nendstream",
    b"<< /Length 6 >>\nstream\nhello\nendstream",
    b"<< /Length 5 /Filter [/FlateDecode] >> stream\r\nhello\r\nendstream",
    b"<< /A 1 >>\nendstream",
    b"[1 2 3]",
    b"(a string)",
    b"1 0 R",
    b"null",
]


@pytest.mark.parametrize("body", ODD_DICTIONARIES)
def test_odd_objects_and_page_entries_read_as_before(body: bytes) -> None:
    assert_same(_document(extra=body))
    assert_same(_document(page_entries=b"/Extra " + body))
    assert_same(_document(trailer=b"/Extra " + body))
    assert_same(_document(page_entries=b"/Extra [" + body + b"]"))


@pytest.mark.parametrize("levels", range(24, 36))
def test_deep_nesting_reads_as_before(levels: int) -> None:
    flat = b"<< /C [1 2] /D (x) >>"
    assert_same(_document(extra=b"<< /A " * levels + flat + b" >>" * levels))
    assert_same(_document(extra=b"[ " * levels + flat + b" ]" * levels))
    assert_same(_document(extra=b"<< /A [ " * levels + flat + b" ] >>" * levels))


@pytest.mark.parametrize("size", [(1 << 16) - 40, (1 << 16) - 3, (1 << 16) - 2, 1 << 16, (1 << 16) + 40])
def test_long_dictionaries_read_as_before(size: int) -> None:
    body = b"<< /A 1 /B (" + b"x" * size + b") >>"
    assert_same(_document(extra=body))
    assert_same(_document(extra=body.replace(b"/B", b"% c\n/B")))


def test_comments_never_give_entries() -> None:
    data = _document(extra=b"<< /A 1 % /B 2 0 R /C (x)\n/D [/E] % /F 1\n>>", trailer=b"% /Encrypt 9 0 R\n")
    assert_same(data)
    pdf = plain_reader.PlainPdf(data)
    entries = pdf.resolve(Ref(6, 0))
    assert entries == {Name(b"A"): 1, Name(b"D"): [Name(b"E")]}
    assert Name(b"Encrypt") not in pdf.trailer()


SPACES = ([b" ", b"\n", b"\r\n", b"\t", b"", b"  ", b"% c /X 1 0 R\n"], [b"\r", b"\x0c", b"%"])
NAMES = ([b"Type", b"Page", b"A", b"F1", b"N" * 127], [b"A#20B", b"N" * 128, b""])
REALS = ([b"1.5", b"-.25", b"595.2756", b"5.", b"+0.0"], [b"1.2.3", b".", b"-", b"1e5"])
STRINGS = ([b"(x)", b"()", b"(a(b)c)", b"(e\\)s)", b"(100%)"], [b"(\\101)", b"(\xfe\xffA)", b"(unclosed"])
HEXES = ([b"<>", b"<0a0B>", b"<feff>"], [b"<abc>", b"<zz>"])
KEYWORDS = ([b"true", b"null"], [b"false", b"nullx", b"R"])
KEYS = ([b"/Type", b"/A", b"/B", b"/Kids", b"/Font", b"/MediaBox"], [b"/C#20D", b"1", b"/A"])


def _pick(rng: random.Random, choices: tuple[list[bytes], list[bytes]], odd: float) -> bytes:
    """Mostly a usual choice; an odd one with probability ``odd``."""
    return rng.choice(choices[1] if rng.random() < odd else choices[0])


def _random_value(rng: random.Random, depth: int, odd: float) -> bytes:
    kind = rng.randrange(14 if depth < 3 else 11)
    if kind == 0:
        return b"/" + _pick(rng, NAMES, odd)
    if kind == 1:
        space = b" " * rng.randrange(1, 8) if rng.random() < odd else b" "
        return b"%d%s%d%sR" % (rng.randrange(12), space, rng.randrange(3), _pick(rng, SPACES, odd) or b" ")
    if kind == 2:
        return rng.choice([b"", b"-", b"+"]) + str(rng.randrange(10 ** rng.randrange(1, 12))).encode()
    if kind == 3:
        return _pick(rng, REALS, odd)
    if kind == 4:
        return _pick(rng, STRINGS, odd)
    if kind == 5:
        return _pick(rng, HEXES, odd)
    if kind == 6:
        return _pick(rng, KEYWORDS, odd)
    if kind in (7, 8, 9, 10):
        return b"%d 0 R" % rng.randrange(1, 8)
    if kind in (11, 12):
        items = [_pick(rng, SPACES, odd) + _random_value(rng, depth + 1, odd) for _ in range(rng.randrange(5))]
        return b"[" + b"".join(items) + _pick(rng, SPACES, odd) + b"]"
    return _random_dictionary(rng, depth + 1, odd)


def _random_dictionary(rng: random.Random, depth: int, odd: float) -> bytes:
    entries = []
    for _ in range(rng.randrange(6)):
        key = _pick(rng, KEYS, odd)
        entries.append(_pick(rng, SPACES, odd) + key + _pick(rng, SPACES, odd) + _random_value(rng, depth, odd))
    return b"<<" + b"".join(entries) + _pick(rng, SPACES, odd) + b">>"


def _mutated(rng: random.Random, text: bytes, odd: float) -> bytes:
    if not text or rng.random() >= odd:
        return text
    at = rng.randrange(len(text))
    if rng.random() < 0.5:
        return text[:at] + text[at + 1 :]
    return text[:at] + bytes([rng.choice(b" /<>[]()%#R0.-\\\nx")]) + text[at:]


@pytest.mark.parametrize("odd", [0.0, 0.02, 0.1, 0.3])
def test_random_objects_read_as_before(odd: float) -> None:
    rng = random.Random(f"plain reader {odd}")
    for _ in range(300):
        extra = _mutated(rng, _random_dictionary(rng, 0, odd), odd)
        entries = b"".join(b" /X%d " % i + _random_value(rng, 1, odd) for i in range(rng.randrange(4)))
        assert_same(_document(_mutated(rng, entries, odd), extra, _mutated(rng, b"/Info 6 0 R ", odd)))


def test_a_reportlab_certificate_needs_no_token_by_token_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    cert = next(iter(sample_certificates(1, seed=3)))
    data = make_certificate(cert.pupil, cert.school, cert.grades)
    expected = _read(data, FROZEN)

    def refuse(*args: object) -> None:
        raise AssertionError("read token by token")

    monkeypatch.setattr(plain_reader.PlainPdf, "_dict_token_by_token", refuse)
    for _ in range(2):  # read, then known
        assert _read(data, plain_reader) == expected
        assert expected[0] is not None


def test_known_dictionaries_are_handed_out_as_fresh_copies() -> None:
    data = _document()
    first = original_pdf.read_original_plain(data)
    second = original_pdf.read_original_plain(data)
    assert first is not None and second is not None and first == second
    resources = Name(b"Resources")
    assert first.page is not second.page and first.page[resources] is not second.page[resources]
    first_resources = first.page[resources]
    assert type(first_resources) is dict
    proc_set = first_resources[Name(b"ProcSet")]
    assert type(proc_set) is list
    proc_set.append(Name(b"Changed"))
    first.page.clear()
    assert original_pdf.read_original_plain(data) == _read(data, FROZEN)[0]


def test_known_dictionaries_stay_bounded() -> None:
    many = [b"<< /N %d /M /Name >>" % i for i in range(plain_reader._KNOWN_MAX + 100)]
    many.append(b"<< /Big (" + b"x" * plain_reader._KNOWN_TEXT_MAX + b") >>")
    pdf = plain_reader.PlainPdf(pdf_file(many))
    for num in range(1, len(many) + 1):
        assert type(pdf.resolve(Ref(num, 0))) is dict
    assert 0 < len(plain_reader._KNOWN) <= plain_reader._KNOWN_MAX
    assert all(len(text) <= plain_reader._KNOWN_TEXT_MAX for text in plain_reader._KNOWN)


def test_the_budget_is_spent_as_before() -> None:
    wide = b"<< " + b"".join(b"/K%d [1 2 3] " % i for i in range(3000)) + b">>"
    data = pdf_file([wide] * 4)
    assert _objects(data, plain_reader) == _objects(data, FROZEN)
    outcomes = _objects(data, plain_reader)
    assert isinstance(outcomes, list) and type(outcomes[1][1]) is dict and outcomes[2] == (2, "Unusual")


@pytest.mark.parametrize("number", [b"1" * 33, b"-" + b"7" * 40, b"1" * 400 + b".5", b"." + b"3" * 64, b"1" * 5000])
def test_numbers_longer_than_pypdf_reads_are_left_to_pypdf(number: bytes) -> None:
    """pypdf refuses a number of more than ~48 bytes; the plain reader must not read what it would refuse (it read
    them all: 4,300 digits and more were a ValueError, a real of 400 digits an infinity)."""
    for body in (b"<< /A " + number + b" >>", b"<< /A [" + number + b"] >>", b"<< /A 1 % c\n /B " + number + b" >>"):
        with pytest.raises(plain_reader.Unusual, match="longer than pypdf reads"):
            plain_reader.PlainPdf(_document(extra=body)).resolve(Ref(6, 0))
    assert original_pdf.read_original_plain(_document(page_entries=b"/Extra " + number)) is None
    assert original_pdf.read_original_plain(_document(trailer=b"/Extra " + number)) is None
    longest = plain_reader.PlainPdf(_document(extra=b"<< /A " + b"1" * 32 + b" /B -" + b"2" * 31 + b" >>"))
    assert longest.resolve(Ref(6, 0)) == {Name(b"A"): int(b"1" * 32), Name(b"B"): -int(b"2" * 31)}


def test_without_the_fast_path_every_file_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where re's possessive repeats are broken (CPython 3.11.0-3.11.4) the fast path is off: the token-by-token
    path then reads everything, to the same values."""
    assert plain_reader._possessive_repeats_hold() == plain_reader._FAST_PATH
    assert plain_reader._FAST_PATH or sys.version_info < (3, 11, 5)  # a sound re: the fast path is in use
    files = [make_certificate(c.pupil, c.school, c.grades) for c in sample_certificates(3, seed=5)]
    files.append(_document(extra=b"<< /A 1 /B [1 2] /C << /D 1 >> >>"))
    fast = [repr(original_pdf.read_original_plain(data)) for data in files]
    monkeypatch.setattr(plain_reader, "_FAST_PATH", False)
    assert [repr(original_pdf.read_original_plain(data)) for data in files] == fast
    assert plain_reader.PlainPdf(files[-1]).resolve(Ref(6, 0)) == {
        Name(b"A"): 1,
        Name(b"B"): [1, 2],
        Name(b"C"): {Name(b"D"): 1},
    }
