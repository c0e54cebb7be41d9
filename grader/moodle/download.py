"""Moodle's "Download all submissions", zipped or unzipped, read as one record per participant.

The naming rules are Moodle's own, from ``assign::download_submissions()`` in
``mod/assign/locallib.php`` (Moodle 3.1 to 4.x) and ``get_files()`` in
``mod/assign/submission/file/locallib.php``:

- every entry starts with a *prefix*: ``clean_filename(str_replace('_', ' ', GROUP FULLNAME)
  . '_' . UNIQUEID)``. The name part therefore never holds ``_`` (Moodle turns it into a
  space) and UNIQUEID is the assignment's participant id (``get_uniqueid_for_user``), the
  number the grading worksheet shows as "Participant 1234501". ``clean_filename``
  (PARAM_FILE in ``clean_param()``, ``lib/moodlelib.php``) also drops
  ``& < > " ` | ' : \\ /``, so "Jean d'Arc" arrives as "Jean dArc": the name read here is
  the download's; the worksheet's "Full name" column is Moodle's own;
- under blind marking the full name is replaced by the word "Participant" (the language
  string ``participant`` of ``mod_assign``: "Participant" in English and French,
  "Participante" in Spanish and Portuguese);
- with team submissions GROUP is the group's name and ``-`` (``Default group-`` when the
  student is in none), so ``Team A-Jean Dupont``: Moodle joins them with a plain ``-``, which
  names also hold (Jean-Pierre), so the group is split off only under blind marking;
- "download as folders" (the default since Moodle 3.1): one folder per participant and
  submission plugin, ``PREFIX_assignsubmission_file_/`` then the file's own path in the
  file area (sub-folders kept); ``PREFIX_assignsubmission_onlinetext_/onlinetext.html`` for
  the online text, which is not graded;
- without folders (before 3.1, or the preference unticked): flat files
  ``PREFIX_assignsubmission_file_FILENAME``.

Each participant's gradable files (``.py``, ``.ipynb``, ``.zip``; others are listed in the
record's notes) are copied into ``STAGING/<participant id>/`` with their relative paths, from
the zip or from the unzipped folder alike, so both give the same records and the same files.
A zip is read under the rules of :mod:`grader.submission`: absolute paths, ``..``, drive
letters and links are refused (for the whole download: Moodle never writes them, such a zip
was made by hand), each participant's files are held to that module's size limits (over them:
that participant alone is refused, in ``error``), and names are decoded as UTF-8 even when
the zip does not flag them so (what Moodle and most tools write), then NFC-normalised.

A folder or zip with no entry named in these forms is not a Moodle download:
:func:`is_moodle_download` says so, and the batch then keeps its plain layout (one sub-folder
or zip per submission); :func:`read_download` raises :class:`SubmissionError` on it.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.submission import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    STAGED_SUFFIXES,
    SubmissionError,
    _check_size,
)

# Whole-download bounds: a class of a few hundred students, each within submission.py's.
MAX_ENTRIES = 100 * MAX_FILES
MAX_DOWNLOAD_BYTES = 64 * MAX_TOTAL_BYTES
GRADABLE_SUFFIXES = frozenset({*STAGED_SUFFIXES, ".ipynb", ".zip"})
FILE_PLUGIN = "assignsubmission_file"
# mod_assign's "participant" string, as the blind-marking prefix uses it (lang/*/assign.php).
BLIND_WORDS = ("Participant", "Participante")

# PREFIX_PLUGIN_REST; PREFIX = NAME_ID. The plugin is ``assignsubmission_<type>``.
_ENTRY = re.compile(
    r"(?P<name>[^_]*)_(?P<id>[0-9]+)_(?P<plugin>assignsubmission_[a-z0-9]+)_(?P<rest>.*)", re.S
)


@dataclass(frozen=True)
class EntryName:
    """What a top-level entry name of a Moodle download says.

    Attributes:
      participant_id: the assignment's participant id (digits).
      full_name: the student's full name, ``None`` under blind marking.
      group: the team's name when it can be told apart (blind marking), else ``None``.
      prefix: ``NAME_ID`` as Moodle wrote it (what "upload feedback files" matches on).
      plugin: the submission plugin, e.g. ``assignsubmission_file``.
      rest: what follows the plugin: ``""`` for a folder, the file name in the flat layout.
    """

    participant_id: str
    full_name: str | None
    group: str | None
    prefix: str
    plugin: str
    rest: str


def parse_entry(name: str) -> EntryName | None:
    """Read a top-level name of a Moodle download, or ``None`` if it is not one.

    Args:
      name: a folder or file name at the top of the download.

    Returns:
      The parsed name, or ``None``.

    >>> e = parse_entry("Jean Dupont_1234501_assignsubmission_file_")
    >>> e.participant_id, e.full_name, e.rest
    ('1234501', 'Jean Dupont', '')
    >>> e = parse_entry("Team A-Participant_77_assignsubmission_file_ex01.py")
    >>> e.full_name, e.group, e.rest
    (None, 'Team A', 'ex01.py')
    >>> parse_entry("alice") is None
    True
    """
    m = _ENTRY.fullmatch(unicodedata.normalize("NFC", name))
    if m is None:
        return None
    label = m["name"]
    full_name: str | None = label
    group = None
    for word in BLIND_WORDS:
        if label == word:
            full_name = None
        elif label.endswith("-" + word):
            full_name, group = None, label[: -len(word) - 1]
    return EntryName(m["id"], full_name, group, f"{label}_{m['id']}", m["plugin"], m["rest"])


@dataclass
class Participant:
    """One participant of a Moodle download.

    Attributes:
      participant_id: the assignment's participant id, the batch's submission id.
      full_name: as Moodle wrote it (with a team prefix ``Group-`` if any); ``None`` under
        blind marking.
      group: the team's name when the download tells it apart, else ``None``.
      prefix: ``NAME_ID`` as in the download.
      folder: ``STAGING/<participant id>``: the participant's gradable files, relative paths
        kept; it exists even when there are none.
      files: those files, sorted.
      notes: remarks for the report (online text ignored, files that are not graded).
      error: why this participant's files were refused (over the size limits), or ``None``.
    """

    participant_id: str
    full_name: str | None
    group: str | None
    prefix: str
    folder: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class _Member:
    parts: tuple[str, ...]
    size: int
    read: Callable[[], bytes]  # at most MAX_FILE_BYTES + 1 bytes


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The entry's name: UTF-8 when flagged so, or when its bytes are UTF-8 (zip tools that
    do not set the flag), else what zipfile decoded (cp437)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return unicodedata.normalize("NFC", name)


def _unsafe(name: str) -> bool:
    # The rule of grader.submission._extract_zip: absolute, "..", a drive letter.
    p = PurePosixPath(name.replace("\\", "/"))
    return (
        p.is_absolute()
        or name.startswith(("/", "\\"))
        or ".." in p.parts
        or (bool(p.parts) and ":" in p.parts[0])
    )


def _junk(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{path.name} is not a readable zip file: {exc}") from exc


def _zip_members(zf: zipfile.ZipFile, label: str) -> Iterator[_Member]:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise SubmissionError(
            f"{label} holds {len(infos)} entries; at most {MAX_ENTRIES} are accepted"
        )
    for info in infos:
        name = _zip_name(info)
        if _unsafe(name):
            raise SubmissionError(
                f"{label} contains the unsafe path {name!r}; a Moodle download never does: "
                "refused (download it again from Moodle)"
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise SubmissionError(f"{label} contains the link {name!r}; links are refused")
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if info.is_dir() or not parts or _junk(parts):
            continue

        def read(info=info) -> bytes:
            with zf.open(info) as src:
                return src.read(MAX_FILE_BYTES + 1)

        yield _Member(parts, info.file_size, read)


def _folder_members(root: Path) -> Iterator[_Member]:
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _junk((d,)))
        for fname in sorted(filenames):
            count += 1
            if count > MAX_ENTRIES:
                raise SubmissionError(f"{root} holds over {MAX_ENTRIES} files; refused")
            f = Path(dirpath, fname)
            rel = f.relative_to(root)
            st = f.lstat()
            if _junk(rel.parts) or not stat.S_ISREG(st.st_mode):
                continue  # links and special files are never read

            def read(f=f) -> bytes:
                with open(f, "rb") as src:
                    return src.read(MAX_FILE_BYTES + 1)

            parts = tuple(unicodedata.normalize("NFC", p) for p in rel.parts)
            yield _Member(parts, st.st_size, read)


def _looks_moodle(tops: list[tuple[str, ...]]) -> bool:
    """Whether a Moodle name is at the top, or just under a single top folder."""
    if any(parse_entry(parts[0]) for parts in tops if parts):
        return True
    firsts = {parts[0] for parts in tops if parts}
    return len(firsts) == 1 and any(len(p) > 1 and parse_entry(p[1]) for p in tops)


def is_moodle_download(path: Path) -> bool:
    """Whether ``path`` (a folder or a ``.zip``) is a Moodle "Download all submissions".

    Args:
      path: what ``--batch`` was given.

    Returns:
      True when one of its top-level names (or those of its single top folder, for a
      download unzipped or zipped again into a folder of its own) is named as Moodle names
      them. False for anything else, unreadable included.
    """
    path = Path(path)
    try:
        if path.is_dir():
            tops = [(p.name,) for p in path.iterdir() if not _junk((p.name,))]
            if len(tops) == 1 and (path / tops[0][0]).is_dir():
                tops += [(tops[0][0], q.name) for q in (path / tops[0][0]).iterdir()]
            return _looks_moodle(tops)
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = [_zip_name(i).replace("\\", "/") for i in zf.infolist()[:MAX_ENTRIES]]
            tops = [tuple(p for p in n.split("/") if p) for n in names]
            return _looks_moodle([t for t in tops if t and not _junk(t)])
    except (OSError, zipfile.BadZipFile):
        return False
    return False


def _strip_wrapper(members: list[_Member]) -> list[_Member]:
    """Drop a single top folder above the Moodle names (a download unzipped into a folder of
    its own, then zipped again)."""
    if any(parse_entry(m.parts[0]) for m in members):
        return members
    tops = {m.parts[0] for m in members if len(m.parts) > 1}
    if len(tops) == 1 and all(len(m.parts) > 1 for m in members):
        inner = [_Member(m.parts[1:], m.size, m.read) for m in members]
        if any(parse_entry(m.parts[0]) for m in inner):
            return inner
    return members


def read_download(path: Path, staging: Path) -> list[Participant]:
    """The participants of a Moodle download, their gradable files copied into ``staging``.

    Args:
      path: the download's ``.zip`` or the folder it was unzipped to.
      staging: an empty folder (or one this function filled before); each participant's files
        go to ``staging/<participant id>/``.

    Returns:
      One record per participant, sorted by participant id (as a number).

    Raises:
      SubmissionError: ``path`` is no Moodle download, an unreadable zip, or a zip with an
        unsafe path or a link in it.
    """
    path = Path(path)
    if path.is_dir():
        return _checked_records(path, list(_folder_members(path)), Path(staging))
    if not path.is_file():
        raise SubmissionError(f"{path} does not exist: give Moodle's download zip or its folder")
    with _open_zip(path) as zf:
        return _checked_records(path, list(_zip_members(zf, path.name)), Path(staging))


def _checked_records(path: Path, members: list[_Member], staging: Path) -> list[Participant]:
    members = _strip_wrapper(members)
    if not any(parse_entry(m.parts[0]) for m in members):
        what = "folder" if path.is_dir() else "zip"
        raise SubmissionError(
            f'{path} is not a Moodle "Download all submissions" {what}: no entry is named '
            "'Full Name_<id>_assignsubmission_file_…'. Give the zip Moodle made (or the folder "
            "it unzips to), or a folder with one sub-folder or .zip per submission"
        )
    return _records(members, staging)


def _records(members: list[_Member], staging: Path) -> list[Participant]:
    people: dict[str, Participant] = {}
    totals: dict[str, int] = {}
    written = 0
    for m in members:
        entry = parse_entry(m.parts[0])
        if entry is None:
            continue  # not a participant's: e.g. a file the instructor added
        person = people.get(entry.participant_id)
        if person is None:
            person = people[entry.participant_id] = Participant(
                entry.participant_id,
                entry.full_name,
                entry.group,
                entry.prefix,
                staging / entry.participant_id,
            )
            person.folder.mkdir(parents=True, exist_ok=True)
        if entry.plugin != FILE_PLUGIN:
            note = f"{entry.plugin.removeprefix('assignsubmission_')} submission not graded"
            if note not in person.notes:
                person.notes.append(note)
            continue
        if len(m.parts) == 1:  # flat layout: PREFIX_assignsubmission_file_FILENAME
            rel = (entry.rest,) if entry.rest else ()
        else:  # folders: PREFIX_assignsubmission_file_/path/in/the/file/area
            rel = m.parts[1:] if entry.rest == "" else ()
        if not rel or person.error:
            continue
        shown = "/".join(rel)
        if PurePosixPath(rel[-1]).suffix.lower() not in GRADABLE_SUFFIXES:
            person.notes.append(f"not graded: {shown} (not a .py file, a notebook or a .zip)")
            continue
        try:
            if len(person.files) >= MAX_FILES:
                raise SubmissionError(f"over {MAX_FILES} files; refused")
            totals[person.participant_id] = totals.get(person.participant_id, 0) + m.size
            _check_size(shown, m.size, totals[person.participant_id])
            target = person.folder.joinpath(*rel)
            if target.exists():
                raise SubmissionError(f"two files are named {shown}; keep one")
            data = m.read()
            if len(data) > MAX_FILE_BYTES:
                raise SubmissionError(f"{shown} expands beyond {MAX_FILE_BYTES} bytes; refused")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except (SubmissionError, OSError, zipfile.BadZipFile) as exc:
            person.error = str(exc)
            shutil.rmtree(person.folder, ignore_errors=True)
            person.folder.mkdir(parents=True, exist_ok=True)
            person.files.clear()
            continue
        written += len(data)
        if written > MAX_DOWNLOAD_BYTES:
            raise SubmissionError(f"the download holds over {MAX_DOWNLOAD_BYTES} bytes of files")
        person.files.append(target)
    for person in people.values():
        person.files.sort()
    return sorted(people.values(), key=lambda p: int(p.participant_id))
