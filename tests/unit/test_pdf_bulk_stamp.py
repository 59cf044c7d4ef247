"""The bulk-issuance shortcuts give exactly the bytes of the public functions: an original parsed once (in
``prepare``, pickled to the stamping worker) stamps like ``stamp_pdf``, and the cached per-page checks and
captions change nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import NameObject, NumberObject

from notary.core import MerkleTree, Proof, leaf_for_claims
from notary.core.claims import Claims
from notary.errors import PdfError
from notary.issuance import documents
from notary.pdf import default_layout, page_size, stamp_pdf
from notary.pdf.default_layout import page_size_of
from notary.pdf.original_pdf import read_original
from notary.pdf.samples import SAMPLE_PUPILS, make_certificate
from notary.pdf.stamping import stamp_read_original
from tests.unit.test_pdf_stamp import CAPTION, PROOF, QR, inherited_resources_pdf


def _rotated() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(make_certificate(SAMPLE_PUPILS[1])))
    writer.pages[0][NameObject("/Rotate")] = NumberObject(90)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


ORIGINALS = {
    "certificate": lambda: make_certificate(SAMPLE_PUPILS[0]),
    "inherited": inherited_resources_pdf,
    "rotated": _rotated,
}


@pytest.mark.parametrize("kind", sorted(ORIGINALS))
def test_stamp_of_a_parsed_original_is_stamp_pdf(kind: str) -> None:
    original = ORIGINALS[kind]()
    doc = read_original(original)
    assert page_size_of(doc) == page_size(original)
    width, height = page_size(original)
    layout = default_layout(width, height, QR, CAPTION)
    expected = stamp_pdf(original, proof_json=PROOF, qr_text=QR, layout=layout)
    assert stamp_read_original(original, doc, proof_json=PROOF, qr_text=QR, layout=layout) == expected
    shipped = pickle.loads(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))  # as the workers pass it
    assert shipped == doc
    assert stamp_read_original(original, shipped, proof_json=PROOF, qr_text=QR, layout=layout) == expected


def test_stamp_of_a_parsed_original_keeps_the_checks() -> None:
    original = make_certificate(SAMPLE_PUPILS[0])
    doc = read_original(original)
    layout = default_layout(*page_size(original), QR, CAPTION)
    out = stamp_read_original(original, doc, proof_json=PROOF, qr_text=QR, layout=layout)
    with pytest.raises(PdfError, match="already carries"):
        stamp_read_original(out, read_original(out), proof_json=PROOF, qr_text=QR, layout=layout)
    with pytest.raises(PdfError, match="larger than"):
        stamp_read_original(original, doc, proof_json=b"x" * (1024 * 1024 + 1), qr_text=QR, layout=layout)
    with pytest.raises(PdfError):
        stamp_read_original(original, doc, proof_json=PROOF, qr_text="lower case", layout=layout)
    bad_caption = dataclasses.replace(layout, caption="Prüfung ✓")
    with pytest.raises(PdfError, match="caption"):
        stamp_read_original(original, doc, proof_json=PROOF, qr_text=QR, layout=bad_caption)


def _job(src: Path, out: Path, prepared: documents.Prepared, parsed: bytes | None) -> documents.StampJob:
    from eth_account import Account

    from notary.core import Batch, BatchDomain, sign_batch

    assert prepared.doc_hash is not None
    claims = Claims.from_json(
        b'{"doc_type":"zeugnis","holder":"Test","issued_on":"2025-07-01","title":"Abschlusszeugnis"}'
    )
    salt = b"\x07" * 32
    leaf = leaf_for_claims(prepared.document(), claims, salt)  # type: ignore[arg-type]
    tree = MerkleTree.build([bytes(leaf), b"\x01" * 32])
    account = Account.from_key(b"\x11" * 32)
    registry = "0x" + "22" * 20
    signature = sign_batch(bytes(account.key), BatchDomain(31337, registry), Batch(tree.root, 2, 1_700_000_000))  # type: ignore[arg-type]
    return documents.StampJob(
        doc_id=1, src=str(src), out=str(out), doc_hash=prepared.doc_hash, size=prepared.size,
        claims_json=claims.to_json(), salt=salt, siblings=tree.proof(0).blob,
        root=bytes(tree.root), chain_id=31337, registry=registry, issuer=account.address, signature=signature,
        issued_at=1_700_000_000, count=2, placement=documents.Placement(CAPTION), sidecar=True, parsed=parsed,
    )  # fmt: skip


def test_documents_parse_once_and_stamp_the_same(tmp_path: Path) -> None:
    src = tmp_path / "zeugnis.pdf"
    original = make_certificate(SAMPLE_PUPILS[2])
    src.write_bytes(original)
    prepared = documents.prepare(str(src), documents.Placement(CAPTION))
    assert prepared.error is None and prepared.doc_hash == hashlib.sha256(original).digest()
    assert prepared.parsed is None  # a plain original is parsed again in stamp; another's parse is held:
    held = documents._pickle_parsed(read_original(original))
    assert pickle.loads(held) == read_original(original)

    with_parse = documents.stamp(_job(src, tmp_path / "a.pdf", prepared, held))
    without = documents.stamp(_job(src, tmp_path / "b.pdf", prepared, None))
    assert with_parse.error is None and without.error is None
    notarised = (tmp_path / "a.pdf").read_bytes()
    assert notarised == (tmp_path / "b.pdf").read_bytes()
    proof = Proof.from_json((tmp_path / "a.pdf.proof.json").read_bytes())
    assert proof.stamp is not None and proof.original_length == len(original)
    assert notarised == stamp_pdf(original, proof_json=proof.to_json(), qr_text=_qr_text(proof), layout=proof.stamp)

    # a changed file is refused before the held parse could be used
    src.write_bytes(make_certificate(SAMPLE_PUPILS[3]))
    refused = documents.stamp(_job(src, tmp_path / "c.pdf", prepared, held))
    assert refused.error is not None and "changed" in refused.error


def _qr_text(proof: Proof) -> str:
    from notary.core import encode_qr_text

    return encode_qr_text(proof.for_qr())


def test_prepare_failures_carry_no_parse(tmp_path: Path) -> None:
    small = tmp_path / "small.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    buf = io.BytesIO()
    writer.write(buf)
    small.write_bytes(buf.getvalue())
    for _ in range(2):  # the second answer comes from the per-page-size cache
        result = documents.prepare(str(small), documents.Placement(CAPTION))
        assert result.error is not None and "too small" in result.error and result.parsed is None
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.7\nnot really")
    junk = documents.prepare(str(tmp_path / "junk.pdf"), documents.Placement(CAPTION))
    assert junk.error is not None and junk.doc_hash is None and junk.parsed is None


@pytest.mark.parametrize("version", [1, 2, 7, 10, 19, 22, 40])
def test_the_stamp_draws_a_symbol_as_from_its_matrix(version: int) -> None:
    """The stamp draws from the symbol's module bytes (qr_modules) without building the matrix's rows: the same
    matrix, the same content stream as from the rows."""
    import random
    from fractions import Fraction

    from notary.pdf import qr_symbol
    from notary.pdf.stamp_drawing import stamp_content

    rng = random.Random(version)
    text = "NT1:" + "".join(
        rng.choice(qr_symbol.ALPHANUMERIC_CHARSET) for _ in range(qr_symbol.alphanumeric_capacity(version, "M") - 4)
    )
    mask = rng.randrange(8)
    symbol = qr_symbol.qr_modules(text, version, "M", mask)
    matrix = qr_symbol.qr_matrix(text, version, "M", mask)
    assert symbol.matrix() == matrix and symbol.size == len(matrix)
    assert (symbol.modules, symbol.stride) == qr_symbol.module_bytes(matrix)
    rows = tuple(tuple(list(row)) for row in matrix)  # drawn from its rows, not from module bytes
    layout = default_layout(595, 842, "NT1:0", CAPTION)  # where it goes; the symbol drawn is the one given
    box = (Fraction(0), Fraction(0), Fraction(595), Fraction(842))
    assert stamp_content(symbol, layout, box, 0, b"/NotaryHelv") == stamp_content(rows, layout, box, 0, b"/NotaryHelv")


def test_what_crosses_to_the_workers_pickles_to_equal_values(tmp_path: Path) -> None:
    """Jobs, results and prepared originals are pickled by their constructors (documents._pickled_by_constructor):
    every field comes back, with the right types, and a changed field class is refused at import, not lost."""
    src = tmp_path / "zeugnis.pdf"
    src.write_bytes(make_certificate(SAMPLE_PUPILS[2]))
    prepared = documents.prepare(str(src), documents.Placement(CAPTION, qr_url="https://pruefen.example/#"))
    job = _job(src, tmp_path / "a.pdf", prepared, b"parsed")
    stamped = documents.Stamped(7, str(tmp_path / "a.pdf"), None, b"\x01" * 32, (("t", "f"),))
    failed = documents.Stamped(8, None, "why")
    for value in (prepared, job, stamped, failed):
        back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == value and type(back) is type(value)
        assert [getattr(back, f.name) for f in dataclasses.fields(back)] == [
            getattr(value, f.name) for f in dataclasses.fields(value)
        ]

    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    with pytest.raises(TypeError):
        documents._pickled_by_constructor(Derived)
