"""The one guard for every file a command writes (`report -o`, `--presenter`, `--pdf`, `market --csv`,
`bench export --csv/--json`, `bench --json-out`, the measurement kept when the results database fails).

A command names its outputs (option -> path) and what it reads; `plan_outputs` refuses, before any work is
done and with one `UserError` line naming the option, the path and why:

- one of the command's own inputs (the scenario and every file it `extends:`, a model file, ...),
- the results database or one of its side files (``-wal``, ``-shm``, ``-journal``),
- something that is not a regular file (a folder, a device such as /dev/full or /dev/stdout, a FIFO, a socket),
- the same file as another output of the same command,
- a name the file system cannot hold (too long, a missing or unwritable folder).

Paths are compared by identity (`os.path.samefile` for existing files, so hard links and symlinks count,
and the resolved path otherwise). ``-`` is standard output for every option. A regular file is written
atomically: a temporary file in the same folder, renamed over the target, so a failure leaves the old file
or none, never half of one, and the rename never replaces a device or a folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from artcost.errors import UserError

STDOUT = "-"
#: SQLite's side files of a database: WAL, shared memory, rollback journal.
DATABASE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def is_stdout(path: str | os.PathLike | None) -> bool:
    """Whether an output option was given as '-' (standard output)."""
    return path is not None and os.fspath(path) == STDOUT


@dataclass(frozen=True)
class Protected:
    """A file a command must not write over, and what it is ('the scenario file this command reads')."""

    path: Path
    what: str
    whole_folder: bool = False  # a folder input (a diffusers model): nothing inside it is written either


def database_files(db: str | os.PathLike) -> list[Protected]:
    """The results database and its side files, as `Protected` entries."""
    return [Protected(Path(f"{os.fspath(db)}{s}"), "the results database" if not s else f"the results database's {s[1:]} file")
            for s in DATABASE_SIDE_FILES]


def inputs(paths: Iterable[str | os.PathLike | None], what: str) -> list[Protected]:
    """`Protected` entries for input files (None and '-' skipped); an input that is a folder covers its files."""
    return [Protected(Path(p), what, os.path.isdir(p)) for p in paths if p is not None and not is_stdout(p)]


def _same(a: Path, b: Path) -> bool:
    """Whether `a` and `b` name the same file: one inode (hard links, symlinks), or the same resolved path
    where either does not exist yet."""
    try:
        if os.path.samefile(a, b):
            return True
    except (OSError, ValueError):
        pass
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def file_kind(mode: int) -> str | None:
    """What a file that is not a regular one is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder; give a file name"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file (use '-' for standard output)"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file (use '-' for standard output)"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long for the file system"
    return (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)


#: Folders of the kernel's files: devices, and /proc/self/fd/N behind /dev/stdout. A rename there would put a
#: regular file in place of a device node or a process's link (as root it succeeds), so nothing goes there.
SYSTEM_FOLDERS = ("/dev", "/proc", "/sys")


def _link_chain(path: Path) -> list[str]:
    """`path` (absolute) and every path its symbolic links lead to, one hop at a time (at most 40)."""
    hops = [os.path.abspath(path)]
    for _ in range(40):
        try:
            target = os.readlink(hops[-1])
        except OSError:
            break
        hops.append(os.path.normpath(os.path.join(os.path.dirname(hops[-1]), target)))
    return hops + [os.path.realpath(path)]


SHARED_MEMORY = "/dev/shm/"  # a tmpfs of regular files: allowed


def _in_system_folder(path: Path) -> bool:
    return any((h == f or h.startswith(f + "/")) and not h.startswith(SHARED_MEMORY)
               for h in _link_chain(path) for f in SYSTEM_FOLDERS)


def _why_not(path: Path) -> str | None:
    """Why `path` cannot be written as a regular file (None: it can), without creating anything."""
    text = os.fspath(path)
    if not text.strip():
        return "is an empty name; give a file name"
    if "\0" in text:
        return "holds a NUL character: not a possible file name"
    try:
        if _in_system_folder(path):
            return ("is a device or a process's file (under /dev, /proc or /sys), not a regular file "
                    "(use '-' for standard output)")
    except (OSError, ValueError) as exc:
        return _os_reason(exc) if isinstance(exc, OSError) else str(exc)
    try:
        st = os.stat(path)  # follows symlinks: /dev/stdout -> /proc/self/fd/1 -> a pipe or a terminal
    except FileNotFoundError:
        st = None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            return "a part of the path above it is a file, not a folder"
        return _os_reason(exc)
    if st is None and os.path.islink(path):
        return "is a symbolic link to nothing; give a file name"
    if st is not None:
        kind = file_kind(st.st_mode)
        if kind:
            return kind
    folder = path.parent
    if len(path.name.encode("utf-8", "surrogateescape")) > _name_max(folder if folder.is_dir() else Path(".")):
        return f"the name is too long for the file system ({len(path.name)} characters)"
    if not folder.exists():
        return f"no folder {folder}"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    if st is not None and not os.access(path, os.W_OK):
        return "the file is read-only"
    return None


