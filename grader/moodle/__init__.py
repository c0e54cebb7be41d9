"""Moodle, both ways: read the assignment's "Download all submissions" (:mod:`.download`)
so that ``grader run --batch`` grades each participant under their Moodle participant id."""
