"""Moodle, both ways, for an assignment graded with ``grader run --batch``.

- :mod:`grader.moodle.download`: read the assignment's "Download all submissions" (its zip or
  the unzipped folder), so that each participant is graded under their participant id.
- :mod:`grader.moodle.worksheet`: read the offline grading worksheet the instructor
  downloaded, fill in Grade and Feedback comments, write it back as it came (encoding,
  delimiter, decimals); :mod:`grader.moodle.csvtext` keeps each cell's exact text for that.
- :mod:`grader.moodle.feedback`: the zip for "Upload multiple feedback files in a zip", and
  the short HTML feedback comment.
"""
