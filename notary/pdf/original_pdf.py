"""Reading what the stamp needs from an original PDF — pypdf is used here, and ONLY to read.

Normative text: docs/stamp-format.md S§2 (what is read, and which originals cannot be stamped).

Why a separate reader: the stamp must be a pure function of the original's bytes, so everything the stamp
copies is gathered here into plain values (:mod:`notary.pdf.pdf_objects`), with raw entries (indirect
references kept as references), and without pypdf's page-tree flattening (which copies inherited attributes
into the page dictionary in memory). The page tree is walked by hand instead.

Every pypdf failure, recursion problem or implausible structure becomes a :class:`PdfError`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

from notary.errors import PdfError
from notary.pdf import plain_reader
from notary.pdf.pdf_objects import Budget, Name, PdfValue, Real, Ref, from_pypdf
from notary.pdf.plain_reader import PlainPdf, Unusual
from notary.pdf.plain_reader import get as _get

MAX_PDF_BYTES = 50 * 1024 * 1024
_MAX_TREE_DEPTH = 32
_MAX_TREE_NODES = 2_000
_MAX_NAME_ENTRIES = 10_000
_TAIL = 2048
_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})\s+%%EOF")
_OBJ_HEADER = re.compile(rb"\s*\d{1,10}\s+\d{1,5}\s+obj\b")

Box = tuple[Fraction, Fraction, Fraction, Fraction]
"""A rectangle (x0, y0, x1, y1), normalised so that x0 <= x1 and y0 <= y1, exact."""


@dataclass(frozen=True, slots=True)
class OriginalPdf:
    """What stamping needs to know about an original PDF (all values plain, nothing from pypdf)."""

    size: int
    """The last trailer's /Size: the first free object number."""
    startxref: int
    """Byte offset of the original's last cross-reference section (the update's /Prev)."""
    xref_is_stream: bool
    """True when that section is a cross-reference stream (PDF 1.5+), False for a classic table."""
    root: Ref
    info: PdfValue
    """The trailer's /Info entry (normally a reference) or None when absent."""
    file_id: PdfValue
    """The trailer's /ID entry or None when absent."""
    catalog: dict[Name, PdfValue]
    page_ref: Ref
    page: dict[Name, PdfValue]
    """Page 1's own entries, raw (inherited attributes NOT copied in)."""
    contents: list[Ref]
    """Page 1's content streams, in order."""
    resources: dict[Name, PdfValue]
    """Page 1's effective /Resources (own or inherited), one level resolved."""
    fonts: dict[Name, PdfValue]
    """The effective /Font dictionary of those resources, one level resolved (empty when absent)."""
    visible_box: Box
    """CropBox intersected with MediaBox (MediaBox when no CropBox), in default user space."""
    rotate: int
    """/Rotate normalised to 0, 90, 180 or 270."""
    names: dict[Name, PdfValue]
    """The catalog's /Names dictionary, one level resolved (empty when absent)."""
    embedded_files: list[tuple[bytes, PdfValue]]
    """Existing (name, file specification) pairs of the /EmbeddedFiles name tree, in tree order."""
    associated_files: list[PdfValue]
    """Existing items of the catalog's /AF array."""
    source: tuple[tuple[int, int, bytes], ...] | None = field(default=None, compare=False, repr=False)
    """The text of every object read for the fields above (number, generation, text up to its ``endobj`` or
    ``stream`` keyword), in the order read; with /Size and /Root they determine catalog, page_ref, page,
    contents, resources, fonts, names, embedded_files and associated_files. An original from the same template
    as another has the same, so what is made of these can be made once (:mod:`notary.pdf.stamping`). None when
    not known (read by pypdf, or texts too long to keep)."""


@contextmanager
def pdf_errors(what: str) -> Iterator[None]:
    """Turn anything pypdf (or a hostile file) can throw into one clear PdfError."""
    try:
        yield
    except PdfError:
        raise
    except RecursionError as exc:
        raise PdfError(f"{what}: the PDF structure nests too deeply") from exc
    except MemoryError as exc:
        raise PdfError(f"{what}: the PDF needs too much memory") from exc
    except Exception as exc:
        raise PdfError(f"{what}: the PDF is damaged or not a PDF ({type(exc).__name__}: {exc})") from exc


