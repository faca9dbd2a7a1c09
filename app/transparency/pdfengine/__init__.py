"""The annual report PDF engine: laid out in chunks, in parallel worker processes, then
joined. It knows HTML and PDF, nothing of the app: no Flask, no database, no templates (the
caller, `app.transparency.present.document`, renders the chunks' HTML).

Why chunks: WeasyPrint slows down per page as a document grows and keeps every laid-out
page in memory, so one pass over a 1,000-member report takes ~40 s and >1 GB. Here the
report is cut at forced page breaks (every chunk starts on a new page, in the single-pass
HTML too, so both lay out the same pages). Each chunk is laid out on its own, in one of a
few worker processes (`spawn`ed, replaced after TASKS_PER_WORKER chunks so their memory
cannot pile up). Then:

1. page numbers: the chunks' page counts give every page its absolute number and every
   element id its page (WeasyPrint's `page.anchors`), so the table of contents (the first
   chunk, laid out again once the numbers are known) prints real numbers;
2. footers ("Page 3 of 48") and the draft watermark are laid out by WeasyPrint as small
   separate documents and drawn on each page as form XObjects marked as pagination
   artifacts, since a chunk cannot know the total page count when it is laid out;
3. the join streams: the worker that lays out a chunk also turns its tagged PDF into a
   *fragment*, its objects numbered from a counter all workers of the build share; the
   join only copies the fragments into the output file and writes the document-wide
   objects and a cross-reference stream.

The modules, from the bottom up:

* `layout`: WeasyPrint with the print stylesheets parsed once per process; the variants;
* `fragments`: a laid-out part as a fragment of the joined PDF (renumbered objects);
* `worker`: the tasks a worker process runs (lay out a chunk, the footers, the watermark);
* `join`: the fragments joined into one file, with the page tree, structure tree,
  destinations and outline;
* `pool`: the build itself (`build_report`), its worker processes and progress;
* `single`: a small report in one pass (`build_single`), numbered by WeasyPrint itself.

A worker process imports only this package, `app.core.pdf`, WeasyPrint and pikepdf.
"""

from app.transparency.pdfengine.join import OutlineEntry
from app.transparency.pdfengine.layout import (
    VARIANT_A,
    VARIANT_UA,
    VARIANTS,
    BuildError,
    render,
    render_pdf,
    write,
)
from app.transparency.pdfengine.pool import MESSAGES, Built, Progress, build_report
from app.transparency.pdfengine.single import build_single

__all__ = [
    "MESSAGES",
    "VARIANTS",
    "VARIANT_A",
    "VARIANT_UA",
    "BuildError",
    "Built",
    "OutlineEntry",
    "Progress",
    "build_report",
    "build_single",
    "render",
    "render_pdf",
    "write",
]
