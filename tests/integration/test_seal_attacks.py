"""A forger's attacks on sealed PDFs (issue 14 review): revisions after the notarisation update that call
themselves signature updates but paint over the page, run JavaScript or change how the form is shown; reused and
misplaced signatures; weak algorithms and wrong certificates. Real PDFs from the real issuance, verdicts through
the Verifier like the other seal tests."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from notary.core import BatchDomain
from notary.pdf.seal import Sealer, SealOptions, _NotaryBuildProps, key_signer, sign_seal_binding
from tests.integration.test_seal import World, _verifier
from tests.integration.test_seal import world as world  # the module fixture, shared
from tests.pki import P12_PASSWORD, Issued, _issue, _name
from verifier.result import Reason, Status, Verdict
from verifier.seal_check import SealReason

_OVERLAY = b"q 1 1 1 rg 0 0 600 850 re f Q BT /Helv 40 Tf 100 500 Td (Note: 1,0) Tj ET"


def _js(writer: IncrementalPdfFileWriter) -> generic.IndirectObject:
    action = {pdf_name("/S"): pdf_name("/JavaScript"), pdf_name("/JS"): generic.TextStringObject("app.alert(1)")}
    return writer.add_object(generic.DictionaryObject(action))


def _overlay(writer: IncrementalPdfFileWriter) -> generic.IndirectObject:
    """A page-sized white box with new text: what a forger wants a widget to paint."""
    font = generic.DictionaryObject(
        {pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
         pdf_name("/BaseFont"): pdf_name("/Helvetica")}
    )  # fmt: skip
    resources = generic.DictionaryObject(
        {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/Helv"): writer.add_object(font)})}
    )
    stream = generic.StreamObject(
        {pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
         pdf_name("/BBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 600, 850)]),
         pdf_name("/Resources"): resources},
        stream_data=_OVERLAY,
    )  # fmt: skip
    return writer.add_object(stream)


def _revision(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(pdf)
    return out.getvalue()


def _signature_field(
    pdf: bytes, name: str, *, box: tuple[int, int, int, int], tweak: Callable[[Any, Any], None] | None = None
) -> bytes:
    """An unsigned signature field (no key needed) on page 1, its widget painting ``_OVERLAY``."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        fields.append_signature_field(writer, fields.SigFieldSpec(name, box=box, on_page=0))
        field = next(f.get_object() for f in writer.root["/AcroForm"]["/Fields"] if f.get_object().get("/T") == name)
        field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): _overlay(writer)})
        if tweak:
            tweak(writer, field)
        writer.update_container(field)

    return _revision(pdf, change)


def _forged(world: World, pdf: bytes) -> None:
    result = _verifier(world).verify_pdf(pdf)
    assert result.verdict is Verdict.INVALID, result.to_json()
    assert result.check("notarisation-update").reason is Reason.EXTRA_CONTENT


PAGE = (0, 0, 600, 850)
_CONTENTS = re.compile(rb"/Contents\s*<([0-9a-fA-F]+)>")
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def test_an_unsigned_signature_field_painting_over_the_page_is_content(world: World) -> None:
    # before the fix: VALID without a seal (no key needed at all), and VALID with "Gesiegelt von" after a seal
    _forged(world, _signature_field(world.notarised, "Overlay", box=PAGE))
    _forged(world, _signature_field(world.seal(), "Overlay", box=PAGE))


def test_a_visible_signature_paints_over_the_page(world: World) -> None:
    # a stranger's real signature with a page-sized appearance after the seal (before: VALID, seal INVALID
    # seal-extra-signature but the page painted over), and even the city's own seal when it is visible
    stranger = world.sealer("stranger")

    def visible(pdf: bytes, signer: Any, name: str, props: Any = None) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec(name, box=PAGE, on_page=0))
        meta = signers.PdfSignatureMetadata(
            field_name=name, subfilter=fields.SigSeedSubFilter.PADES, app_build_props=props
        )
        out = io.BytesIO()
        style = TextStampStyle(stamp_text="Note: 1,0")
        signers.PdfSigner(meta, signer=signer, stamp_style=style).sign_pdf(writer, output=out)
        return out.getvalue()

    _forged(world, visible(world.seal(), stranger.signer, "Mallory"))
    city = world.sealer()
    _forged(world, visible(world.notarised, city.signer, "NotarySeal", _NotaryBuildProps(world.binding(city))))


