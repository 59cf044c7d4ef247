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

from dataclasses import dataclass

from notary.pdf.pdf_objects import Name, PdfValue, Ref, indirect_object, name, serialise, stream_object

MAGIC_COMMENT = b"%notary-stamp-v1\n"


@dataclass(frozen=True, slots=True)
class UpdateObject:
    """One object of the update: either a direct value, or a stream (``stream_data`` not None)."""

    ref: Ref
    value: PdfValue
    stream_data: bytes | None = None
    body: bytes | None = None
    """The object's bytes after its ``N G obj`` line, when the caller has them already: made by these same rules
    from ``value`` once and reused (``value`` and ``stream_data`` are then what they were made from)."""

    def to_bytes(self) -> bytes:
        if self.body is not None:
            return b"%d %d obj\n" % (self.ref.num, self.ref.gen) + self.body
        if self.stream_data is None:
            return indirect_object(self.ref, self.value)
        assert isinstance(self.value, dict)
        return stream_object(self.ref, self.value, self.stream_data)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs as (first, count)."""
    runs: list[tuple[int, int]] = []
    for num in numbers:
        if runs and runs[-1][0] + runs[-1][1] == num:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((num, 1))
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
    out = bytearray()
    if not original.endswith((b"\n", b"\r")):
        out += b"\n"
    out += MAGIC_COMMENT
    base = len(original)
    ordered = sorted(objects, key=lambda obj: obj.ref.num)
    offsets: dict[int, tuple[int, int]] = {}
    for obj in ordered:
        offsets[obj.ref.num] = (base + len(out), obj.ref.gen)
        out += obj.to_bytes()
    highest = max([size - 1, *offsets])
    entries: dict[Name, PdfValue] = dict(trailer)
    entries[name("Prev")] = prev
    if not xref_stream:
        entries[name("Size")] = highest + 1
        xref_offset = base + len(out)
        out += b"xref\n"
        numbers = sorted(offsets)
        for first, count in _runs(numbers):
            out += b"%d %d\n" % (first, count)
            for num in range(first, first + count):
                offset, gen = offsets[num]
                out += b"%010d %05d n \n" % (offset, gen)
        out += b"trailer\n" + serialise(entries) + b"\n"
    else:
        xref_ref = Ref(highest + 1, 0)
        xref_offset = base + len(out)
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
        out += UpdateObject(xref_ref, entries, bytes(rows)).to_bytes()
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)
