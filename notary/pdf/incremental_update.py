"""Writing one incremental update (objects, cross-reference section, trailer) — FORMAT-CRITICAL (v1).

Normative text: docs/stamp-format.md S§4.

Why by hand: see :mod:`notary.pdf.pdf_objects`. Layout of the update, byte for byte:

1. ``\\n`` only when the original does not end with CR or LF;
2. the comment line ``%notary-stamp-v1``;
3. the indirect objects in ascending object number;
4. when the original's last cross-reference section is a classic table: ``xref``, one subsection per run
   of consecutive object numbers (``first count``), 20-byte entries ``oooooooooo ggggg n`` + SP LF, then
   ``trailer`` and the trailer dictionary;
   when it is a cross-reference stream: one more object (number = last new one + 1), an UNFILTERED
   ``/Type /XRef`` stream with ``/W [1 4 2]``, an ``/Index`` of the same runs, entries type 1; its
   dictionary carries the trailer entries;
5. ``startxref``, the offset of that section, ``%%EOF`` and LF.

The trailer (dictionary) holds /Size, /Root, /Prev and, when the original had them, /Info and /ID
unchanged (so the update never depends on time or randomness).
"""

from __future__ import annotations

from typing import NamedTuple

from notary.pdf.pdf_objects import Name, PdfValue, Ref, name, serialise

MAGIC_COMMENT = b"%notary-stamp-v1\n"
_XREF_ENTRY = b"%010d %05d n \n"
"""A classic cross-reference entry: offset, generation (the format of a run's entries, repeated, is one % each)."""


class UpdateObject(NamedTuple):
    """One object of the update: either a direct value, or a stream (``stream_data`` not None).

    A named tuple, immutable like the frozen dataclass it was, made in a fifth of its time (eight each stamp)."""

    ref: Ref
    value: PdfValue
    stream_data: bytes | None = None
    body: bytes | None = None
    """The object's bytes after its ``N G obj`` line, when the caller has them already: made by these same rules
    from ``value`` once and reused (``value`` and ``stream_data`` are then what they were made from)."""
    head: bytes | None = None
    """A stream's serialised dictionary, ``/Length`` included, when the caller has it already (made by these
    same rules from ``value`` and ``stream_data``): its data is then never copied before the update is joined."""

    def to_bytes(self) -> bytes:
        return b"".join(self.chunks())

    def chunks(self) -> tuple[bytes, ...]:
        """The object's bytes in pieces (``N G obj`` line, ..., ``endobj`` line), its data not copied."""
        ref = self.ref
        line = b"%d %d obj\n" % (ref.num, ref.gen)
        if self.body is not None:
            return line, self.body
        data = self.stream_data
        if data is None:
            return line, serialise(self.value), b"\nendobj\n"
        head = self.head
        if head is None:
            assert isinstance(self.value, dict)
            entries = dict(self.value)
            entries[name("Length")] = len(data)
            head = serialise(entries)
        return line, head, b"\nstream\n", data, b"\nendstream\nendobj\n"


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs as (first, count)."""
    runs: list[tuple[int, int]] = []
    first = count = 0
    for num in numbers:
        if count and num == first + count:
            count += 1
        else:
            if count:
                runs.append((first, count))
            first, count = num, 1
    if count:
        runs.append((first, count))
    return runs


def write_update(
    original: bytes,
    objects: list[UpdateObject],
    *,
    size: int,
    prev: int,
    trailer: dict[Name, PdfValue],
    xref_stream: bool,
) -> bytes:
    """The bytes to append to ``original``.

    ``size`` is the original's /Size, ``prev`` its last startxref, ``trailer`` the entries to carry over
    (/Root, /Info, /ID). Object numbers must be unique.
    """
    return b"".join(update_chunks(original, objects, size=size, prev=prev, trailer=trailer, xref_stream=xref_stream))


def update_chunks(
    original: bytes,
    objects: list[UpdateObject],
    *,
    size: int,
    prev: int,
    trailer: dict[Name, PdfValue],
    xref_stream: bool,
) -> list[bytes]:
    """:func:`write_update` in pieces: joined once by the caller (with the original in front, for the stamped
    file), so that no piece (the proof, the drawing: most of the update) is copied more than that once."""
    out: list[bytes] = []
    if not original.endswith((b"\n", b"\r")):
        out.append(b"\n")
    out.append(MAGIC_COMMENT)
    position = len(original) + sum(map(len, out))
    ordered = sorted(objects, key=lambda obj: obj.ref.num)
    offsets: dict[int, tuple[int, int]] = {}
    for obj in ordered:
        ref = obj.ref
        offsets[ref.num] = (position, ref.gen)
        chunks = obj.chunks()
        out += chunks
        for chunk in chunks:
            position += len(chunk)
    highest = max([size - 1, *offsets])
    entries: dict[Name, PdfValue] = dict(trailer)
    entries[name("Prev")] = prev
    xref_offset = position
    if not xref_stream:
        entries[name("Size")] = highest + 1
        out.append(b"xref\n")
        numbers = sorted(offsets)
        for first, count in _runs(numbers):
            entries_of_run = [value for num in range(first, first + count) for value in offsets[num]]
            out.append(b"%d %d\n" % (first, count) + _XREF_ENTRY * count % tuple(entries_of_run))
        out += (b"trailer\n", serialise(entries), b"\n")
    else:
        xref_ref = Ref(highest + 1, 0)
        offsets[xref_ref.num] = (xref_offset, 0)
        numbers = sorted(offsets)
        runs = _runs(numbers)
        rows = bytearray()
        for num in numbers:
            offset, gen = offsets[num]
            rows += b"\x01" + offset.to_bytes(4, "big") + gen.to_bytes(2, "big")
        entries[name("Size")] = xref_ref.num + 1
        entries[name("Type")] = name("XRef")
        entries[name("W")] = [1, 4, 2]
        entries[name("Index")] = [value for run in runs for value in run]
        out += UpdateObject(xref_ref, entries, bytes(rows)).chunks()
    out.append(b"startxref\n%d\n%%%%EOF\n" % xref_offset)
    return out