def open_reader(data: bytes, what: str) -> Any:
    """A pypdf reader over ``data`` after cheap sanity checks (size, header)."""
    from pypdf import PdfReader

    if len(data) > MAX_PDF_BYTES:
        raise PdfError(f"{what}: the file is larger than {MAX_PDF_BYTES // (1024 * 1024)} MB")
    if b"%PDF-" not in data[:1024]:
        raise PdfError(f"{what}: this is not a PDF (no %PDF- header)")
    with pdf_errors(what):
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfError(f"{what}: the PDF is encrypted; notarise the unencrypted file")
    return reader


def resolve(reader: Any, value: Any) -> Any:
    """One level of indirection resolved, using pypdf's object cache."""
    from pypdf.generic import IndirectObject

    if isinstance(value, IndirectObject):
        return reader.get_object(value)
    return value


def raw_get(obj: Any, key: str) -> Any:
    """A dictionary entry WITHOUT resolving an indirect reference (pypdf's [] resolves)."""
    return dict.get(obj, key)


def is_dict(obj: Any) -> bool:
    from pypdf.generic import DictionaryObject, StreamObject

    return isinstance(obj, DictionaryObject) and not isinstance(obj, StreamObject)


def _as_ref(value: Any, what: str) -> Ref:
    from pypdf.generic import IndirectObject

    if not isinstance(value, IndirectObject):
        raise PdfError(f"{what} is not an indirect object")
    return Ref(int(value.idnum), int(value.generation))


def _dict_of(reader: Any, value: Any, what: str, budget: Budget) -> dict[Name, PdfValue]:
    resolved = resolve(reader, value)
    if not is_dict(resolved):
        raise PdfError(f"{what} is not a dictionary")
    converted = from_pypdf(resolved, budget)
    assert isinstance(converted, dict)
    return converted


def find_startxref(data: bytes) -> int:
    """The offset after the LAST ``startxref`` keyword, which must be followed by ``%%EOF``."""
    tail = data[-_TAIL:]
    matches = list(_STARTXREF.finditer(tail))
    if not matches:
        raise PdfError("the PDF has no startxref/%%EOF at its end (truncated or damaged)")
    offset = int(matches[-1].group(1))
    if not 0 < offset < len(data):
        raise PdfError("the PDF's startxref points outside the file")
    return offset


def _xref_is_stream(data: bytes, offset: int) -> bool:
    window = data[offset : offset + 64]
    if window.lstrip().startswith(b"xref"):
        return False
    if _OBJ_HEADER.match(window):
        return True
    raise PdfError("the PDF's startxref does not point at a cross-reference section; repair the file first")


def _number(value: Any, what: str) -> Fraction:
    from pypdf.generic import FloatObject, NumberObject

    if isinstance(value, NumberObject):
        return Fraction(int(value))
    if isinstance(value, FloatObject):
        real = Real.from_float(float(value))
        return Fraction(real.value)
    raise PdfError(f"{what} holds a non-number")


def _box(reader: Any, value: Any, what: str) -> Box:
    from pypdf.generic import ArrayObject

    arr = resolve(reader, value)
    if not isinstance(arr, ArrayObject) or len(arr) != 4:
        raise PdfError(f"{what} is not a rectangle")
    a, b, c, d = (_number(resolve(reader, v), what) for v in list.__iter__(arr))
    return (min(a, c), min(b, d), max(a, c), max(b, d))


