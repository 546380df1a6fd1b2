"""Segment merges: a tiered size policy, and a merge that publishes like any other write.

WHY (Lucene's TieredMergePolicy, in small): every write adds a segment, and a
search visits every segment, so many small segments slow reads and keep rows
a later write replaced. A merge rewrites a few segments of similar size (or
one mostly made of tombstones) into one, dropping dead rows, and publishes a
generation that names it instead of them; nothing else changes (the records
file is hard-linked, not copied).

The heavy part runs without the writer lock, on immutable inputs, in a folder
held by its ``building.lock``; only the publish takes the lock (milliseconds),
and gives up when a write holds it or has already replaced an input: the next
merge starts again from the live generation. A kill at any point leaves the
old generation live; the orphaned segment is deleted by the next clean-up.
"""

from __future__ import annotations

import math
import os
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexBusyError
from evsearch.store import building, factory, generations, manifest as manifest_mod, publishing, segments

TIER_BASE = 8  # segments whose row counts share floor(log8(rows)) are "of similar size"
MERGE_AT = 4  # merge a tier once it holds this many segments
DEAD_FRACTION = 0.3  # rewrite a segment alone when this share of its rows are tombstones
MERGE_NICE = 10  # a background merge runs this many nice levels below the process


def plan(index_dir: Path, entries: list[dict[str, Any]], deleted: np.ndarray) -> list[dict[str, Any]]:
    """The segments to merge now (empty: none): the smallest full tier, else one mostly dead segment."""
    tiers: dict[int, list[dict[str, Any]]] = {}
    for entry in entries:
        tiers.setdefault(int(math.log(max(int(entry["rows"]), 1), TIER_BASE)), []).append(entry)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= MERGE_AT:
            return tiers[tier]
    for entry in entries:
        dead = np.isin(segments.segment_ids(index_dir, entry), deleted).sum()
        if dead and dead >= DEAD_FRACTION * int(entry["rows"]):
            return [entry]
    return []


def merge_once(index_dir: Path) -> str | None:
    """Run one merge the policy asks for; returns the published generation (None: nothing done)."""
    name = generations.read_current(index_dir)
    if name is None:
        return None
    gen_dir = index_dir / name
    pin = generations.pin(gen_dir)
    if pin is None:
        return None
    try:
        manifest = manifest_mod.read(gen_dir)
        if "segments" not in manifest:
            return None
        deleted = segments.read_deleted(gen_dir, manifest)
        inputs = plan(index_dir, manifest["segments"], deleted)
        if not inputs:
            return None
        try:
            new_segment, entry, dropped = _build(index_dir, gen_dir, manifest, inputs, deleted)
        except IndexBusyError:
            return None  # the vector backend's store is held by another process (a Milvus Lite file)
    finally:
        generations.unpin(pin)
    try:
        return _publish(index_dir, inputs, entry, dropped)
    finally:
        new_segment.release()


def _build(
    index_dir: Path, gen_dir: Path, manifest: dict[str, Any], inputs: list[dict[str, Any]], deleted: np.ndarray
) -> tuple[segments.NewSegment, dict[str, Any] | None, np.ndarray]:
    """The merged segment (its live rows only) and the tombstones it makes unnecessary."""
    store = building.gather_vectors(index_dir, inputs, deleted, int(manifest["dimension"]))
    dropped = [np.intersect1d(segments.segment_ids(index_dir, e), deleted) for e in inputs]
    sqlite = gen_dir / manifest["files"]["sqlite"]
    new_segment, entry = building.write_segment(index_dir, sqlite, store, "after-merge-segment",
                                                factory.vector_class(manifest["ann"]),
                                                manifest.get("backend_options", {}))  # fmt: skip
    if new_segment is None:  # every input row is dead: the merge only drops segments
        new_segment = segments.NewSegment.create(index_dir)
    return new_segment, entry, np.concatenate(dropped) if dropped else np.zeros(0, dtype=np.int64)


