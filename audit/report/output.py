"""The output folder: usable or a one-line error, one run at a time, and a report set published whole.

A DPO opens the workbook, the CSVs and the charts together, so they must
always come from the same run. Every run therefore

1. checks that ``--out`` is a folder it can create and write in
   (:func:`usable_folder`), and says so in one line naming the folder when
   it is not;
2. takes the folder's lock file ``.privacy-audit.lock`` (:func:`locked`), so
   a second run into the same folder waits a short while and then refuses,
   instead of interleaving its bytes with the first;
3. finishes or removes what an earlier, killed run left behind
   (:func:`recover`);
4. writes every file under its final name into a hidden staging folder
   ``.privacy-audit-staging-*`` inside the output folder (same file system,
   so a rename is atomic), and only when all are complete renames them into
   place (:meth:`Staging.publish`).

A run that fails or is killed before publishing leaves the previous set as
it was. Publishing is a handful of renames; a run killed in the middle of
them leaves a ``PUBLISHING`` mark in its staging folder, and the next run
completes the renames before it starts, so the folder never keeps a mix of
two runs. POSIX only (``fcntl``), like the rest of the tooling.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from audit.errors import AuditError

LOCK_NAME = ".privacy-audit.lock"
STAGING_PREFIX = ".privacy-audit-staging-"
PUBLISH_MARK = "PUBLISHING"
"""Written into a staging folder once every file in it is complete; from then on the set is rolled forward."""
LOCK_WAIT_SECONDS = 10.0
"""How long a second run waits for the first before refusing (a sample audit writes its report in a few seconds)."""
LOCK_POLL_SECONDS = 0.1


class OutputError(AuditError):
    """The output folder cannot be used: not a folder, not writable, or busy with another run."""


def _first_file_ancestor(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` that is not a folder (why ``mkdir`` said "not a directory")."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def _why(out_dir: Path, exc: OSError, doing: str) -> str:
    """One line for an OS error about the output folder, naming the folder (and the file in the way)."""
    if isinstance(exc, FileExistsError) or (out_dir.exists() and not out_dir.is_dir()):
        return f"output folder {out_dir}: is a file, not a folder"
    if isinstance(exc, NotADirectoryError) or exc.errno == errno.ENOTDIR:
        blocker = _first_file_ancestor(out_dir)
        where = f"{blocker} is a file" if blocker else "a part of the path is a file"
        return f"output folder {out_dir}: lies under a file ({where}, not a folder)"
    reason = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"output folder {out_dir}: not writable ({reason})"
    return f"output folder {out_dir}: cannot {doing} ({reason})"


@contextmanager
def folder_errors(out_dir: Path, doing: str = "be used") -> Iterator[None]:
    """Turn an ``OSError`` about the output folder into an :class:`OutputError` with one line.

    ``doing`` completes "cannot ..." for errors other than "is a file",
    "lies under a file" and "not writable" (a full disk, say).
    """
    try:
        yield
    except OSError as exc:
        raise OutputError(_why(Path(out_dir), exc, doing)) from None


def usable_folder(out_dir: Path) -> Path:
    """Create ``out_dir`` (and its parents) if needed; an :class:`OutputError` when it cannot be a folder.

    Writability is proven by the lock file :func:`locked` creates next, not
    by permission bits (which ``root`` and ACLs make meaningless).
    """
    out_dir = Path(out_dir)
    with folder_errors(out_dir):
        if out_dir.exists() and not out_dir.is_dir():
            raise FileExistsError(errno.EEXIST, "is a file", str(out_dir))
        out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir


def _open_lock(path: Path, out_dir: Path) -> int:
    with folder_errors(out_dir):
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the open lock file (the holder removes it when done)."""
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