def test_actions_on_a_signature_field(world: World) -> None:
    def page_open_script(writer: Any, field: Any) -> None:
        field[pdf_name("/AA")] = generic.DictionaryObject({pdf_name("/PO"): _js(writer)})
        field[pdf_name("/Rect")] = generic.ArrayObject([generic.NumberObject(0)] * 4)

    # invisible, but JavaScript when the page opens (before: VALID)
    _forged(world, _signature_field(world.notarised, "Script", box=PAGE, tweak=page_open_script))
    _forged(world, _signature_field(world.seal(), "Script", box=PAGE, tweak=page_open_script))

    def field_off_the_page(writer: IncrementalPdfFileWriter) -> None:
        # a signature field on no page at all, JavaScript on its value and calculate events, in a new form of
        # the revision in the seal's place (before: VALID; after a seal pyHanko's policy refuses it)
        events = generic.DictionaryObject({pdf_name("/V"): _js(writer), pdf_name("/C"): _js(writer)})
        field = generic.DictionaryObject(
            {pdf_name("/FT"): pdf_name("/Sig"), pdf_name("/T"): generic.TextStringObject("Hidden"),
             pdf_name("/AA"): events}
        )  # fmt: skip
        fields_ = generic.ArrayObject([writer.add_object(field)])
        writer.root[pdf_name("/AcroForm")] = writer.add_object(generic.DictionaryObject({pdf_name("/Fields"): fields_}))
        writer.update_root()

    _forged(world, _revision(world.notarised, field_off_the_page))


def test_form_and_catalog_changes_after_the_seal(world: World) -> None:
    sealed = world.seal()

    def need_appearances(writer: IncrementalPdfFileWriter) -> None:
        # viewers then redraw the original's form fields from their values (before: VALID)
        form = writer.root["/AcroForm"]
        form[pdf_name("/NeedAppearances")] = generic.BooleanObject(True)
        writer.update_container(form)

    def xfa(writer: IncrementalPdfFileWriter) -> None:
        form = writer.root["/AcroForm"]
        form[pdf_name("/XFA")] = writer.add_object(generic.StreamObject(stream_data=b"<xdp:xdp/>"))
        writer.update_container(form)

    def open_action(writer: IncrementalPdfFileWriter) -> None:
        writer.root[pdf_name("/OpenAction")] = _js(writer)
        writer.update_root()

    def javascript_names(writer: IncrementalPdfFileWriter) -> None:
        # beside the proof's /EmbeddedFiles (without them the verifier reads only the QR: scope "claims")
        names = generic.ArrayObject([generic.TextStringObject("a"), _js(writer)])
        tree = writer.root["/Names"]
        tree[pdf_name("/JavaScript")] = generic.DictionaryObject({pdf_name("/Names"): names})
        if isinstance(writer.root.raw_get("/Names"), generic.IndirectObject):
            writer.update_container(tree)
        else:
            writer.update_root()

    # /NeedAppearances was VALID before the fix; the others pyHanko's policy already refused
    for change in (need_appearances, xfa, open_action, javascript_names):
        _forged(world, _revision(sealed, change))
    # the same in place of the seal revision
    for change in (open_action, javascript_names):
        _forged(world, _revision(world.notarised, change))


def test_the_genuine_seal_still_passes(world: World) -> None:
    for sealed in (world.seal(), world.seal(tsa_url=world.tsa_url, crls=(world.paths["crl"],))):
        result = _verifier(world).verify_pdf(sealed)
        assert result.verdict is Verdict.VALID and result.check("seal").status is Status.VALID, result.to_json()


def test_bytes_between_revisions_that_no_revision_claims(world: World) -> None:
    # objects and a second %%EOF after the seal, the last startxref still the seal's (before: VALID)
    sealed = world.seal()
    startxref = re.findall(rb"startxref\s+(\d+)", sealed)[-1]
    junk = b"\n99 0 obj\n<< /Type /Page >>\nendobj\nstartxref\n" + startxref + b"\n%%EOF\n"
    _forged(world, sealed + junk)


