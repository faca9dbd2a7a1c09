"""The questionnaire as a workbook, out and back in (issue 19).

* `layout`: sheets, columns, the signed identifiers, answers as cell values and back;
* `build`: the representative's workbook (prefilled with the draft) and the blank one;
* `read`: checking an uploaded file (size, a real XLSX, no macros, no zip bomb, not
  encrypted) and reading its answers with the web form's parsers;
* `compare`: the upload against the draft (changes, answers changed online since the
  download, errors), the preview and its signed token;
* `apply`: confirming a preview: one save with the revision check, logged as "workbook";
* `all_reports`: every submitted report of a cycle as one workbook, streamed;
* `views`, `forms`: the pages (edge), on the reporting blueprint.
"""

from app.reporting.workbook.build import CONTENT_TYPE, blank_workbook, representative_workbook

__all__ = ["CONTENT_TYPE", "blank_workbook", "representative_workbook"]
