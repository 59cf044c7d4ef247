"""docs/seal.md §4 (existing numbers): an original may refer to an object number it never defines — a page's
/Contents array naming an undefined stream, a catalog /OpenAction to nothing; readers take such a reference as
null. A genuine seal over such a notarised file is VALID; a later revision that defines the number would add
page content or an action without changing a single covered byte, so it is a change of an existing object
and the file is `notarisation-update` INVALID `extra-content`. Real notarisation (the PDF vectors' issuer key
and stamping) and our real sealer (the seal vectors' test PKI)."""

from __future__ import annotations

import hashlib
import io
import re
from functools import cache
from types import ModuleType
from typing import Any

import pytest

from notary.core.eip712 import BatchDomain
from notary.pdf.seal import key_signer, review_later_updates, sign_seal_binding
from tests.unit.test_seal_vectors import SEAL_VECTORS, _generator, _trust, _verdict
from verifier.pipeline import prepare_pdf

PAGE_CONTENT = 50  # named in page 4's /Contents, never defined by the original (its /Size is 7 or 8)
OPEN_ACTION = 60  # the catalog's /OpenAction, likewise
WHITE_BOX = b"q 1 1 1 rg 0 0 595 842 re f Q BT /F1 18 Tf 72 760 Td (Note: 1,0) Tj ET"


@cache
def _pdf_generator() -> ModuleType:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "notary_pdf_vectors_generate", SEAL_VECTORS.parent / "generate_pdf.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _dangling_objects(label: str) -> dict[int, bytes]:
    gen = _pdf_generator()
    objects: dict[int, bytes] = gen._simple(f"Urkunde - dangling {label}")
    objects[2] = b"<</Type /Catalog /Pages 3 0 R /OpenAction %d 0 R>>" % OPEN_ACTION
    objects[4] = objects[4].replace(b"/Contents 5 0 R", b"/Contents [5 0 R %d 0 R]" % PAGE_CONTENT)
    assert b"%d 0 R]" % PAGE_CONTENT in objects[4]
    return objects


ORIGINALS = {
    "classic": lambda: _pdf_generator()._classic(_dangling_objects("classic"), 2, extra_trailer=b" /Info 1 0 R"),
    # the dangling references inside an object stream (page and catalog are type-2 entries)
    "object-streams": lambda: _pdf_generator()._with_xref_stream(
        _dangling_objects("objstm"), 2, in_objstm=(2, 3, 4, 6)
    ),
}


@cache
def _sealed() -> dict[str, tuple[bytes, bytes]]:
    """Case -> (notarised, sealed): one batch of both originals, each sealed by the city."""
    gen, make = _pdf_generator(), _generator()
    table = {case: (case, build) for case, build in ORIGINALS.items()}
    notarised = gen._notarise_batch(table, gen.ISSUED_AT_4 + 100)
    pki = make.VectorPki.build()
    out = {}
    for case, item in notarised.items():
        domain = BatchDomain(item.proof.chain_id, item.proof.registry)
        fingerprint = hashlib.sha256(pki.city.der).digest()
        binding = sign_seal_binding(key_signer(gen.private_key()), domain, bytes(item.proof.root), fingerprint)
        out[case] = (item.pdf, make.seal(pki, item.pdf, pki.city, binding, f"dangling {case}"))
    return out


def _define(pdf: bytes, number: int, body: bytes) -> bytes:
    """``pdf`` plus one revision (a classic table) that defines only object ``number``, trailer as before."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    trailer = PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view
    keep = b"".join(
        b" %s %d %d R" % (key.encode(), trailer.raw_get(key).idnum, trailer.raw_get(key).generation)
        for key in ("/Root", "/Info")
        if key in trailer
    )
    prev = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    size = max(int(trailer["/Size"]), number + 1)
    offset = len(pdf)
    body = b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = b"xref\n%d 1\n%010d 00000 n \n" % (number, offset)
    tail = b"trailer\n<</Size %d%s /Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (size, keep, prev, offset + len(body))
    return pdf + body + xref + tail


def _prepared(pdf: bytes) -> Any:
    prepared = prepare_pdf(_trust(require_seal=False), pdf)
    assert prepared.failure is None and prepared.proof is not None
    return prepared


@pytest.mark.parametrize("case", list(ORIGINALS))
def test_a_genuine_seal_over_dangling_references_stays_valid(case: str) -> None:
    notarised, sealed = _sealed()[case]
    assert review_later_updates(sealed, len(notarised)).allowed
    prepared = _prepared(sealed)
    checks = {name: check.reason.value for name, check in prepared.checks.items()}
    assert checks["notarisation-update"] == "ok" and checks["seal"] == "ok", checks
    assert _verdict(prepared.checks, True, prepared.proof) == "VALID"


@pytest.mark.parametrize("case", list(ORIGINALS))
@pytest.mark.parametrize(
    ("number", "body"),
    [
        (PAGE_CONTENT, b"<</Length %d>>\nstream\n%s\nendstream" % (len(WHITE_BOX), WHITE_BOX)),
        (OPEN_ACTION, b"<</S /URI /URI (https://forger.example/)>>"),
    ],
    ids=["page-content", "open-action"],
)
def test_defining_a_dangling_reference_after_the_seal_is_extra_content(case: str, number: int, body: bytes) -> None:
    notarised, sealed = _sealed()[case]
    forged = _define(sealed, number, body)
    outcome = review_later_updates(forged, len(notarised))
    assert not outcome.allowed and f"defines object {number}" in outcome.detail, outcome.detail
    prepared = _prepared(forged)
    assert prepared.checks["notarisation-update"].reason.value == "extra-content"
    assert "seal" not in prepared.checks
    assert _verdict(prepared.checks, False, prepared.proof) == "INVALID"


def test_a_new_number_nobody_referred_to_is_still_free() -> None:
    """Only numbers an earlier revision names are taken: an unreferenced new object stays allowed (§4)."""
    notarised, sealed = _sealed()["classic"]
    assert review_later_updates(_define(sealed, 70, b"<</Foo 1>>"), len(notarised)).allowed
