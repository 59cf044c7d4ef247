"""Fictional sample certificates (German Realschule leaving certificates) for tests, demos and benchmarks.

Why realistic: stamping and verification costs depend on what school software produces — embedded TrueType
subsets, many text objects, vector ornaments — so the samples have them too (30-60 KB, A4, one page).
Output is deterministic (reportlab ``invariant=1``): the same pupil gives the same bytes. Every person and
school here is invented.
"""

from __future__ import annotations

import io
import math
import os
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache

from notary.errors import PdfError

SUBJECTS = (
    "Deutsch",
    "Mathematik",
    "Englisch",
    "Französisch",
    "Physik",
    "Chemie",
    "Biologie",
    "Geschichte",
    "Geographie",
    "Wirtschaft und Recht",
    "Sozialkunde",
    "Katholische Religionslehre",
    "Kunst",
    "Musik",
    "Sport",
    "Informationstechnologie",
)
GRADE_WORDS = {1: "sehr gut", 2: "gut", 3: "befriedigend", 4: "ausreichend", 5: "mangelhaft", 6: "ungenügend"}


@dataclass(frozen=True, slots=True)
class Pupil:
    given_name: str
    family_name: str
    birth_date: str
    """As printed, e.g. ``14.03.2009``."""
    birth_place: str


@dataclass(frozen=True, slots=True)
class School:
    name: str
    street: str
    city: str
    head: str
    class_teacher: str
    school_year: str = "2024/2025"
    issue_date: str = "25. Juli 2025"


@dataclass(frozen=True, slots=True)
class Certificate:
    pupil: Pupil
    school: School
    grades: Mapping[str, int] = field(default_factory=dict)


SAMPLE_SCHOOL = School(
    name="Staatliche Realschule am Lindenhain",
    street="Lindenallee 12",
    city="97070 Würzburg",
    head="Dr. Ingrid Böhmer, Realschulrektorin",
    class_teacher="Jürgen Käßmann, StR (RS)",
)

SAMPLE_PUPILS = (
    Pupil("Lena", "Müller", "14.03.2009", "Würzburg"),
    Pupil("Jonas", "Schäfer", "02.11.2008", "Kitzingen"),
    Pupil("Zoë", "Öztürk", "29.02.2008", "Schweinfurt"),
    Pupil("Maximilian", "Groß-Übelhör", "07.07.2009", "Ochsenfurt"),
    Pupil("Ängelina", "Weiß", "31.12.2008", "Bad Kissingen"),
)

_GIVEN = ("Lena", "Jonas", "Mia", "Lukas", "Zoë", "Jürgen", "Sören", "Björn", "Ömer", "Amélie", "Felix", "Hannah",
          "Maximilian", "Emilia", "Ben", "Lotta", "Paul", "Mats", "Jördis", "Malte")  # fmt: skip
_FAMILY = ("Müller", "Schäfer", "Öztürk", "Weiß", "Groß", "Köhler", "Bäcker", "Schröder", "Krüger", "Hoffmann",
           "Wagner", "Fuß", "Jäger", "Lößl", "Neumann", "Zimmermann", "Braun", "Krause", "Übel", "Schmitt")  # fmt: skip
_PLACES = ("Würzburg", "Kitzingen", "Schweinfurt", "Ochsenfurt", "Bad Kissingen", "Marktheidenfeld", "Lohr a. Main")


def sample_grades(seed: int) -> dict[str, int]:
    """A plausible, seeded set of grades (1-5)."""
    rng = random.Random(seed)
    return {subject: rng.choice((1, 1, 2, 2, 2, 3, 3, 3, 4, 5)) for subject in SUBJECTS}


def sample_certificates(count: int, seed: int = 0) -> Iterator[Certificate]:
    """``count`` varied fictional certificates (names with umlauts, grades), deterministic for a seed."""
    rng = random.Random(seed)
    for i in range(count):
        pupil = Pupil(
            rng.choice(_GIVEN),
            rng.choice(_FAMILY),
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.choice((2008, 2009))}",
            rng.choice(_PLACES),
        )
        yield Certificate(pupil, SAMPLE_SCHOOL, sample_grades(seed * 1_000_003 + i))


