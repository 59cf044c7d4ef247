"""A forger's attacks on sealed PDFs (issue 14 review): revisions after the notarisation update that call
themselves signature updates but paint over the page, run JavaScript or change how the form is shown; reused and
misplaced signatures; weak algorithms and wrong certificates. Real PDFs from the real issuance, verdicts through
the Verifier like the other seal tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from notary.pdf.seal import _NotaryBuildProps
from tests.integration.test_seal import World, _verifier
from tests.integration.test_seal import world as world  # the module fixture, shared
from verifier.result import Reason, Status, Verdict

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