def _first_page(reader: Any, pages_ref: Any) -> tuple[Any, Any, list[Any]]:
    """(page reference, page dictionary, ancestors nearest first) for page 1, walking /Kids by hand."""
    from pypdf.generic import ArrayObject, IndirectObject

    if not isinstance(pages_ref, IndirectObject):
        raise PdfError("the catalog's /Pages is not an indirect object")
    node_ref = pages_ref
    ancestors: list[Any] = []
    seen: set[tuple[int, int]] = set()
    for _ in range(_MAX_TREE_DEPTH):
        key = (int(node_ref.idnum), int(node_ref.generation))
        if key in seen:
            raise PdfError("the page tree has a cycle")
        seen.add(key)
        node = resolve(reader, node_ref)
        if not is_dict(node):
            raise PdfError("the page tree holds a non-dictionary")
        node_type = raw_get(node, "/Type")
        kids = resolve(reader, raw_get(node, "/Kids"))
        if node_type == "/Page" or (node_type != "/Pages" and kids is None):
            if not ancestors:
                raise PdfError("the catalog's /Pages is a page, not a page tree")
            return node_ref, node, ancestors
        if not isinstance(kids, ArrayObject) or len(kids) == 0:
            raise PdfError("the PDF has no pages")
        ancestors.insert(0, node)
        chosen = None
        for kid in list.__iter__(kids):
            kid_obj = resolve(reader, kid)
            if not is_dict(kid_obj):
                raise PdfError("the page tree holds a non-dictionary")
            count = raw_get(kid_obj, "/Count")
            if raw_get(kid_obj, "/Type") == "/Pages" and isinstance(count, int) and count <= 0:
                continue
            chosen = kid
            break
        if chosen is None or not isinstance(chosen, IndirectObject):
            raise PdfError("the page tree has no usable first page")
        node_ref = chosen
    raise PdfError("the page tree nests too deeply")


def _inherited(page: Any, ancestors: list[Any], key: str) -> Any:
    value = raw_get(page, key)
    if value is not None:
        return value
    for node in ancestors:
        value = raw_get(node, key)
        if value is not None:
            return value
    return None


def name_tree_entries(reader: Any, root: Any, budget: Budget) -> list[tuple[bytes, PdfValue]]:
    """All (key, value) pairs of a name tree, values raw (references kept), bounded in work."""
    from pypdf.generic import ArrayObject, ByteStringObject, TextStringObject

    entries: list[tuple[bytes, PdfValue]] = []
    visited = 0
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node_value, depth = stack.pop()
        visited += 1
        if visited > _MAX_TREE_NODES or depth > _MAX_TREE_DEPTH:
            raise PdfError("the attachment name tree is implausibly large or deep")
        node = resolve(reader, node_value)
        if not is_dict(node):
            raise PdfError("the attachment name tree holds a non-dictionary")
        names = resolve(reader, raw_get(node, "/Names"))
        if names is not None:
            if not isinstance(names, ArrayObject) or len(names) % 2:
                raise PdfError("the attachment name tree has a malformed /Names array")
            items = list(list.__iter__(names))
            for i in range(0, len(items), 2):
                key = resolve(reader, items[i])
                if isinstance(key, TextStringObject):
                    key_bytes = bytes(key.original_bytes)
                elif isinstance(key, ByteStringObject):
                    key_bytes = bytes(key)
                else:
                    raise PdfError("the attachment name tree has a non-string key")
                entries.append((key_bytes, from_pypdf(items[i + 1], budget)))
                if len(entries) > _MAX_NAME_ENTRIES:
                    raise PdfError("the PDF has implausibly many attachments")
        kids = resolve(reader, raw_get(node, "/Kids"))
        if kids is not None:
            if not isinstance(kids, ArrayObject):
                raise PdfError("the attachment name tree has a malformed /Kids array")
            stack.extend((kid, depth + 1) for kid in reversed(list(list.__iter__(kids))))
    return entries


def read_original(data: bytes) -> OriginalPdf:
    """Gather everything stamping needs from ``data``; raise PdfError when the file cannot be stamped.

    A plain file is read by :mod:`notary.pdf.plain_reader` (the same result, several times faster); anything
    else, including every file that cannot be stamped, by pypdf."""
    return read_original_plain(data) or read_original_pypdf(data)


