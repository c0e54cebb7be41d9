"""Grades back into Moodle: the offline grading worksheet and the feedback files zip.

- :mod:`grader.moodle_out.worksheet`: read the worksheet the instructor downloaded, fill in
  Grade and Feedback comments, write it back as it came (encoding, delimiter, decimals).
- :mod:`grader.moodle_out.feedback`: the zip for "Upload multiple feedback files in a zip",
  and the short HTML feedback comment.
"""

from grader.moodle_out.feedback import feedback_html, folder_name, write_feedback_zip
from grader.moodle_out.worksheet import (
    Grade,
    Worksheet,
    WorksheetError,
    fill,
    read_worksheet,
    upload_hint,
    write_worksheet,
)

__all__ = [
    "Grade",
    "Worksheet",
    "WorksheetError",
    "feedback_html",
    "fill",
    "folder_name",
    "read_worksheet",
    "upload_hint",
    "write_feedback_zip",
    "write_worksheet",
]
