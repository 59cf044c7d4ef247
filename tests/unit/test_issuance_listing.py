"""Listing a folder to issue: the same files, names and order as ``sorted(root.rglob("*"))`` always gave."""

from __future__ import annotations

import os
from pathlib import Path

from notary.issuance.inputs import ClaimDefaults, _pdf_files, from_paths


def _reference(root: Path) -> list[tuple[Path, str, bool]]:
    """The listing as it was: rglob, is_file, the suffix, and every file resolved."""
    return [
        (file, file.relative_to(root).as_posix(), not file.resolve().is_relative_to(root))
        for file in sorted(root.rglob("*"))
        if file.is_file() and file.suffix.lower() == ".pdf"
    ]


def test_listing_matches_rglob_with_links_hidden_names_and_case(tmp_path: Path) -> None:
    root, outside = tmp_path / "in", tmp_path / "outside"
    (root / "a" / "b").mkdir(parents=True)
    (root / ".hidden").mkdir()
    outside.mkdir()
    names = ["x.pdf", "Y.PDF", ".pdf", "a/z.pdf", "a/b/w.pdf", "a/b/n.txt", ".hidden/h.pdf", "a/B.pdf", "a b.pdf",
             "a/a.pdf", "a.pdf.txt", "ä.pdf"]  # fmt: skip
    for name in names:
        (root / name).write_bytes(b"%PDF-1.4\n")
    (outside / "o.pdf").write_bytes(b"%PDF-1.4\n")
    os.symlink(outside / "o.pdf", root / "link-out.pdf")  # a file link leading out: listed, then refused
    os.symlink(root / "x.pdf", root / "a" / "link-in.pdf")  # a file link inside: listed and fine
    os.symlink(outside, root / "dirlink")  # a folder link: not followed
    os.symlink(tmp_path / "nothing.pdf", root / "broken.pdf")  # a dangling link: no file

    listed = [(file, rel, linked and not file.resolve().is_relative_to(root)) for file, rel, linked in _pdf_files(root)]
    assert listed == _reference(root)
    expected = [".hidden/h.pdf", "Y.PDF", "a/B.pdf", "a/a.pdf", "a/b/w.pdf", "a/link-in.pdf", "a/z.pdf", "a b.pdf",
                "link-out.pdf", "x.pdf", "ä.pdf"]  # fmt: skip
    assert [rel for _, rel, _ in listed] == expected

    docs = list(from_paths([root], ClaimDefaults(doc_type="zeugnis", title="T", holder="H")))
    assert [(d.rel_out, d.error is not None) for d in docs] == [(rel, out) for _, rel, out in listed]
    refused = next(d for d in docs if d.rel_out == "link-out.pdf")
    assert refused.error is not None and "symbolic link that leads outside" in refused.error