def read_original_plain(data: bytes) -> OriginalPdf | None:
    """:func:`read_original` of a plain file, None for any other (read that with :func:`read_original_pypdf`)."""
    if len(data) > MAX_PDF_BYTES:
        return None
    try:
        return _read_plain(data)
    except (Unusual, RecursionError, ValueError):  # ValueError: e.g. a number longer than int() takes (4,300 digits)
        return None


_PAGE, _PAGES = Name(b"Page"), Name(b"Pages")


def _read_plain(data: bytes) -> OriginalPdf:
    """:func:`read_original` of a plain file, step by step as :func:`read_original_pypdf` reads it; every check
    that would fail there raises Unusual here, so that pypdf's reading gives the refusal."""
    pdf = PlainPdf(data)
    trailer = pdf.trailer()
    if any(key in trailer for key in (_ENCRYPT, _PREV, _XREF_STM)):
        raise Unusual("an encrypted or updated file")
    size = _get(trailer, _SIZE)
    if type(size) is not int or not 1 <= size <= 8_388_607 or (pdf.offsets and max(pdf.offsets) >= size):
        raise Unusual("an unusual /Size")
    root = _get(trailer, _ROOT)
    catalog = _plain_dict(pdf, root)
    if type(root) is not Ref:
        raise Unusual("an unusual /Root")
    page_ref, page, ancestors = _plain_first_page(pdf, _get(catalog, _PAGES_KEY))

    contents_value = _get(page, _CONTENTS)
    contents: list[Ref] = []
    if contents_value is not None:
        resolved = pdf.resolve(contents_value)
        if type(resolved) is plain_reader.Stream and type(contents_value) is Ref:
            contents = [contents_value]
        elif type(resolved) is list and all(type(item) is Ref for item in resolved):
            contents = resolved  # type: ignore[assignment]
        else:
            raise Unusual("unusual /Contents")

    resources_value = _plain_inherited(page, ancestors, _RESOURCES)
    resources: dict[Name, PdfValue] = {}
    fonts: dict[Name, PdfValue] = {}
    if resources_value is not None:
        resources = _plain_dict(pdf, resources_value)
        font_value = _get(resources, _FONT)
        if font_value is not None:
            fonts = _plain_dict(pdf, font_value)

    media_value = _plain_inherited(page, ancestors, _MEDIA_BOX)
    if media_value is None:
        raise Unusual("no /MediaBox")
    media = _box_numbers(pdf, media_value)
    crop_value = _plain_inherited(page, ancestors, _CROP_BOX)
    crop = None if crop_value is None else _box_numbers(pdf, crop_value)
    visible = _visible_box(media, crop)
    rotate_value = pdf.resolve(_plain_inherited(page, ancestors, _ROTATE))
    rotate = 0
    if rotate_value is not None:
        if type(rotate_value) is not int or rotate_value % 90:
            raise Unusual("an unusual /Rotate")
        rotate = rotate_value % 360

    embedded: list[tuple[bytes, PdfValue]] = []
    names: dict[Name, PdfValue] = {}
    names_value = _get(catalog, _NAMES)
    if names_value is not None:
        names = _plain_dict(pdf, names_value)
        tree = _get(names, _EMBEDDED_FILES)
        if tree is not None:
            embedded = _plain_name_tree(pdf, tree)
    associated: list[PdfValue] = []
    af_value = _get(catalog, _AF)
    if af_value is not None:
        af = pdf.resolve(af_value)
        if type(af) is not list:
            raise Unusual("an unusual /AF")
        associated = af
    info = _get(trailer, _INFO)
    return OriginalPdf(
        size=size,
        startxref=pdf.startxref,
        xref_is_stream=False,
        root=root,
        info=info if type(info) is Ref else None,
        file_id=_get(trailer, _ID),
        catalog=catalog,
        page_ref=page_ref,
        page=page,
        contents=contents,
        resources=resources,
        fonts=fonts,
        visible_box=visible,
        rotate=rotate,
        names=names,
        embedded_files=embedded,
        associated_files=associated,
        source=_source(pdf),
    )