@cache
def _fonts() -> tuple[str, str]:
    """Register reportlab's bundled Bitstream Vera fonts once (embedded as subsets, like school software)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    for font_name, file_name in (("Vera", "Vera.ttf"), ("VeraBd", "VeraBd.ttf")):
        pdfmetrics.registerFont(TTFont(font_name, os.path.join(folder, file_name)))
    return "Vera", "VeraBd"


def _logo(c: object, x: float, y: float) -> None:
    """A simple vector crest: shield, open book, linden leaf."""
    from reportlab.pdfgen.canvas import Canvas

    assert isinstance(c, Canvas)
    c.saveState()
    c.setStrokeColorRGB(0.05, 0.25, 0.45)
    c.setFillColorRGB(0.85, 0.91, 0.97)
    c.setLineWidth(1.4)
    shield = c.beginPath()
    shield.moveTo(x, y + 52)
    shield.lineTo(x + 44, y + 52)
    shield.lineTo(x + 44, y + 24)
    shield.curveTo(x + 44, y + 8, x + 30, y + 2, x + 22, y - 4)
    shield.curveTo(x + 14, y + 2, x, y + 8, x, y + 24)
    shield.close()
    c.drawPath(shield, stroke=1, fill=1)
    c.setFillColorRGB(0.05, 0.25, 0.45)
    book = c.beginPath()
    book.moveTo(x + 8, y + 30)
    book.curveTo(x + 14, y + 34, x + 19, y + 34, x + 22, y + 30)
    book.curveTo(x + 25, y + 34, x + 30, y + 34, x + 36, y + 30)
    book.lineTo(x + 36, y + 18)
    book.curveTo(x + 30, y + 22, x + 25, y + 22, x + 22, y + 18)
    book.curveTo(x + 19, y + 22, x + 14, y + 22, x + 8, y + 18)
    book.close()
    c.drawPath(book, stroke=0, fill=1)
    c.setFillColorRGB(0.2, 0.55, 0.3)
    leaf = c.beginPath()
    leaf.moveTo(x + 22, y + 36)
    leaf.curveTo(x + 12, y + 42, x + 16, y + 49, x + 22, y + 49)
    leaf.curveTo(x + 28, y + 49, x + 32, y + 42, x + 22, y + 36)
    leaf.close()
    c.drawPath(leaf, stroke=0, fill=1)
    c.restoreState()


@cache
def _guilloche(width: float, height: float) -> str:
    """A thin security-style border of interleaved sine curves, as literal PDF path operators.

    Computed once and inserted with ``Canvas.addLiteral``: drawing ~2,000 points through reportlab's path
    API per document would dominate bulk generation.
    """
    lines = ["q", "0.25 w"]
    margin = 22.0
    for k, colour in enumerate(((0.55, 0.7, 0.85), (0.85, 0.75, 0.6))):
        lines.append(" ".join(f"{v:.2f}" for v in colour) + " RG")
        for edge in range(4):
            length = width - 2 * margin if edge % 2 == 0 else height - 2 * margin
            steps = int(length / 3)
            for i in range(steps + 1):
                t = i * length / steps
                off = 5 * math.sin(t / 9.0 + k * 2.1) * math.cos(t / 31.0 + k)
                if edge == 0:
                    px, py = margin + t, margin + off
                elif edge == 1:
                    px, py = width - margin + off, margin + t
                elif edge == 2:
                    px, py = width - margin - t, height - margin + off
                else:
                    px, py = margin + off, height - margin - t
                lines.append(f"{px:.2f} {py:.2f} {'m' if i == 0 else 'l'}")
            lines.append("S")
    lines.append("Q")
    return "\n".join(lines)


def make_certificate(
    pupil: Pupil,
    school: School = SAMPLE_SCHOOL,
    grades: Mapping[str, int] | None = None,
) -> bytes:
    """One-page A4 "Abschlusszeugnis der Realschule" as PDF bytes (deterministic, ~40 KB)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    grades = dict(grades) if grades is not None else sample_grades(hash_seed(pupil))
    unknown = set(grades) - set(SUBJECTS)
    if unknown or any(g not in GRADE_WORDS for g in grades.values()):
        raise PdfError(f"unknown subjects or grades: {sorted(unknown)}")
    regular, bold = _fonts()
    buffer = io.BytesIO()
    width, height = A4
    c = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"Abschlusszeugnis {pupil.given_name} {pupil.family_name}")
    c.setAuthor(school.name)
    c.setSubject("Abschlusszeugnis der Realschule")
    c.setCreator("Schulverwaltung (Beispiel)")
    c.addLiteral(_guilloche(width, height))
    _logo(c, 60, height - 110)
    c.setFillColorRGB(0.05, 0.25, 0.45)
    c.setFont(bold, 13)
    c.drawString(118, height - 74, school.name)
    c.setFont(regular, 9)
    c.drawString(118, height - 88, f"{school.street} · {school.city}")
    c.drawString(118, height - 100, "Schulnummer 0815 · Bayern (fiktives Beispiel)")
    c.setFillColorRGB(0, 0, 0)
    c.setFont(bold, 22)
    c.drawCentredString(width / 2, height - 160, "Abschlusszeugnis der Realschule")
    c.setFont(regular, 11)
    c.drawCentredString(width / 2, height - 180, f"Schuljahr {school.school_year}")

    c.setFont(regular, 11)
    y = height - 220
    c.drawString(70, y, "Vor- und Familienname:")
    c.setFont(bold, 12)
    c.drawString(210, y, f"{pupil.given_name} {pupil.family_name}")
    c.setFont(regular, 11)
    y -= 18
    c.drawString(70, y, "geboren am:")
    c.drawString(210, y, f"{pupil.birth_date} in {pupil.birth_place}")
    y -= 26
    text = c.beginText(70, y)
    text.setFont(regular, 10.5)
    text.setLeading(14)
    for line in (
        "hat die Realschule in der Wahlpflichtfächergruppe II (wirtschaftlicher Bereich) besucht",
        "und die Abschlussprüfung bestanden. Damit hat sie/er den mittleren Schulabschluss",
        "erworben.",
    ):
        text.textLine(line)
    c.drawText(text)

    y -= 56
    c.setFont(bold, 11)
    c.drawString(70, y, "Leistungen in den Fächern")
    y -= 8
    c.setLineWidth(0.6)
    c.line(70, y, width - 70, y)
    y -= 16
    half = (len(SUBJECTS) + 1) // 2
    for i, subject in enumerate(SUBJECTS):
        col_x = 70 if i < half else width / 2 + 10
        row_y = y - (i % half) * 19
        grade = grades.get(subject)
        c.setFont(regular, 10)
        c.drawString(col_x, row_y, subject)
        c.setFont(bold, 10)
        c.drawRightString(col_x + 225, row_y, f"{GRADE_WORDS[grade]} ({grade})" if grade else "—")
        c.setLineWidth(0.2)
        c.setDash(1, 2)
        c.line(col_x, row_y - 5, col_x + 225, row_y - 5)
        c.setDash()
    y -= half * 19 + 6
    c.setLineWidth(0.6)
    c.line(70, y, width - 70, y)
    given = [g for g in grades.values() if g]
    average = sum(given) / len(given) if given else 0.0
    y -= 20
    c.setFont(regular, 10.5)
    c.drawString(70, y, "Durchschnittsnote:")
    c.setFont(bold, 10.5)
    c.drawString(210, y, f"{average:.1f}".replace(".", ","))
    y -= 24
    c.setFont(regular, 9.5)
    c.drawString(70, y, "Bemerkungen: Sie/Er hat an der Arbeitsgemeinschaft „Schulsanitätsdienst“")
    c.drawString(70, y - 13, "erfolgreich teilgenommen. Notenstufen: sehr gut (1), gut (2), befriedigend (3),")
    c.drawString(70, y - 26, "ausreichend (4), mangelhaft (5), ungenügend (6).")

    y = 275
    c.setFont(regular, 10.5)
    c.drawString(70, y, f"{school.city.split(' ', 1)[-1]}, den {school.issue_date}")
    c.setLineWidth(0.5)
    c.line(70, 215, 250, 215)
    c.line(width - 250, 215, width - 70, 215)
    c.setFont(regular, 8.5)
    c.drawString(70, 203, school.head)
    c.drawString(width - 250, 203, school.class_teacher)
    c.setStrokeColorRGB(0.5, 0.5, 0.5)
    c.circle(width / 2, 225, 26, stroke=1, fill=0)
    c.setFont(regular, 7)
    c.setFillColorRGB(0.5, 0.5, 0.5)
    c.drawCentredString(width / 2, 222, "Siegel")
    c.setFillColorRGB(0, 0, 0)
    c.setFont(regular, 7)
    c.drawString(70, 60, "Fiktives Beispiel — alle Personen und die Schule sind frei erfunden.")
    c.showPage()
    c.save()
    return buffer.getvalue()


def hash_seed(pupil: Pupil) -> int:
    """A stable seed from a pupil (Python's hash() is salted per process, so it would not be stable)."""
    import zlib

    return zlib.crc32("|".join((pupil.given_name, pupil.family_name, pupil.birth_date)).encode("utf-8"))


def make_certificates(count: int, seed: int = 0) -> Iterator[bytes]:
    """``count`` varied certificates as PDF bytes (for benchmarks of 10,000+ documents)."""
    for cert in sample_certificates(count, seed):
        yield make_certificate(cert.pupil, cert.school, cert.grades)
