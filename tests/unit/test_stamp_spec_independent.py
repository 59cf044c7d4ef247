"""A second implementation of the notarisation update, written from docs/stamp-format.md alone.

It imports nothing from notary.pdf: pypdf only parses the original (any PDF parser would do), segno draws the
QR symbol (any ISO/IEC 18004 encoder forced to one alphanumeric segment would do), and everything the spec
defines — what is read (S§2), serialisation (S§3), the update's layout (S§4), its objects (S§5), the drawing
(S§6) — is written out here again. It must regenerate every valid PDF vector byte for byte: that is the
evidence that the spec, not only our code, defines the update.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

segno = pytest.importorskip("segno", reason="segno (independent QR encoder) not installed")
pypdf = pytest.importorskip("pypdf")
from pypdf import generic as g  # noqa: E402

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
CASES = json.loads((VECTORS / "pdf_vectors.json").read_text(encoding="utf-8"))["valid"]


# --- S§3 serialisation ---------------------------------------------------------------------------------------


class Nm(bytes):
    """A name (its bytes without the slash)."""


class R(tuple):  # type: ignore[type-arg]
    """An indirect reference (num, gen)."""


class Real(Decimal):
    pass


def real_text(d: Decimal) -> bytes:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return b"0" if text in ("-0", "") else text.encode()


def ser(v: Any) -> bytes:
    if v is None:
        return b"null"
    if v is True or v is False:
        return b"true" if v else b"false"
    if isinstance(v, Nm):
        return b"/" + b"".join(bytes([c]) if 0x21 <= c <= 0x7E and c not in b"()<>[]{}/%#" else b"#%02X" % c for c in v)
    if isinstance(v, R):
        return b"%d %d R" % v
    if isinstance(v, Real):
        return real_text(v)
    if isinstance(v, int):
        return b"%d" % v
    if isinstance(v, bytes):
        if all(0x20 <= c <= 0x7E for c in v):
            return b"(" + v.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
        return b"<" + v.hex().encode() + b">"
    if isinstance(v, list):
        return b"[" + b" ".join(map(ser, v)) + b"]"
    if isinstance(v, dict):
        return b"<<" + b" ".join(ser(k) + b" " + ser(v[k]) for k in sorted(v, key=bytes)) + b">>"
    raise TypeError(type(v))


def obj(num: int, gen: int, value: Any) -> bytes:
    return b"%d %d obj\n%s\nendobj\n" % (num, gen, ser(value))


def stream(num: int, d: dict[Nm, Any], data: bytes) -> bytes:
    return b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (num, ser({**d, Nm(b"Length"): len(data)}), data)


# --- S§2 reading, with a general parser --------------------------------------------------------------------


def conv(x: Any) -> Any:
    """A parsed value 'as written': references stay references."""
    if isinstance(x, g.IndirectObject):
        return R((x.idnum, x.generation))
    if isinstance(x, g.NullObject) or x is None:
        return None
    if isinstance(x, g.BooleanObject):
        return bool(x)
    if isinstance(x, g.NameObject):
        return Nm(str(x)[1:].encode())
    if isinstance(x, g.TextStringObject):
        return bytes(x.original_bytes)
    if isinstance(x, g.ByteStringObject):
        return bytes(x)
    if isinstance(x, g.FloatObject):
        return Real(repr(float(x)))
    if isinstance(x, g.NumberObject):
        return int(x)
    if isinstance(x, g.ArrayObject):
        return [conv(i) for i in list.__iter__(x)]
    if isinstance(x, g.DictionaryObject):
        return {Nm(str(k)[1:].encode()): conv(v) for k, v in dict.items(x)}
    raise TypeError(type(x))


def deref(reader: Any, x: Any) -> Any:
    return reader.get_object(x) if isinstance(x, g.IndirectObject) else x


def number(x: Any) -> Fraction:
    return Fraction(int(x)) if isinstance(x, g.NumberObject) else Fraction(Decimal(repr(float(x))))


def read(original: bytes) -> dict[str, Any]:
    reader = pypdf.PdfReader(io.BytesIO(original))
    startxref = int(re.findall(rb"startxref\s+(\d{1,12})\s+%%EOF", original[-2048:])[-1])
    at = original[startxref : startxref + 64].lstrip(b" \t\r\n\x0b\x0c")
    trailer = reader.trailer  # pypdf's merged trailer: per key, the newest section that has it (S§2)
    root = dict.get(trailer, "/Root")
    catalog = deref(reader, root)
    node_ref, ancestors = dict.get(catalog, "/Pages"), []
    while True:
        node = deref(reader, node_ref)
        kids = deref(reader, dict.get(node, "/Kids"))
        if dict.get(node, "/Type") == "/Page" or (dict.get(node, "/Type") != "/Pages" and kids is None):
            break
        ancestors.insert(0, node)
        node_ref = next(
            k for k in list.__iter__(kids)
            if not (dict.get(deref(reader, k), "/Type") == "/Pages" and isinstance(dict.get(deref(reader, k),
                    "/Count"), int) and dict.get(deref(reader, k), "/Count") <= 0)
        )  # fmt: skip

    def inherited(key: str) -> Any:
        for n in (node, *ancestors):
            if dict.get(n, key) is not None:
                return dict.get(n, key)
        return None

    def box(value: Any) -> tuple[Fraction, ...]:
        a, b, c, d = (number(deref(reader, v)) for v in list.__iter__(deref(reader, value)))
        return (min(a, c), min(b, d), max(a, c), max(b, d))

    media = box(inherited("/MediaBox"))
    crop = inherited("/CropBox")
    visible = media
    if crop is not None:
        c = box(crop)
        visible = (max(c[0], media[0]), max(c[1], media[1]), min(c[2], media[2]), min(c[3], media[3]))
    contents_raw = dict.get(node, "/Contents")
    resolved = deref(reader, contents_raw)
    if contents_raw is None:
        contents = []
    elif isinstance(resolved, g.StreamObject):
        contents = [conv(contents_raw)]
    else:
        contents = [conv(i) for i in list.__iter__(resolved)]
    resources_raw = inherited("/Resources")
    resources = conv(deref(reader, resources_raw)) if resources_raw is not None else {}
    fonts_raw = dict.get(deref(reader, resources_raw), "/Font") if resources_raw is not None else None
    fonts = conv(deref(reader, fonts_raw)) if fonts_raw is not None else {}
    names_raw = dict.get(catalog, "/Names")
    names = conv(deref(reader, names_raw)) if names_raw is not None else {}
    pairs: list[tuple[bytes, Any]] = []

    def walk(n: Any) -> None:
        n = deref(reader, n)
        items = list(list.__iter__(deref(reader, dict.get(n, "/Names")) or []))
        for i in range(0, len(items), 2):
            key = deref(reader, items[i])
            pairs.append((bytes(key.original_bytes) if isinstance(key, g.TextStringObject) else bytes(key),
                          conv(items[i + 1])))  # fmt: skip
        for kid in list.__iter__(deref(reader, dict.get(n, "/Kids")) or []):
            walk(kid)

    if names_raw is not None and dict.get(deref(reader, names_raw), "/EmbeddedFiles") is not None:
        walk(dict.get(deref(reader, names_raw), "/EmbeddedFiles"))
    af_raw = dict.get(catalog, "/AF")
    info = dict.get(trailer, "/Info")
    return {
        "S": int(dict.get(trailer, "/Size")),
        "startxref": startxref,
        "table": at.startswith(b"xref"),
        "root": conv(root),
        "info": conv(info) if isinstance(info, g.IndirectObject) else None,
        "id": conv(dict.get(trailer, "/ID")) if dict.get(trailer, "/ID") is not None else None,
        "catalog": conv(catalog),
        "page_ref": conv(node_ref),
        "page": conv(node),
        "contents": contents,
        "resources": resources,
        "fonts": fonts,
        "box": visible,
        "rotate": int(deref(reader, inherited("/Rotate")) or 0) % 360,
        "names": names,
        "pairs": pairs,
        "af": [conv(i) for i in list.__iter__(deref(reader, af_raw))] if af_raw is not None else [],
    }


# --- S§6 drawing, S§7 symbol --------------------------------------------------------------------------------


def rounded(x: Fraction, places: int) -> bytes:
    q = Decimal(x.numerator) / Decimal(x.denominator)  # enough precision for these values, then half-even
    exact = Fraction(q)
    assert abs(exact - x) < Fraction(1, 10 ** (places + 8))
    return real_text(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def matrix(text: str, version: int, ecl: str, mask: int) -> list[list[bool]]:
    if "#" in text:  # S§7, stamp version 2: the URL up to its '#' in byte mode, then the payload alphanumeric
        url, payload = text.rsplit("#", 1)
        parts = [(url + "#", segno.consts.MODE_BYTE), (payload, segno.consts.MODE_ALPHANUMERIC)]
        code = segno.make(parts, version=version, error=ecl, mask=mask, boost_error=False, micro=False)
    else:
        code = segno.make_qr(text, version=version, error=ecl, mask=mask, mode="alphanumeric", boost_error=False)
    return [[bool(m) for m in row] for row in code.matrix]


def rectangles(m: list[list[bool]]) -> list[tuple[int, int, int, int]]:
    done, open_ = [], {}  # (col, width) -> (top row, height)
    for r, row in enumerate([*m, [False] * len(m)]):  # a light row closes every open rectangle
        runs, c = [], 0
        while c < len(row):
            if row[c]:
                s = c
                while c < len(row) and row[c]:
                    c += 1
                runs.append((s, c - s))
            else:
                c += 1
        nxt = {}
        for run in runs:
            top, h = open_.pop(run, (r, 0))
            nxt[run] = (top, h + 1)
        done += [(c0, top, w, h) for (c0, w), (top, h) in open_.items()]
        open_ = nxt
    return sorted(done, key=lambda t: (t[1], t[0]))


def drawing(st: dict[str, Any], qr: str, box: tuple[Fraction, ...], rotate: int, font: Nm) -> bytes:
    m = matrix(qr, st["qr_version"], st["qr_ecl"], st["qr_mask"])
    n = len(m)
    u = Fraction(st["size"], n + 8)
    x0, y0, x1, y1 = box
    t = {0: (1, 0, 0, 1, x0, y0), 90: (0, 1, -1, 0, x1, y0), 180: (-1, 0, 0, -1, x1, y1), 270: (0, -1, 1, 0, x0, y1)}
    lines = [b"", b"Q", b"q", b" ".join(rounded(Fraction(v), 6) for v in t[rotate]) + b" cm"]
    lines.append(b"1 g %d %d %d %d re f" % (st["x"], st["y"], st["size"], st["size"]))
    lines += [b"q", b"%s 0 0 %s %d %d cm" % (rounded(u, 6), rounded(u, 6), st["x"], st["y"]), b"0 g"]
    lines += [b"%d %d %d %d re" % (4 + c, n + 4 - r - h, w, h) for c, r, w, h in rectangles(m)]
    lines += [b"f", b"Q"]
    if st["caption"]:
        cap = st["caption"].encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        lines += [b"0 g", b"BT", ser(font) + b" 6.5 Tf", b"%s %d Td" % (rounded(st["x"] + 4 * u, 3), st["y"] - 5)]
        lines += [b"(" + cap + b") Tj", b"ET"]
    lines.append(b"Q")
    return b"\n".join(lines) + b"\n"


# --- S§4, S§5 the update ------------------------------------------------------------------------------------


def update(original: bytes, proof_json: bytes, qr: str, st: dict[str, Any]) -> bytes:
    o = read(original)
    s = o["S"]
    q, d, f, e, a, t = range(s, s + 6)
    font = Nm(b"NotaryHelv")
    i = 0
    while font in o["fonts"]:
        i += 1
        font = Nm(b"NotaryHelv%d" % i)
    page = dict(o["page"])
    page[Nm(b"Contents")] = [R((q, 0)), *o["contents"], R((d, 0))]
    page[Nm(b"Resources")] = {**o["resources"], Nm(b"Font"): {**o["fonts"], font: R((f, 0))}}
    pairs = sorted([*o["pairs"], (b"notary-proof.json", R((a, 0)))], key=lambda p: p[0])
    catalog = dict(o["catalog"])
    catalog[Nm(b"Names")] = {**o["names"], Nm(b"EmbeddedFiles"): R((t, 0))}
    catalog[Nm(b"AF")] = [*o["af"], R((a, 0))]
    blobs = {
        o["page_ref"][0]: obj(*o["page_ref"], page),
        o["root"][0]: obj(*o["root"], catalog),
        q: stream(q, {}, b"q"),
        d: stream(d, {}, drawing(st, qr, o["box"], o["rotate"], font)),
        f: obj(f, 0, {Nm(b"Type"): Nm(b"Font"), Nm(b"Subtype"): Nm(b"Type1"), Nm(b"BaseFont"): Nm(b"Helvetica"),
                      Nm(b"Encoding"): Nm(b"WinAnsiEncoding")}),
        e: stream(e, {Nm(b"Type"): Nm(b"EmbeddedFile"), Nm(b"Subtype"): Nm(b"application/json"),
                      Nm(b"Params"): {Nm(b"Size"): len(proof_json)}}, proof_json),
        a: obj(a, 0, {Nm(b"Type"): Nm(b"Filespec"), Nm(b"F"): b"notary-proof.json", Nm(b"UF"): b"notary-proof.json",
                      Nm(b"Desc"): b"Notarisation proof", Nm(b"AFRelationship"): Nm(b"Data"),
                      Nm(b"EF"): {Nm(b"F"): R((e, 0)), Nm(b"UF"): R((e, 0))}}),
        t: obj(t, 0, {Nm(b"Names"): [v for p in pairs for v in p]}),
    }  # fmt: skip
    gens = {o["page_ref"][0]: o["page_ref"][1], o["root"][0]: o["root"][1]}
    out = bytearray(b"" if original.endswith((b"\n", b"\r")) else b"\n") + b"%notary-stamp-v1\n"
    offsets = {}
    for num in sorted(blobs):
        offsets[num] = len(original) + len(out)
        out += blobs[num]
    trailer: dict[Nm, Any] = {Nm(b"Root"): o["root"], Nm(b"Prev"): o["startxref"]}
    if o["info"] is not None:
        trailer[Nm(b"Info")] = o["info"]
    if o["id"] is not None:
        trailer[Nm(b"ID")] = o["id"]

    def runs(nums: list[int]) -> list[list[int]]:
        out_runs: list[list[int]] = []
        for num in nums:
            if out_runs and sum(out_runs[-1]) == num:
                out_runs[-1][1] += 1
            else:
                out_runs.append([num, 1])
        return out_runs

    if o["table"]:
        start = len(original) + len(out)
        out += b"xref\n"
        for first, count in runs(sorted(offsets)):
            out += b"%d %d\n" % (first, count)
            out += b"".join(b"%010d %05d n \n" % (offsets[k], gens.get(k, 0)) for k in range(first, first + count))
        out += b"trailer\n" + ser({**trailer, Nm(b"Size"): s + 6}) + b"\n"
    else:
        x = s + 6
        start = offsets[x] = len(original) + len(out)
        nums = sorted(offsets)
        rows = b"".join(b"\x01" + offsets[k].to_bytes(4, "big") + gens.get(k, 0).to_bytes(2, "big") for k in nums)
        head = {**trailer, Nm(b"Size"): x + 1, Nm(b"Type"): Nm(b"XRef"), Nm(b"W"): [1, 4, 2],
                Nm(b"Index"): [v for run in runs(nums) for v in run]}  # fmt: skip
        out += stream(x, head, rows)
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_an_implementation_from_the_spec_regenerates_the_vector(case: dict[str, Any]) -> None:
    original = (VECTORS / case["original"]["file"]).read_bytes()
    notarised = (VECTORS / case["notarised"]["file"]).read_bytes()
    proof_json = case["proof_json"].encode()
    stamp = json.loads(proof_json)["stamp"]
    regenerated = original + update(original, proof_json, case["qr_text"], stamp)
    assert hashlib.sha256(regenerated).hexdigest() == hashlib.sha256(notarised).hexdigest()