@dataclass(frozen=True)
class Output:
    """One checked output: the option that named it and its path (None: standard output)."""

    flag: str
    path: Path | None

    @property
    def to_stdout(self) -> bool:
        return self.path is None

    def shown(self) -> str:
        return "standard output" if self.path is None else str(self.path)


@dataclass
class OutputPlan:
    """The outputs of one command, checked together (`plan_outputs`); write them with `write_text`/`write_bytes`."""

    outputs: dict[str, Output]
    protected: list[Protected] = field(default_factory=list)

    def __getitem__(self, flag: str) -> Output:
        return self.outputs[flag]

    @property
    def any_stdout(self) -> bool:
        return any(o.to_stdout for o in self.outputs.values())

    def write_text(self, flag: str, text: str, encoding: str = "utf-8") -> Output:
        return self.write_bytes(flag, text.encode(encoding))

    def write_bytes(self, flag: str, data: bytes) -> Output:
        return write_output(self.outputs[flag], data, self.protected)


def check_target(flag: str, path: Path | None, protected: Iterable[Protected] = ()) -> None:
    """One output's own checks (not its clash with the command's other outputs); `UserError` naming flag and path."""
    if path is None:
        return
    for p in protected:
        if _same(path, p.path):
            raise UserError(f"{flag} {path}: is {p.what} ({p.path}); writing it would destroy it: give another file name")
        if p.whole_folder and os.path.realpath(path).startswith(os.path.realpath(p.path).rstrip("/") + "/"):
            raise UserError(f"{flag} {path}: is inside {p.what} ({p.path}); writing there could destroy it: "
                            "give a file name outside it")
    why = _why_not(path)
    if why:
        raise UserError(f"{flag} {path}: cannot write it: {why}")


def plan_outputs(outputs: Mapping[str, str | os.PathLike | None], protected: Iterable[Protected] = (),
                 stdout_taken: str | None = None) -> OutputPlan:
    """Check every output of a command before it works; None entries (not asked) are left out.

    `outputs`: option (as the user typed it, e.g. '-o') -> path ('-' for standard output). `protected`: the
    command's inputs and the results database (`inputs`, `database_files`). `stdout_taken`: what else of the
    command prints on standard output (e.g. '--json'), so a '-' output would mix with it.
    Nothing is created or written here.
    """
    protected = list(protected)
    checked: dict[str, Output] = {}
    stdout_by = stdout_taken
    for flag, given in outputs.items():
        if given is None:
            continue
        if is_stdout(given):
            if stdout_by is not None:
                raise UserError(f"{flag} -: standard output is already taken by {stdout_by}; give {flag} a file name")
            stdout_by = f"{flag} -"
            checked[flag] = Output(flag, None)
            continue
        path = Path(given)
        check_target(flag, path, protected)
        for other in checked.values():
            if other.path is not None and _same(path, other.path):
                raise UserError(f"{flag} {path}: is the same file as {other.flag} {other.path}; give each its own file name")
        checked[flag] = Output(flag, path)
    return OutputPlan(checked, protected)


def _new_file_mode(existing: Path) -> int:
    """The mode the written file gets: the replaced file's, else what `open` would give (0666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(existing).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextlib.contextmanager
def atomic_path(out: Output) -> Iterator[Path]:
    """A temporary path in the target's folder; renamed over the target when the block ends without error,
    removed otherwise. A short temporary name, so a target name near the file system's limit still works."""
    assert out.path is not None
    target = Path(os.path.realpath(out.path))  # through a symbolic link: its file is replaced, the link kept
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".artcost-", suffix=".part", dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise UserError(f"{out.flag} {target}: cannot write it: {_os_reason(exc)}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, _new_file_mode(target))
        os.replace(tmp, target)
    except OSError as exc:
        raise UserError(f"{out.flag} {target}: cannot write it: {_os_reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


@contextlib.contextmanager
def open_output(out: Output) -> Iterator[IO[bytes]]:
    """A binary stream for `out`: standard output, or a temporary file renamed over the target at the end."""
    if out.path is None:
        stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
        if stream is None:  # a text-only stdout (a test's capture): decode back
            class _Text:
                def write(self, b: bytes) -> int:
                    return sys.stdout.write(b.decode("utf-8"))
            yield _Text()  # type: ignore[misc]
        else:
            sys.stdout.flush()
            yield stream
            stream.flush()
        return
    with atomic_path(out) as tmp:
        try:
            with open(tmp, "wb") as f:
                yield f
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise UserError(f"{out.flag} {out.path}: cannot write it: {_os_reason(exc)}") from None


def write_output(out: Output, data: bytes, protected: Iterable[Protected] = ()) -> Output:
    """`data` into one checked output (checked again now: the file system may have changed since the plan)."""
    check_target(out.flag, out.path, protected)
    with open_output(out) as f:
        f.write(data)
    return out


def write_text(flag: str, path: str | os.PathLike, text: str, protected: Iterable[Protected] = ()) -> Output:
    """One checked, atomic text write (a command with a single output): `plan_outputs` then write."""
    return plan_outputs({flag: path}, protected).write_text(flag, text)


def results_database() -> list[Protected]:
    """The user's results database (`artcost.paths.results_db_path`) and its side files; nothing is created."""
    from artcost.paths import results_db_path

    return database_files(results_db_path(create=False))
