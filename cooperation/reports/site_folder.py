"""Writing a static site into a folder, and nothing else there: what coop wrote is listed in a manifest.

A site is written into a new or empty folder, or over a site coop wrote before (its manifest,
`.coop-site`, lists the files). Files of the earlier site that the new one no longer has (an
initiative left out, say) are removed; files coop did not write are never touched, and hidden
ones (`.git`, `.nojekyll`) may sit beside a new site. A file whose text is unchanged is not
rewritten, so a site kept in git or mirrored with rsync changes only where the registry did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cooperation.errors import OutputError

MANIFEST = ".coop-site"


@dataclass(frozen=True)
class Written:
    """What writing a site changed: files written (new or changed), left as they were, and removed."""

    written: int
    unchanged: int
    removed: int


def write_site_folder(folder: Path, files: Mapping[str, str]) -> Written:
    """Write `files` (relative path -> text) into `folder`, replacing the site written there before."""
    earlier = _earlier_site(folder)
    folder.mkdir(exist_ok=True)
    written = unchanged = 0
    for relative, text in sorted(files.items()):
        target = folder / relative
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    removed = _remove(folder, earlier - set(files))
    (folder / MANIFEST).write_text(json.dumps({"format": "coop-site", "files": sorted(files)}, indent=1) + "\n")
    return Written(written, unchanged, removed)


def check_site_folder(folder: Path) -> None:
    """Refuse a folder that cannot take a site, before any work is done (OutputError saying why)."""
    _earlier_site(folder)


def _earlier_site(folder: Path) -> set[str]:
    """The files of the site already in `folder` (none for a new or empty one); refuses a folder of other files."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder: choose a folder for the site")
    if not folder.exists():
        if not folder.parent.is_dir():
            raise OutputError(f"the folder {folder.parent} does not exist: create it first, or choose another")
        return set()
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        except (ValueError, KeyError, TypeError):
            raise OutputError(
                f"{manifest} is damaged: remove the folder's site by hand, or choose a new folder"
            ) from None
        return {str(name) for name in listed if isinstance(name, str) and ".." not in Path(name).parts}
    visible = sorted(entry.name for entry in folder.iterdir() if not entry.name.startswith("."))
    if visible:
        shown = ", ".join(visible[:3]) + (", ..." if len(visible) > 3 else "")
        raise OutputError(
            f"{folder} holds files coop did not write ({shown}): choose an empty or new folder, so that nothing of "
            "yours is overwritten"
        )
    return set()


def _remove(folder: Path, stale: set[str]) -> int:
    """Remove the earlier site's files that the new one lacks, then the folders they leave empty."""
    removed = 0
    for relative in sorted(stale):
        target = folder / relative
        if target.is_file() and not target.is_symlink():
            target.unlink()
            removed += 1
            parent = target.parent
            while parent != folder and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    return removed
