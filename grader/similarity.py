"""``grader similarity CLASS``: pairs of submissions whose code is alike, per exercise.

The class is laid out as ``grader run --batch`` takes it: one sub-folder or ``.zip`` per
student. Each submission goes through the grader's own intake (``submission.stage``: size
limits, safe zips, notebooks converted to modules), then, exercise by exercise, every pair
of submissions is compared with copydetect (https://github.com/blingenf/copydetect), a
maintained, offline implementation of winnowing (Schleimer, Wilkerson and Aiken, "Winnowing:
local algorithms for document fingerprinting", SIGMOD 2003). Copydetect tokenizes Python
with Pygments and replaces every name by one letter and every string by another, so renamed
variables, moved functions, new comments and rewritten docstrings change nothing; the
exercise's stub (``exercises/<id>.py``) is its boilerplate, so the given code (signatures,
docstrings, imports) counts for nobody.

A pair's similarity, one number per side, is the share of that side's tokens found in the
other file (copydetect's measure). Pairs over the threshold on either side are listed. The
report is a prompt to read two files side by side, never evidence by itself: it does not
change, and is never used to change, a grade.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader import course
from grader.batch import discover
from grader.expect import _atomic_write
from grader.report.printable import clean_text
from grader.submission import SubmissionError, stage

DEFAULT_THRESHOLD = 0.5
# Copydetect's default noise threshold: matches shorter than 25 characters of tokenized code
# are ignored. The guarantee threshold is the same, so the winnowing window is 1 and every
# fingerprint is kept: the result does not depend on Python's per-process string hashes.
NOISE_TOKENS = 25
JSON_NAME, TEXT_NAME = "similarity.json", "similarity.txt"


@dataclass(frozen=True)
class Pair:
    """Two submissions of one exercise and how much of each one's code the other holds.

    Attributes:
      a, b: the submission ids (``a`` before ``b`` in the class's order).
      similarity_a, similarity_b: the share of ``a``'s (``b``'s) tokens also in the other.
      overlap_tokens_a, overlap_tokens_b: how many tokens of ``a`` (``b``) that is (a token is
        one character of copydetect's tokenized code, where a name or a string counts one).
    """

    a: str
    b: str
    similarity_a: float
    similarity_b: float
    overlap_tokens_a: int
    overlap_tokens_b: int

    @property
    def score(self) -> float:
        """The larger of the two similarities (what the threshold is compared with)."""
        return max(self.similarity_a, self.similarity_b)


@dataclass
class ExerciseSimilarity:
    """One exercise's comparison.

    Attributes:
      exercise: the exercise id.
      submissions: the ids of the submissions that have this exercise's file.
      pairs: the pairs over the threshold, most similar first.
      compared: how many pairs were compared.
      html: the name of copydetect's HTML report in the output folder, if written.
      error: why the comparison could not be made, if it could not.
    """

    exercise: str
    submissions: list[str] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    compared: int = 0
    html: str | None = None
    error: str | None = None


@dataclass
class SimilarityReport:
    """The class's similarity report: every exercise compared, and what could not be read."""

    source: str
    threshold: float
    exercises: list[ExerciseSimilarity]
    submissions: list[str]
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def who(self, sid: str) -> str:
        """``sid`` for a person: ``Full Name (id)`` when the name is known, printable."""
        name = self.names.get(sid)
        return clean_text(f"{name} ({sid})" if name else sid)

    def to_json(self) -> dict:
        """The report as JSON-ready data (pairs with both ids, both similarities)."""
        from copydetect import __version__

        return {
            "source": self.source,
            "detector": f"copydetect {__version__}",
            "noise_tokens": NOISE_TOKENS,
            "threshold": self.threshold,
            "grades_changed": False,
            "submissions": self.submissions,
            "names": self.names,
            "skipped": self.skipped,
            "notes": self.notes,
            "exercises": [
                {**asdict(e), "pairs": [asdict(p) for p in e.pairs]} for e in self.exercises
            ],
        }

    def to_text(self) -> str:
        """The report for a person: per exercise, the flagged pairs, most similar first."""
        from copydetect import __version__

        pct = f"{self.threshold:.0%}"
        lines = [
            f"Similarity report: {clean_text(self.source)} (copydetect {__version__}, "
            f"winnowing over {NOISE_TOKENS}-token matches; pairs over {pct} listed)",
            "Never used to change a grade: a listed pair is a reason to read both files.",
            f"{len(self.submissions)} submission(s) read, {len(self.skipped)} skipped",
        ]
        lines += [
            f"  skipped {clean_text(s)}: {clean_text(why)}" for s, why in self.skipped.items()
        ]
        lines += [f"  note: {clean_text(n)}" for n in self.notes]
        for e in self.exercises:
            head = f"{e.exercise}: {len(e.submissions)} submission(s), {e.compared} pair(s)"
            if e.error:
                lines.append(f"{head}: not compared ({clean_text(e.error)})")
            elif len(e.submissions) < 2:
                lines.append(f"{head}: fewer than two submissions, nothing to compare")
            else:
                where = f" (details: {e.html})" if e.html else ""
                lines.append(f"{head}, {len(e.pairs)} over {pct}{where}")
            for p in e.pairs:
                lines.append(
                    f"  {p.similarity_a:4.0%} / {p.similarity_b:4.0%}  {self.who(p.a)}  ~  "
                    f"{self.who(p.b)}  ({p.overlap_tokens_a} / {p.overlap_tokens_b} tokens)"
                )
        return "\n".join(lines) + "\n"


def stub_of(exercise_id: str) -> Path | None:
    """The exercise's stub, ``exercises/<id>.py`` beside its course folder, if there is one."""
    root = course.folder_of(exercise_id).parent.parent
    for candidate in (root / "exercises", course.COURSE_DIR.parent.parent / "exercises"):
        if (candidate / f"{exercise_id}.py").is_file():
            return candidate / f"{exercise_id}.py"
    return None


def _label(sid: str, taken: set[str]) -> str:
    """A file-name-safe, unique label for ``sid`` (copydetect's HTML shows file paths as is)."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", sid).strip("._")[:80] or "submission"
    label, n = base, 1
    while label in taken:
        n += 1
        label = f"{base}-{n}"
    taken.add(label)
    return label


def compare(
    files: dict[str, Path], stub: Path | None, threshold: float, workdir: Path
) -> tuple[list[Pair], int, str]:
    """Compare every pair of ``files`` (one exercise's) with copydetect.

    Args:
      files: ``{submission id: its module for this exercise}``.
      stub: the exercise's stub, whose code is boilerplate (ignored), or None.
      threshold: list the pairs whose larger similarity is over this (0 to 1).
      workdir: an empty folder for the copies copydetect reads (UTF-8, safe names).

    Returns:
      ``(pairs over the threshold, most similar first; pairs compared; copydetect's HTML)``.
    """
    from copydetect import CopyDetector

    detector = CopyDetector(
        noise_t=NOISE_TOKENS,
        guarantee_t=NOISE_TOKENS,
        display_t=threshold,
        force_language="python",
        autoopen=False,
        silent=True,
        out_file="report.html",
    )
    ids_of: dict[str, str] = {}
    taken: set[str] = set()
    for sid, src in files.items():
        copy = workdir / f"{_label(sid, taken)}.py"
        copy.write_text(src.read_bytes().decode("utf-8", errors="replace"), encoding="utf-8")
        ids_of[str(copy)] = sid
        detector.add_file(str(copy))
    if stub is not None:
        detector.add_file(str(stub), type="boilerplate")
    detector.run()
    sims, overlaps = detector.similarity_matrix, detector.token_overlap_matrix
    order = [ids_of[f] for f in detector.test_files]
    coverage = {
        ids_of[f]: float(d.token_coverage) for f, d in detector.file_data.items() if f in ids_of
    }
    pairs, compared = [], 0
    for i in range(len(order)):
        for j in range(i + 1, len(order)):
            if sims[i, j, 0] < 0:  # not compared (copydetect could not read one side)
                continue
            compared += 1
            pair = Pair(
                order[i],
                order[j],
                round(float(sims[i, j, 0]), 4),
                round(float(sims[i, j, 1]), 4),
                int(overlaps[i, j]),  # copydetect counts the overlap in the first file
                round(float(sims[i, j, 1]) * coverage[order[j]]),
            )
            if float(sims[i, j].max()) > threshold:
                pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    with warnings.catch_warnings():  # copydetect 0.5 reads its template with a deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        html = detector.generate_html_report(output_mode="return")
    return pairs, compared, html


def collect(source: Path, staging: Path, report: SimilarityReport) -> dict[str, list[Path]]:
    """The class's submissions, ``{id: what to stage}``, as ``grader run --batch`` finds them.

    A Moodle "Download all submissions" (its zip or unzipped folder) gives one submission per
    participant, its id the participant id (names go to ``report.names``, refused
    participants to ``report.skipped``); any other folder, one per sub-folder or ``.zip``.

    Args:
      source: the class.
      staging: an empty folder for the participants' files of a Moodle download.
      report: receives names, notes and skipped participants.

    Raises:
      SubmissionError: ``source`` is neither a folder nor a Moodle download zip.
    """
    try:
        from grader.moodle import download
    except ImportError:  # pragma: no cover - the Moodle intake is optional
        download = None
    if download is not None and download.is_moodle_download(source):
        found = {}
        for person in download.read_download(source, staging):
            pid = person.participant_id
            report.notes += [f"{pid}: {n}" for n in person.notes]
            if person.full_name:
                report.names[pid] = person.full_name
            if person.error or not person.files:
                report.skipped[pid] = person.error or "no gradable file"
            else:
                found[pid] = list(person.files)
        return found
    if source.is_file() and source.suffix == ".zip":
        raise SubmissionError(
            f'{source} is not a Moodle download zip: give Moodle\'s "Download all submissions" '
            "zip, or a folder with one sub-folder or .zip per submission"
        )
    return {sid: [path] for sid, path in discover(source).items()}


def similarity(
    source: Path, exercise_ids: list[str], threshold: float, out_dir: Path | None = None
) -> SimilarityReport:
    """Compare the class's submissions, exercise by exercise.

    Args:
      source: the class folder (one sub-folder or ``.zip`` per submission), or a Moodle
        "Download all submissions" zip or folder.
      exercise_ids: the exercises to compare.
      threshold: list the pairs whose larger similarity is over this (0 to 1).
      out_dir: where to write copydetect's HTML report per exercise (``<id>.html``), or None.

    Returns:
      The report; no grade is read or changed.
    """
    report = SimilarityReport(str(source), threshold, [], [])
    by_exercise: dict[str, dict[str, Path]] = {ex: {} for ex in exercise_ids}
    with tempfile.TemporaryDirectory(prefix="similarity-") as tmp:
        for sid, paths in collect(source, Path(tmp) / "moodle", report).items():
            try:
                staged = stage(paths)
            except (SubmissionError, OSError, ValueError) as exc:
                report.skipped[sid] = str(exc)
                continue
            try:
                # Misnamed files were renamed by the intake (grader.filenames), with notes.
                report.notes += [f"{sid}: {n}" for n in getattr(staged, "notes", [])]
                folder = Path(staged.name)
                found = {
                    e: folder / f"{e}.py" for e in exercise_ids if (folder / f"{e}.py").is_file()
                }
                keep = Path(tmp) / "staged" / str(len(report.submissions))
                keep.mkdir(parents=True)
                for ex_id, f in found.items():
                    by_exercise[ex_id][sid] = Path(shutil.copy(f, keep / f"{ex_id}.py"))
            finally:
                staged.cleanup()
            report.submissions.append(sid)
        for ex_id in exercise_ids:
            files = by_exercise[ex_id]
            result = ExerciseSimilarity(ex_id, list(files))
            report.exercises.append(result)
            if len(files) < 2:
                continue
            work = Path(tmp) / "compare" / ex_id
            work.mkdir(parents=True)
            try:
                result.pairs, result.compared, html = compare(
                    files, stub_of(ex_id), threshold, work
                )
            except Exception as exc:  # a detector failure on odd code costs this exercise only
                result.error = f"the detector failed: {exc!r}"
                continue
            if out_dir is not None and html:
                _atomic_write(out_dir / f"{ex_id}.html", html.encode("utf-8"))
                result.html = f"{ex_id}.html"
    return report


def run_command(
    source: str | Path,
    exercise_ids: list[str],
    out_dir: str | Path | None = None,
    threshold: float | None = None,
) -> int:
    """``grader similarity``: compare, write ``similarity.{txt,json}`` and the HTML reports.

    Args:
      source: the class folder.
      exercise_ids: the exercises to compare.
      out_dir: the report folder (default ``./similarity``).
      threshold: list pairs over this (default ``DEFAULT_THRESHOLD``).

    Returns:
      The exit status: 0 once the report is written (flagged pairs or not), 2 for a bad
      threshold.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    out_dir = Path(out_dir or "similarity")
    if not 0 <= threshold <= 1:
        print(f"grader: --threshold must be between 0 and 1 (got {threshold})", file=sys.stderr)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    report = similarity(Path(source), exercise_ids, threshold, out_dir)
    text = report.to_text()
    _atomic_write(out_dir / TEXT_NAME, text.encode("utf-8"))
    data = json.dumps(report.to_json(), indent=2, ensure_ascii=False)
    _atomic_write(out_dir / JSON_NAME, (data + "\n").encode("utf-8"))
    sys.stdout.write(text)
    where = clean_text(out_dir / TEXT_NAME)
    print(f"report written to {where}, {JSON_NAME} and one HTML page per compared exercise")
    return 0
