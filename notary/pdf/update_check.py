"""Does the file hold exactly the original followed by exactly the notarisation update? (guarantee 1)

Normative text: docs/stamp-format.md S§1.

Why regeneration: the stamp is a pure function of (original, proof, QR text, layout), so the only update a
genuine file can carry is the one :func:`stamp_pdf` produces from the file's own original prefix. Anything
else — an extra incremental update that overlays text, a different QR or proof, a full rewrite — changes
the bytes. The original prefix itself is checked elsewhere (its SHA-256 against the anchored hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from notary.core.layout import StampLayout
from notary.pdf.stamping import stamp_pdf


class UpdateVerdict(Enum):
    """Stable reason codes: add members, never rename or reuse them."""

    EXACT = "exact"
    LENGTH_OUT_OF_RANGE = "length-out-of-range"
    EXTRA_BYTES = "extra-bytes"
    TRUNCATED = "truncated"
    BYTES_DIFFER = "bytes-differ"
    SIGNED_AFTER = "signed-after"  # exact, then only signature / validation-data revisions (a seal, docs/seal.md)


@dataclass(frozen=True, slots=True)
class UpdateCheck:
    """Outcome of :func:`check_notarisation_update`; ``ok`` for ``EXACT`` and ``SIGNED_AFTER``."""

    verdict: UpdateVerdict
    detail: str

    @property
    def ok(self) -> bool:
        return self.verdict in (UpdateVerdict.EXACT, UpdateVerdict.SIGNED_AFTER)


def check_notarisation_update(
    pdf: bytes, original_length: int, proof_json: bytes, qr_text: str, layout: StampLayout
) -> UpdateCheck:
    """Regenerate the notarisation update from ``pdf[:original_length]`` and compare byte for byte.

    Returns a verdict (never raises for a mismatch). Raises PdfError only when the original prefix cannot
    be read at all — then the check is undecidable, which a verifier reports as an error, not as forged.
    """
    if not 0 < original_length < len(pdf):
        return UpdateCheck(
            UpdateVerdict.LENGTH_OUT_OF_RANGE,
            f"the recorded original length {original_length} does not fit a file of {len(pdf)} bytes",
        )
    expected = stamp_pdf(pdf[:original_length], proof_json=proof_json, qr_text=qr_text, layout=layout)
    if expected == pdf:
        return UpdateCheck(UpdateVerdict.EXACT, "the file is the original plus exactly the notarisation update")
    common = min(len(expected), len(pdf))
    first_diff = next((i for i in range(original_length, common) if expected[i] != pdf[i]), common)
    if first_diff == len(expected) and len(pdf) > len(expected):
        from notary.pdf.seal import review_later_updates  # pyHanko loads only for files with later revisions

        later = review_later_updates(pdf, len(expected))
        if later.allowed:
            return UpdateCheck(UpdateVerdict.SIGNED_AFTER, f"the notarisation update is exact; {later.detail}")
        return UpdateCheck(
            UpdateVerdict.EXTRA_BYTES,
            f"{len(pdf) - len(expected)} bytes follow the notarisation update (a later change to the file)",
        )
    if first_diff == len(pdf):
        return UpdateCheck(UpdateVerdict.TRUNCATED, "the file ends inside the notarisation update")
    return UpdateCheck(
        UpdateVerdict.BYTES_DIFFER,
        f"the update after the original differs from the notarisation update at byte {first_diff}",
    )