_Source = tuple[tuple[int, int, bytes], ...]
_SOURCES: dict[_Source, _Source] = {}
"""Each distinct source once: the parses a process holds (up to thousands, documents.py's _HELD) share their
template's instead of holding ~1 KB each. Bounded: cleared when _SOURCES_MAX are held (sources are immutable)."""
_SOURCES_MAX = 256


def _source(pdf: PlainPdf) -> _Source | None:
    """OriginalPdf.source: the texts the reader kept (None from a reader that keeps none, e.g. a frozen older
    one that tests compare with)."""
    texts: list[tuple[int, int, bytes]] | None = getattr(pdf, "texts", None)
    if texts is None:
        return None
    source = tuple(texts)
    shared = _SOURCES.get(source)
    if shared is None:
        if len(_SOURCES) >= _SOURCES_MAX:
            _SOURCES.clear()
        shared = _SOURCES[source] = source
    return shared


(_ENCRYPT, _PREV, _XREF_STM, _SIZE, _ROOT, _INFO, _ID, _PAGES_KEY, _CONTENTS, _RESOURCES, _FONT, _MEDIA_BOX,
 _CROP_BOX, _ROTATE, _NAMES, _EMBEDDED_FILES, _AF, _TYPE, _KIDS, _COUNT) = (
    Name(n.encode()) for n in ("Encrypt", "Prev", "XRefStm", "Size", "Root", "Info", "ID", "Pages", "Contents",
                               "Resources", "Font", "MediaBox", "CropBox", "Rotate", "Names", "EmbeddedFiles", "AF",
                               "Type", "Kids", "Count"))  # fmt: skip


def _plain_dict(pdf: PlainPdf, value: PdfValue) -> dict[Name, PdfValue]:
    resolved = pdf.resolve(value)
    if type(resolved) is not dict:
        raise Unusual("not a dictionary")
    return resolved


def _plain_first_page(
    pdf: PlainPdf, pages_ref: PdfValue
) -> tuple[Ref, dict[Name, PdfValue], list[dict[Name, PdfValue]]]:
    """:func:`_first_page` on the plain reader's values."""
    if type(pages_ref) is not Ref:
        raise Unusual("an unusual /Pages")
    node_ref: Ref = pages_ref
    ancestors: list[dict[Name, PdfValue]] = []
    seen: set[Ref] = set()
    for _ in range(_MAX_TREE_DEPTH):
        if node_ref in seen:
            raise Unusual("a page tree cycle")
        seen.add(node_ref)
        node = _plain_dict(pdf, node_ref)
        node_type = _get(node, _TYPE)
        kids = pdf.resolve(_get(node, _KIDS))
        if node_type == _PAGE or (node_type != _PAGES and kids is None):
            if not ancestors:
                raise Unusual("/Pages is a page")
            return node_ref, node, ancestors
        if type(kids) is not list or not kids:
            raise Unusual("no pages")
        ancestors.insert(0, node)
        chosen: PdfValue = None
        for kid in kids:
            kid_obj = _plain_dict(pdf, kid)
            count = _get(kid_obj, _COUNT)
            if type(count) is bool or type(count) is Real:
                raise Unusual("an unusual /Count")  # pypdf's booleans and reals are no ints
            if _get(kid_obj, _TYPE) == _PAGES and type(count) is int and count <= 0:
                continue
            chosen = kid
            break
        if type(chosen) is not Ref:
            raise Unusual("no usable first page")
        node_ref = chosen
    raise Unusual("a deep page tree")


def _plain_inherited(page: dict[Name, PdfValue], ancestors: list[dict[Name, PdfValue]], key: Name) -> PdfValue:
    value = _get(page, key)
    if value is not None:
        return value
    for node in ancestors:
        value = _get(node, key)
        if value is not None:
            return value
    return None


_BoxNumbers = tuple[tuple[type, object], ...]


