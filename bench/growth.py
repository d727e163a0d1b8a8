#!/usr/bin/env python3
"""What a month adds to a packed Git repository of the ledgers, in all and by ledger file (bench/run.sh).

    growth.py snapshot REPO OUT.json        after `git gc`: the pack's size (`git count-objects -v`), and each
                                            object's bytes in the pack with the path it is stored under
    growth.py total AFTER.json BEFORE.json  the packed repository's growth in KiB between two snapshots
    growth.py files REPO BEFORE.json AFTER.json
                                            a TSV by ledger file: path, bytes the file's versions add to the pack
                                            (Git's own figure: whole or as a delta against another version, after
                                            the repacking), and the file compressed whole with zlib level 6 in the
                                            commit before and in the last one (as Git stores a blob it cannot delta)

A file's growth is what its versions take in the pack after the month less what they took before it: when Git
repacks, it may keep the newer version whole and store the older as a delta against it, so the bytes of the new
blob alone would mislead. Trees and commits are one line, `(trees and commits)`.
"""
import glob
import json
import os
import subprocess
import sys
import zlib


def git(repo, *args, text=True):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=text).stdout


def snapshot(repo, out):
    size_pack = 0
    for line in git(repo, "count-objects", "-v").splitlines():
        if line.startswith("size-pack:"):
            size_pack = int(line.split()[1])
    sizes = {}
    for idx in glob.glob(os.path.abspath(os.path.join(repo, ".git", "objects", "pack", "*.idx"))):
        for line in git(repo, "verify-pack", "-v", idx).splitlines():
            f = line.split()
            if len(f) >= 5 and f[1] in ("blob", "tree", "commit", "tag"):
                sizes[f[0]] = [f[1], int(f[3])]
    paths = {}
    for line in git(repo, "rev-list", "--objects", "--all").splitlines():
        sha, _, path = line.partition(" ")
        if path:
            paths[sha] = path
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"size_pack_kib": size_pack, "objects": sizes, "paths": paths}, f)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def by_path(snap):
    out = {}
    for sha, (kind, size) in snap["objects"].items():
        key = snap["paths"].get(sha, "(trees and commits)") if kind == "blob" else "(trees and commits)"
        out[key] = out.get(key, 0) + size
    return out


def zlib6(repo, rev, path):
    try:
        data = git(repo, "show", f"{rev}:{path}", text=False)
    except subprocess.CalledProcessError:
        return 0
    return len(zlib.compress(data, 6))


def files(repo, before, after):
    b, a = by_path(load(before)), by_path(load(after))
    rows = []
    for path in set(a) | set(b):
        grew = a.get(path, 0) - b.get(path, 0)
        if path == "(trees and commits)":
            rows.append((path, grew, "", ""))
        elif grew:
            rows.append((path, grew, zlib6(repo, "HEAD~1", path), zlib6(repo, "HEAD", path)))
    rows.sort(key=lambda r: -r[1])
    print("path\tpacked_growth_bytes\tzlib6_before\tzlib6_after")
    for r in rows:
        print("\t".join(str(x) for x in r))


def main():
    cmd, *args = sys.argv[1:]
    if cmd == "snapshot":
        snapshot(*args)
    elif cmd == "total":
        after, before = (load(p) for p in args)
        print(after["size_pack_kib"] - before["size_pack_kib"])
    elif cmd == "files":
        files(*args)
    else:
        sys.exit(__doc__)


main()
