"""The annual report and the members' reports as people read them: HTML from the
templates (for print and for the screen), the charts, the print stylesheet additions, and
the PDFs made from that HTML by the engine (`app.transparency.pdfengine`).

An edge package: it may render templates. The domain (`app.transparency.services`,
`member_reports`, `queries`, `figures`) gives it plain values and stores what it makes.
"""