def _box_numbers(pdf: PlainPdf, value: PdfValue) -> _BoxNumbers:
    """A rectangle's four entries, resolved, each with its type (so that ``true`` never passes for 1)."""
    arr = pdf.resolve(value)
    if type(arr) is not list or len(arr) != 4:
        raise Unusual("not a rectangle")
    numbers = []
    for item in arr:  # one by one, as the conversion went: the first failure is the one raised
        resolved = pdf.resolve(item)
        if type(resolved) is not int and type(resolved) is not Real:
            raise Unusual("a box coordinate that is not a number")  # as plain_reader.number says
        numbers.append((type(resolved), resolved))
    result = tuple(numbers)
    _plain_box(result)  # converted now (an infinite real fails here, as before), from the cache next time
    return result


@lru_cache(maxsize=256)
def _visible_box(media: _BoxNumbers, crop: _BoxNumbers | None) -> Box:
    """CropBox intersected with MediaBox (MediaBox without a CropBox), exact; Unusual for a small page.
    Cached: exact arithmetic on fractions is slow, and a run's pages share a few boxes."""
    visible = _plain_box(media)
    if crop is not None:
        cropped = _plain_box(crop)
        visible = (max(cropped[0], visible[0]), max(cropped[1], visible[1]), min(cropped[2], visible[2]),
                   min(cropped[3], visible[3]))  # fmt: skip
    if visible[2] - visible[0] < 72 or visible[3] - visible[1] < 72:
        raise Unusual("a small page")
    return visible


@lru_cache(maxsize=256)
def _plain_box(numbers: _BoxNumbers) -> Box:
    a, b, c, d = (plain_reader.number(v) for _, v in numbers)  # type: ignore[arg-type]
    return (min(a, c), min(b, d), max(a, c), max(b, d))


def _plain_name_tree(pdf: PlainPdf, root: PdfValue) -> list[tuple[bytes, PdfValue]]:
    """:func:`name_tree_entries` on the plain reader's values."""
    entries: list[tuple[bytes, PdfValue]] = []
    visited = 0
    stack: list[tuple[PdfValue, int]] = [(root, 0)]
    while stack:
        node_value, depth = stack.pop()
        visited += 1
        if visited > _MAX_TREE_NODES or depth > _MAX_TREE_DEPTH:
            raise Unusual("a large name tree")
        node = _plain_dict(pdf, node_value)
        names = pdf.resolve(_get(node, _NAMES))
        if names is not None:
            if type(names) is not list or len(names) % 2:
                raise Unusual("a malformed /Names array")
            for i in range(0, len(names), 2):
                key = pdf.resolve(names[i])
                if type(key) is not bytes:
                    raise Unusual("a non-string key")
                entries.append((key, names[i + 1]))
                if len(entries) > _MAX_NAME_ENTRIES:
                    raise Unusual("many attachments")
        kids = pdf.resolve(_get(node, _KIDS))
        if kids is not None:
            if type(kids) is not list:
                raise Unusual("a malformed /Kids array")
            stack.extend((kid, depth + 1) for kid in reversed(kids))
    return entries