def test_a_signature_reused_from_another_document(world: World) -> None:
    # the city's CMS from copy 1 in place of copy 0's: the verdict is about the anchored file, the seal broken
    sealer = world.sealer()
    other = world.issued.notarised[1].read_bytes()
    proof1 = world.issued.proof(1)
    domain = BatchDomain(proof1.chain_id, proof1.registry)
    binding1 = sign_seal_binding(
        key_signer(bytes(world.actors.issuer.key)), domain, bytes(proof1.root), sealer.certificate_sha256
    )
    donor = sealer.seal(other, binding1)
    sealed = world.seal()
    mine = _CONTENTS.search(sealed, len(world.notarised))
    theirs = _CONTENTS.search(donor, len(other))
    assert mine and theirs
    cms = theirs[1].rstrip(b"0")
    assert len(cms) <= len(mine[1])
    forged = sealed[: mine.start(1)] + cms.ljust(len(mine[1]), b"0") + sealed[mine.end(1) :]
    result = _verifier(world).verify_pdf(forged)
    assert result.verdict is Verdict.VALID
    assert (result.check("seal").status, result.check("seal").reason) == (Status.INVALID, Reason.SEAL_BROKEN)
    assert _verifier(world, require_seal=True).verify_pdf(forged).verdict is Verdict.INVALID


def test_the_issuers_binding_for_another_batch(world: World) -> None:
    # the genuine issuer key bound the genuine certificate, but to another batch's root
    sealer = world.sealer()
    proof = world.proof
    binding = sign_seal_binding(
        key_signer(bytes(world.actors.issuer.key)), BatchDomain(proof.chain_id, proof.registry), b"\x11" * 32,
        sealer.certificate_sha256,
    )  # fmt: skip
    result = _verifier(world, require_seal=True).verify_pdf(sealer.seal(world.notarised, binding))
    assert (result.verdict, result.check("seal").reason) == (Verdict.INVALID, Reason.SEAL_NOT_BOUND)


def _p12(world: World, holder: Issued, chain: list[Any], name: str) -> Sealer:
    path = world.paths["seal"].parent / f"{name}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", holder.key, holder.cert, chain, serialization.BestAvailableEncryption(P12_PASSWORD)
        )
    )
    return Sealer(SealOptions(path, P12_PASSWORD))


def _leaf(world: World, key: Any, usage: x509.KeyUsage, issuer: Issued | None = None) -> Issued:
    issuer = issuer or world.pki.intermediate
    now = world.pki.now
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Stadt Musterstadt, Bürgeramt", "Stadt Musterstadt"))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(issuer.key, hashes.SHA256())
    )
    return Issued(key, cert)


_SEALING = x509.KeyUsage(True, True, False, False, False, False, False, False, False)


def test_weak_algorithms_and_wrong_key_usage_are_not_a_valid_seal(world: World) -> None:
    chain = [world.pki.intermediate.cert, world.pki.root.cert]
    city = world.sealer()
    meta = signers.PdfSignatureMetadata(
        field_name="NotarySeal", md_algorithm="sha1", subfilter=fields.SigSeedSubFilter.PADES,
        app_build_props=_NotaryBuildProps(world.binding(city)),
    )  # fmt: skip
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(world.notarised), strict=False), meta, signer=city.signer, output=out
    )
    rsa1024 = _p12(world, _leaf(world, rsa.generate_private_key(65537, 1024), _SEALING), chain, "rsa1024")
    key_agreement = x509.KeyUsage(False, False, False, False, True, False, False, False, False)
    no_signing = _p12(world, _leaf(world, ec.generate_private_key(ec.SECP256R1()), key_agreement), chain, "ku")
    for sealed in (
        out.getvalue(),
        rsa1024.seal(world.notarised, world.binding(rsa1024)),
        no_signing.seal(world.notarised, world.binding(no_signing)),
    ):
        result = _verifier(world, require_seal=True).verify_pdf(sealed)
        assert result.verdict is Verdict.INVALID and result.check("seal").status is Status.INVALID, result.to_json()