@contextmanager
def locked(out_dir: Path, wait: float | None = None) -> Iterator[Path]:
    """Hold the output folder's lock file for the duration of a run.

    Waits up to ``wait`` seconds (default :data:`LOCK_WAIT_SECONDS`) for
    another run to finish, then refuses with an :class:`OutputError`. The
    lock is ``flock`` on ``.privacy-audit.lock``, so a killed run's lock is
    released by the kernel; the file is removed on release, and a run that
    opened a file just removed by the previous holder opens it again.
    """
    out_dir = Path(out_dir)
    path = out_dir / LOCK_NAME
    deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
    while True:
        fd = _open_lock(path, out_dir)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise OutputError(
                    f"output folder {out_dir}: another audit is writing there (lock file {LOCK_NAME}); "
                    "run again when it has finished"
                ) from None
            time.sleep(LOCK_POLL_SECONDS)
            continue
        if _same_file(fd, path):
            break
        os.close(fd)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


# ---------------------------------------------------------------- staging and publishing


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _roll_forward(staging: Path, out_dir: Path) -> list[Path]:
    """Rename every file of a complete staging folder into ``out_dir``, then remove the folder."""
    published = []
    for staged in sorted(p for p in staging.iterdir() if p.is_file() and p.name != PUBLISH_MARK):
        target = out_dir / staged.name
        os.replace(staged, target)
        published.append(target)
    _fsync(out_dir)
    shutil.rmtree(staging, ignore_errors=True)
    return published


class Staging:
    """A hidden folder inside the output folder where one run writes its files under their final names."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        with folder_errors(self.out_dir, "create a temporary folder"):
            self.path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.out_dir))
        self.names: list[str] = []

    def file(self, name: str) -> Path:
        """Where to write the report file ``name`` (a plain file name) in this run."""
        if Path(name).name != name or name in (PUBLISH_MARK, ""):
            raise ValueError(f"not a report file name: {name!r}")
        self.names.append(name)
        return self.path / name

    def final(self, staged: Path) -> Path:
        """The published path of a staged file."""
        return self.out_dir / Path(staged).name

    def publish(self) -> list[Path]:
        """Make every staged file durable, mark the set complete, and rename it into the output folder."""
        with folder_errors(self.out_dir, "publish the report"):
            for name in self.names:
                _fsync(self.path / name)
            (self.path / PUBLISH_MARK).write_bytes(b"")
            _fsync(self.path)
            return _roll_forward(self.path, self.out_dir)

    def discard(self) -> None:
        """Remove the staging folder unless publishing began (then the next run completes it)."""
        if not (self.path / PUBLISH_MARK).exists():
            shutil.rmtree(self.path, ignore_errors=True)


@contextmanager
def staged(out_dir: Path) -> Iterator[Staging]:
    """A :class:`Staging` folder that is removed if the run fails before publishing."""
    staging = Staging(out_dir)
    try:
        yield staging
    except BaseException:
        staging.discard()
        raise


def _legacy_temporaries(out_dir: Path, report_names: Iterable[str]) -> list[Path]:
    """Temporary files of older versions (``.<stem>-XXXXXXXX<suffix>`` beside each report file)."""
    found = []
    for name in report_names:
        p = Path(name)
        found += [q for q in out_dir.glob(f".{p.stem}-????????{p.suffix}") if q.is_file()]
    return found


def recover(out_dir: Path, report_names: Iterable[str] = ()) -> list[Path]:
    """Finish or remove what killed runs left in ``out_dir``; call while holding :func:`locked`.

    A staging folder marked ``PUBLISHING`` held a complete set whose renames
    were interrupted: its remaining files are renamed into place, so the
    folder holds one run's set again. Any other staging folder, and the
    hidden temporary files older versions wrote beside each report file
    (``report_names``), are removed. Returns the files published.
    """
    out_dir = Path(out_dir)
    published: list[Path] = []
    with folder_errors(out_dir, "clean up after an earlier run"):
        for staging in sorted(out_dir.glob(f"{STAGING_PREFIX}*")):
            if not staging.is_dir() or staging.is_symlink():
                continue
            if (staging / PUBLISH_MARK).is_file():
                published += _roll_forward(staging, out_dir)
            else:
                shutil.rmtree(staging, ignore_errors=True)
        for tmp in _legacy_temporaries(out_dir, report_names):
            tmp.unlink(missing_ok=True)
    return published