def read_original_pypdf(data: bytes) -> OriginalPdf:
    """:func:`read_original` through pypdf: any file, with pypdf's tolerance and its refusals."""
    from pypdf.generic import ArrayObject, IndirectObject, NumberObject, StreamObject

    what = "cannot stamp the PDF"
    reader = open_reader(data, what)
    budget = Budget()
    with pdf_errors(what):
        startxref = find_startxref(data)
        xref_is_stream = _xref_is_stream(data, startxref)
        trailer = reader.trailer
        size = raw_get(trailer, "/Size")
        if not isinstance(size, NumberObject) or not 1 <= int(size) <= 8_388_607:
            raise PdfError(f"{what}: the trailer has no usable /Size")
        size_int = int(size)
        known = [num for table in reader.xref.values() for num in table]
        known.extend(reader.xref_objStm)
        if known and max(known) >= size_int:
            raise PdfError(f"{what}: the trailer /Size is smaller than the highest object number")
        root_value = raw_get(trailer, "/Root")
        root = _as_ref(root_value, "the trailer's /Root")
        catalog = _dict_of(reader, root_value, "the catalog", budget)
        catalog_raw = resolve(reader, root_value)

        page_ref_raw, page_raw, ancestors = _first_page(reader, raw_get(catalog_raw, "/Pages"))
        page_ref = _as_ref(page_ref_raw, "page 1")
        page = _dict_of(reader, page_raw, "page 1", budget)

        contents_value = raw_get(page_raw, "/Contents")
        contents: list[Ref] = []
        if contents_value is not None:
            resolved = resolve(reader, contents_value)
            if isinstance(resolved, StreamObject):
                contents = [_as_ref(contents_value, "page 1's content stream")]
            elif isinstance(resolved, ArrayObject):
                contents = [_as_ref(item, "a content stream") for item in list.__iter__(resolved)]
            else:
                raise PdfError(f"{what}: page 1's /Contents is neither a stream nor an array")

        resources_value = _inherited(page_raw, ancestors, "/Resources")
        resources: dict[Name, PdfValue] = {}
        fonts: dict[Name, PdfValue] = {}
        if resources_value is not None:
            resources = _dict_of(reader, resources_value, "page 1's /Resources", budget)
            font_value = raw_get(resolve(reader, resources_value), "/Font")
            if font_value is not None:
                fonts = _dict_of(reader, font_value, "page 1's /Font resources", budget)

        media_value = _inherited(page_raw, ancestors, "/MediaBox")
        if media_value is None:
            raise PdfError(f"{what}: page 1 has no /MediaBox")
        media = _box(reader, media_value, "/MediaBox")
        crop_value = _inherited(page_raw, ancestors, "/CropBox")
        visible = media
        if crop_value is not None:
            crop = _box(reader, crop_value, "/CropBox")
            visible = (max(crop[0], media[0]), max(crop[1], media[1]), min(crop[2], media[2]),
                       min(crop[3], media[3]))  # fmt: skip
        if visible[2] - visible[0] < 72 or visible[3] - visible[1] < 72:
            raise PdfError(f"{what}: page 1 is too small for a stamp")
        rotate_value = resolve(reader, _inherited(page_raw, ancestors, "/Rotate"))
        rotate = 0
        if rotate_value is not None:
            if not isinstance(rotate_value, NumberObject) or int(rotate_value) % 90:
                raise PdfError(f"{what}: page 1's /Rotate is not a multiple of 90")
            rotate = int(rotate_value) % 360

        embedded: list[tuple[bytes, PdfValue]] = []
        names: dict[Name, PdfValue] = {}
        names_value = raw_get(catalog_raw, "/Names")
        if names_value is not None:
            names = _dict_of(reader, names_value, "the catalog's /Names", budget)
            tree = raw_get(resolve(reader, names_value), "/EmbeddedFiles")
            if tree is not None:
                embedded = name_tree_entries(reader, tree, budget)
        associated: list[PdfValue] = []
        af_value = raw_get(catalog_raw, "/AF")
        if af_value is not None:
            af = resolve(reader, af_value)
            if not isinstance(af, ArrayObject):
                raise PdfError(f"{what}: the catalog's /AF is not an array")
            associated = [from_pypdf(item, budget) for item in list.__iter__(af)]

        info_value = raw_get(trailer, "/Info")
        id_value = raw_get(trailer, "/ID")
        if raw_get(trailer, "/Encrypt") is not None:
            raise PdfError(f"{what}: the PDF is encrypted; notarise the unencrypted file")
        return OriginalPdf(
            size=size_int,
            startxref=startxref,
            xref_is_stream=xref_is_stream,
            root=root,
            info=from_pypdf(info_value, budget) if isinstance(info_value, IndirectObject) else None,
            file_id=from_pypdf(id_value, budget) if id_value is not None else None,
            catalog=catalog,
            page_ref=page_ref,
            page=page,
            contents=contents,
            resources=resources,
            fonts=fonts,
            visible_box=visible,
            rotate=rotate,
            names=names,
            embedded_files=embedded,
            associated_files=associated,
        )