def test_an_expired_or_revoked_intermediate(world: World) -> None:
    pki = world.pki
    old_ca = _issue(
        pki.intermediate.cert.subject, pki.root, ca=True, path_len=0,
        not_before=pki.now - dt.timedelta(days=400), not_after=pki.now - dt.timedelta(days=1),
    )  # fmt: skip
    expired = _p12(
        world,
        _leaf(world, ec.generate_private_key(ec.SECP256R1()), _SEALING, old_ca),
        [old_ca.cert, pki.root.cert],
        "old-ca",
    )
    result = _verifier(world, require_seal=True).verify_pdf(expired.seal(world.notarised, world.binding(expired)))
    # before: seal-untrusted (only the seal certificate's own validity was looked at)
    assert (result.verdict, result.check("seal").reason) == (Verdict.INVALID, Reason.SEAL_EXPIRED)

    # the root's CRL lists the intermediate, which (like many) names no CRL distribution point of its own:
    # before, pyHanko's soft-fail skipped it and the seal was VALID
    root_crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.root.cert.subject)
        .last_update(pki.now - dt.timedelta(hours=1))
        .next_update(pki.now + dt.timedelta(days=30))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(pki.intermediate.cert.serial_number)
            .revocation_date(pki.now - dt.timedelta(days=1))
            .build()
        )
        .sign(pki.root.key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )
    sealed = world.seal()
    assert world.judge(sealed, crls=[root_crl]).reason is SealReason.REVOKED  # type: ignore[attr-defined]
    # a CRL under the same name but not signed by the root changes nothing in our own check
    forged_crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.root.cert.subject)
        .last_update(pki.now - dt.timedelta(hours=1))
        .next_update(pki.now + dt.timedelta(days=30))
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(pki.intermediate.cert.serial_number)
            .revocation_date(pki.now - dt.timedelta(days=1))
            .build()
        )
        .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )
    assert world.judge(sealed, crls=[forged_crl]).reason is SealReason.OK  # type: ignore[attr-defined]
    assert world.judge(sealed, crls=[world.paths["crl"].read_bytes()]).reason is SealReason.OK  # type: ignore[attr-defined]


def test_a_seal_with_megabytes_of_contents_is_refused_before_pyhanko_reads_it(world: World) -> None:
    # pyHanko reads a hex string a byte at a time: 4 MB of /Contents kept a verifier busy for 14-24 s (before:
    # VALID, eventually); now the update review refuses it by size, without tokenising it
    city = world.sealer()
    meta = signers.PdfSignatureMetadata(
        field_name="NotarySeal", subfilter=fields.SigSeedSubFilter.PADES,
        app_build_props=_NotaryBuildProps(world.binding(city)),
    )  # fmt: skip
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(world.notarised), strict=False)
    signers.sign_pdf(writer, meta, signer=city.signer, output=out, bytes_reserved=2_000_000)
    _forged(world, out.getvalue())
    assert world.judge(out.getvalue()).reason is SealReason.UNREADABLE  # type: ignore[attr-defined]


