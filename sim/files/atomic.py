"""Writing files and folders so that they are either absent or complete: written under
a temporary name (starting with TMP) in the same folder, flushed to disk, renamed into
place. What a killed write leaves behind carries the TMP prefix, so it is recognised
and removed the next time (``clean_leftovers``), and nothing else ever is."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

TMP = ".orgsim-tmp-"  # every temporary file or folder orgsim makes starts so


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write one file: a temporary file in the same folder, flushed, renamed over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP}{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; results are for sharing
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_folder(target: Path, files: dict[str, bytes]) -> None:
    """Make folder ``target`` holding ``files``, as a whole: written in a temporary
    folder beside it, each file flushed, the folder renamed into place. An older
    ``target`` is swapped with the new one in one step where the system can (so a kill
    leaves the old folder or the new one, never neither), and then removed."""
    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP}{target.name}.", dir=parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        for name, data in files.items():
            with open(tmp / name, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        fsync_dir(tmp)
        if target.exists() and exchange(tmp, target):
            fsync_dir(parent)  # target is the new folder; tmp holds the old one
        else:
            old = None
            if target.exists():  # no atomic exchange here: the old one aside, then the new in
                old = Path(tempfile.mkdtemp(prefix=f"{TMP}old.{target.name}.", dir=parent))
                os.replace(target, old / target.name)
            os.replace(tmp, target)
            fsync_dir(parent)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the
    system or the file system cannot."""
    try:
        import ctypes
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    return renameat2(AT_FDCWD, os.fsencode(str(a)), AT_FDCWD, os.fsencode(str(b)), RENAME_EXCHANGE) == 0


RANDOM = 8  # characters tempfile adds to a temporary name


def clean_leftovers(folder: Path, prefix: str = TMP, exact: bool = False) -> None:
    """Remove what a killed write left in ``folder``: only entries named ``prefix``...
    (``exact``: ``prefix`` and tempfile's random part, nothing more)."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        rest = entry.name[len(prefix):]
        if entry.name.startswith(prefix) and (not exact or (len(rest) == RANDOM and "." not in rest)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
