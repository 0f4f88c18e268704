"""Pictures of the client report in each language for docs/: the PDF's title page and
its first page of findings side by side, as docs/report_LANG.png.

    python scripts/report_pictures.py RESULTS_FOLDER [docs]

RESULTS_FOLDER is a comparison (`orgsim demo --out results/demo`); it is copied per
language, so the folder itself is left as it was.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path


def picture(pdf: Path, out: Path, pages=(0, 1), scale: float = 1.25) -> None:
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(str(pdf))
    shots = [doc[i].render(scale=scale).to_pil() for i in pages]
    gap = 16
    canvas = Image.new("RGB", (sum(s.width for s in shots) + gap * (len(shots) + 1),
                               max(s.height for s in shots) + 2 * gap), "#d9d9d9")
    x = gap
    for s in shots:
        canvas.paste(s, (x, gap))
        x += s.width + gap
    canvas.save(out, optimize=True)


def main(folder: str, docs: str = "docs") -> None:
    from sim.i18n import LANGUAGES
    from sim.report import make_report

    with tempfile.TemporaryDirectory() as tmp:
        for code in LANGUAGES:
            copy = Path(tmp) / code
            shutil.copytree(folder, copy)
            make_report(copy, code)
            picture(copy / "report.pdf", Path(docs) / f"report_{code}.png")
            print(f"{docs}/report_{code}.png")


if __name__ == "__main__":
    main(*sys.argv[1:])
