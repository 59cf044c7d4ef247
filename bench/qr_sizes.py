"""Benchmark: QR payload size and QR version per batch size, and whether the code still decodes from a page
rendered at 150 dpi.

    .venv/bin/python bench/qr_sizes.py

For batches of 1, 100, 1,000 and 10,000 documents with realistic claims (German names with umlauts, title
"Abschlusszeugnis der Realschule", 4 text fields), takes the document with the LONGEST Merkle proof and
reports: compact (CBOR) bytes, QR text length (plain "NT1:..." and with a verifier URL prefix), and the QR
version at error correction level M — from segno (optimal segments: URL in byte mode, payload alphanumeric)
and from zxing-cpp's encoder. Then it renders the segno symbol at 150 dpi with 25 to 45 mm edge length
(quiet zone excluded; anti-aliased like a rasterised PDF page) and tries to decode it with zxing-cpp.
The LAST line is one JSON object.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import segno
import zxingcpp
from eth_account import Account
from PIL import Image
from segno import consts

from notary.core.claims import Claims
from notary.core.eip712 import Batch, BatchDomain, sign_batch
from notary.core.hashing import Salt, keccak256
from notary.core.leaves import leaf_hash
from notary.core.merkle import MerkleTree
from notary.core.proof import Proof
from notary.core.qr_payload import decode_qr_text, encode_qr_text

URL_PREFIX = "HTTPS://VERIFY.EXAMPLE/#"
SIZES = (1, 100, 1_000, 10_000)
MM = (25, 30, 35, 40, 45)
DPI = 150
KEY = bytes(keccak256(b"notary bench key (test only)"))
FIRST = ["Jörg", "Änne", "Björn", "Zoë", "Sören", "Lütfiye", "Maximilian", "Özlem", "Hans-Jürgen", "Käthe"]
LAST = ["Müller-Lüdenscheidt", "Weiß", "Groß", "Schäfer", "Übelhör", "Doğan", "Käßmann", "Yılmaz", "Böhm"]


def make_proof(n: int) -> Proof:
    claims = [
        Claims.create(
            doc_type="zeugnis",
            title="Abschlusszeugnis der Realschule",
            holder=f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}",
            issued_on=dt.date(2025, 7, 15),
            issuer_ref=f"RS-2025-{i:05d}",
        )
        for i in range(n)
    ]
    docs = [keccak256(b"pdf %d" % i) for i in range(n)]
    salts = [Salt(keccak256(b"salt %d" % i)) for i in range(n)]
    tree = MerkleTree.build([leaf_hash(d, c.digest(), s) for d, c, s in zip(docs, claims, salts, strict=True)])
    index = max(range(n), key=lambda i: (len(tree.proof(i)), len(claims[i].holder)))
    domain = BatchDomain(11155111, "0x5FbDB2315678afecb367f032d93F642f64180aa3")  # type: ignore[arg-type]
    batch = Batch(tree.root, n, 1752570000)
    return Proof(
        chain_id=domain.chain_id,
        registry=domain.registry,
        root=tree.root,
        document_hash=docs[index],
        claims=claims[index],
        salt=salts[index],
        merkle_proof=tree.proof(index),
        issuer=Account.from_key(KEY).address,
        signature=sign_batch(KEY, domain, batch),
        issued_at=batch.issued_at,
        document_count=n,
    )


def segno_symbol(payload: str, with_url: bool) -> segno.QRCode:
    content = [(URL_PREFIX, consts.MODE_BYTE), (payload, consts.MODE_ALPHANUMERIC)] if with_url else payload
    return segno.make(content, error="m", boost_error=False, micro=False)


def decodes_at(qr: segno.QRCode, mm: float) -> bool:
    """Render at 150 dpi with the symbol (without quiet zone) ``mm`` wide, anti-aliased, then decode."""
    hi = 12  # px per module in the high-resolution master
    matrix = [list(row) for row in qr.matrix]
    size = len(matrix)
    border = 4
    total = size + 2 * border
    img = Image.new("L", (total * hi, total * hi), 255)
    px = img.load()
    assert px is not None
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(hi):
                    for dx in range(hi):
                        px[(x + border) * hi + dx, (y + border) * hi + dy] = 0
    target = round(mm / 25.4 * DPI * total / size)
    small = img.resize((target, target), Image.Resampling.BOX)
    results = zxingcpp.read_barcodes(small, formats=zxingcpp.BarcodeFormat.QRCode)
    return any(r.valid for r in results)


def main() -> int:
    rows = []
    for n in SIZES:
        proof = make_proof(n)
        compact = proof.to_compact()
        plain = encode_qr_text(proof)
        with_url = encode_qr_text(proof, URL_PREFIX)
        assert decode_qr_text(with_url) == proof.for_qr()
        payload_qr = segno_symbol(plain, with_url=False)
        url_qr = segno_symbol(plain, with_url=True)
        zx = zxingcpp.create_barcode(plain, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
        zx_modules = zx.to_image(scale=1).shape[0]
        row = {
            "batch": n,
            "proof_depth": len(proof.merkle_proof),
            "compact_bytes": len(compact),
            "qr_text_chars": len(plain),
            "qr_text_with_url_chars": len(with_url),
            "qr_version_M": payload_qr.version,
            "qr_version_M_with_url": url_qr.version,
            "qr_modules_with_url": url_qr.symbol_size(border=0)[0],
            "zxing_version_M": (zx_modules - 17) // 4 if zx_modules > 21 else 1,
            "decodes_150dpi_with_url": {f"{mm}mm": decodes_at(url_qr, mm) for mm in MM},
        }
        rows.append(row)
        print(
            f"batch {n:>6,}: depth {row['proof_depth']:>2}, compact {row['compact_bytes']} B, "
            f"text {row['qr_text_chars']} chars ({row['qr_text_with_url_chars']} with URL), "
            f"QR-M version {row['qr_version_M']} ({row['qr_version_M_with_url']} with URL, "
            f"{row['qr_modules_with_url']} modules; zxing-cpp encoder: {row['zxing_version_M']}); "
            f"decodes at 150 dpi: {row['decodes_150dpi_with_url']}"
        )
    print("reproduce: .venv/bin/python bench/qr_sizes.py")
    print(json.dumps({"ecl": "M", "url_prefix": URL_PREFIX, "dpi": DPI, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