def test_a_revision_in_an_object_stream_is_reviewed_like_any_other(world: World) -> None:
    # the page replaced from inside a compressed object stream of an xref-stream revision (before and after)
    def replace_page(pdf: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        writer.stream_xrefs = True
        objects = writer.prepare_object_stream()
        page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
        page = page_ref.get_object()
        copy = generic.DictionaryObject({k: page.raw_get(k) for k in page})
        copy[pdf_name("/Contents")] = writer.add_object(generic.StreamObject(stream_data=_OVERLAY))
        writer._allocated_placeholders.add(page_ref.idnum)  # lets add_object reuse the page's number
        writer.add_object(copy, obj_stream=objects, idnum=page_ref.idnum)
        out = io.BytesIO()
        writer.write(out)
        assert b"/ObjStm" in out.getvalue()[len(pdf) :]
        return out.getvalue()

    _forged(world, replace_page(world.notarised))
    _forged(world, replace_page(world.seal()))


def test_a_seal_whose_byte_range_leaves_bytes_out(world: World) -> None:
    # the city's own key, a correct CMS, but over a /ByteRange that starts late or stops early
    city = world.sealer()
    sealed = city.seal(world.notarised, world.binding(city))

    def resigned(start: int | None = None, cut_end: int = 0) -> bytes:
        found = list(_BYTE_RANGE.finditer(sealed))[-1]
        a, b, c, d = (int(x) for x in found.groups())
        first = a if start is None else start
        inner = f"{first} {b - first} {c} {d - cut_end}".encode()
        width = len(sealed[found.start() :].split(b"\n", 1)[0])  # with the spaces pyHanko reserves after "]"
        text = b"/ByteRange [" + inner + b" " * (width - len(inner) - len(b"/ByteRange []")) + b"]"
        pdf = sealed[: found.start()] + text + sealed[found.start() + width :]
        digest = hashlib.sha256(pdf[first:b] + pdf[c : c + d - cut_end]).digest()
        cms = asyncio.run(city.signer.async_sign(digest, "sha256", use_pades=True)).dump().hex().encode()
        return pdf[: b + 1] + cms.ljust(c - 1 - (b + 1), b"0") + pdf[c - 1 :]

    assert world.judge(resigned()).reason is SealReason.OK  # type: ignore[attr-defined]  # the technique itself
    for forged in (resigned(start=100), resigned(cut_end=20)):
        result = _verifier(world, require_seal=True).verify_pdf(forged)
        assert (result.verdict, result.check("seal").reason) == (Verdict.INVALID, Reason.SEAL_NOT_COVERING)


def test_the_seals_own_widget_made_visible_afterwards(world: World) -> None:
    # the city's invisible widget given a page-sized /Rect and an appearance in a later revision (pyHanko's
    # policy refused this before too; kept so a change of either rule cannot let it through)
    sealed = world.seal()

    def enlarge(writer: IncrementalPdfFileWriter) -> None:
        widget = writer.root["/AcroForm"]["/Fields"][0].get_object()
        widget[pdf_name("/Rect")] = generic.ArrayObject([generic.NumberObject(v) for v in PAGE])
        widget[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): _overlay(writer)})
        writer.update_container(widget)

    _forged(world, _revision(sealed, enlarge))


def test_a_revision_that_frees_a_content_stream(world: World) -> None:
    # a hand-written xref section marking one of page 1's content streams free (the stamp, say), in place of
    # the seal revision and after it (both refused before too: rule 3 and pyHanko's policy)
    def free(pdf: bytes, idnum: int) -> bytes:
        trailer = PdfFileReader(io.BytesIO(pdf)).trailer
        prev = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
        info = f"/Info {trailer.raw_get('/Info').idnum} 0 R " if "/Info" in trailer else ""
        xref_at = len(pdf) + 1
        return (
            pdf
            + (
                f"\nxref\n0 1\n0000000000 65535 f \n{idnum} 1\n0000000000 00001 f \n"
                f"trailer\n<< /Size {int(trailer['/Size'])} /Root {trailer.raw_get('/Root').idnum} 0 R {info}"
                f"/Prev {prev} >>\nstartxref\n{xref_at}\n%%EOF\n"
            ).encode()
        )

    page = PdfFileReader(io.BytesIO(world.notarised)).root["/Pages"]["/Kids"][0].get_object()
    contents = page.raw_get("/Contents")
    last = (contents.raw_get(len(contents) - 1) if isinstance(contents, generic.ArrayObject) else contents).idnum
    _forged(world, free(world.notarised, last))
    _forged(world, free(world.seal(), last))


def test_a_signature_inside_the_original_is_not_the_seal(world: World) -> None:
    # a stranger's signature placed before the notarisation update (in the original the issuer anchored) is
    # the original's business: it neither counts as the seal nor as a second signature after it
    import dataclasses

    from verifier.seal_check import check_seal

    original = world.notarised[: world.proof.original_length]
    signed_original = world.sealer("stranger", field_name="Mallory").seal(original, b"")
    notarised = _revision(signed_original, lambda writer: writer.update_root())  # stands for the update
    proof = dataclasses.replace(world.proof, original_length=len(signed_original))
    roots = [world.paths["root"].read_bytes()]
    assert check_seal(notarised, proof, roots=roots).reason is SealReason.NO_SEAL
    assert check_seal(notarised, proof, roots=roots, require_seal=True).reason is SealReason.SEAL_MISSING
    city = world.sealer()
    report = check_seal(city.seal(notarised, world.binding(city)), proof, roots=roots)
    assert (report.status, report.reason, report.subject) == ("VALID", SealReason.OK, "Stadt Musterstadt, Bürgeramt")