def _publish(index_dir: Path, inputs: list[dict[str, Any]], entry: dict[str, Any] | None, dropped: np.ndarray) -> str | None:
    try:
        with generations.housekeeping_lock(index_dir):
            return _swap(index_dir, inputs, entry, dropped)
    except IndexBusyError:
        return None  # a write is running: it publishes first, and the next merge starts from there


def _swap(index_dir: Path, inputs: list[dict[str, Any]], entry: dict[str, Any] | None, dropped: np.ndarray) -> str | None:
    current = generations.read_current(index_dir)
    if current is None:
        return None
    live = manifest_mod.read(index_dir / current)
    names = [e["name"] for e in live.get("segments", [])]
    gone = {e["name"] for e in inputs}
    if not gone <= set(names):
        return None  # a write changed the segment list since the merge began
    gen_dir = index_dir / generations.gen_name(generations.next_generation(index_dir))
    gen_dir.mkdir()
    (gen_dir / generations.IN_USE).touch()
    sqlite = live["files"]["sqlite"]
    try:
        os.link(index_dir / current / sqlite, gen_dir / sqlite)  # published files never change: share it
    except OSError:  # a file system without hard links
        shutil.copyfile(index_dir / current / sqlite, gen_dir / sqlite)
        generations.fsync_path(gen_dir / sqlite)
    deleted = np.setdiff1d(segments.read_deleted(index_dir / current, live), dropped)
    kept = [e for e in live["segments"] if e["name"] not in gone]
    merged = dict(live, generation=generations.gen_number(gen_dir.name),
                  segments=kept + ([entry] if entry else []), deleted=segments.write_deleted(gen_dir, deleted),
                  built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))  # fmt: skip
    manifest_mod.write(gen_dir, merged)
    generations.crash_point("before-merge-swap")
    publishing.publish(index_dir, gen_dir, merged["ann"], dict(merged.get("backend_options", {})))
    return gen_dir.name


def run(index_dir: Path, limit: int = 8) -> list[str]:
    """Merge until the policy is satisfied (at most ``limit`` merges), then delete what no
    generation needs (also what a crash left); returns the generations published."""
    done = []
    for _ in range(limit):
        published = merge_once(index_dir)
        if published is None:
            break
        done.append(published)
    tidy(index_dir)
    return done


def untidy(index_dir: Path, current: str, manifest: dict[str, Any]) -> bool:
    """True when the folder holds a generation other than ``current`` or a segment it does not name
    (one directory listing: cheap enough for every open)."""
    named = {e["name"] for e in manifest.get("segments", [])}
    for path in index_dir.iterdir():
        if (path.name.startswith("gen-") and path.name != current) or (segments.is_segment(path.name)
                                                                       and path.name not in named):  # fmt: skip
            return True
    return False


def tidy(index_dir: Path) -> None:
    """Delete unpinned retired generations and unreferenced segments, when no write is running
    (a server calls this at start through ``start_background``)."""
    try:
        with generations.housekeeping_lock(index_dir):
            current = generations.read_current(index_dir)  # under the lock: a write may have published
            if current is None:
                return
            ann = manifest_mod.read(index_dir / current)
            publishing.collect(index_dir, current, ann["ann"], dict(ann.get("backend_options", {})))
    except IndexBusyError:
        return  # the running write tidies up when it publishes


def start_background(index_dir: Path) -> threading.Thread:
    """``run`` in a daemon thread, ``MERGE_NICE`` levels below the process (Linux per-thread nice),
    so searches and the next upload keep the CPU first."""

    def work() -> None:
        tid = threading.get_native_id()
        try:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + MERGE_NICE))
        except OSError:
            pass  # not permitted here: merge at normal priority
        run(index_dir)

    thread = threading.Thread(target=work, name="evsearch-merge", daemon=True)
    thread.start()
    return thread
