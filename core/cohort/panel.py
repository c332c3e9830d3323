"""A clinic's panel: every diary read and flagged, the refusals named, the ratios pooled.

The per-file work is the pure ``assess_diary``; this module only fans it out (in forked
worker processes when there are many files and more than one core) and gathers the results.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor

from core.cohort.collected import Collected, DiaryFile
from core.cohort.manifest import match_manifest, read_manifest
from core.cohort.patient import assess_diary
from core.cohort.pooling import pool
from core.cohort.schema import CohortPatient, CohortReport, RefusedFile
from core.errors import InputError

PARALLEL_FROM = 64
"""Fewer files than this are read in this process: forking would cost more than it saves."""

Outcome = CohortPatient | RefusedFile


def assess_one(file: DiaryFile, k2_start: dt.date | None) -> Outcome:
    """One file's patient result, or its refusal with the reason (never an exception)."""
    try:
        return assess_diary(file.data, file.name, k2_start)
    except InputError as exc:
        return RefusedFile(file=file.name, error=exc.message)
    except Exception as exc:  # a damaged file must not stop the panel
        return RefusedFile(file=file.name, error=f"could not be read ({type(exc).__name__})")


_JOBS: list[tuple[DiaryFile, dt.date | None]] = []
"""Set in each forked worker only (by ``_hold``), never in the parent: two sessions
building panels at once cannot see each other's files."""


def _hold(jobs: list[tuple[DiaryFile, dt.date | None]]) -> None:
    global _JOBS
    _JOBS = jobs


def _assess_index(i: int) -> tuple[bool, str]:
    """(is a patient, the outcome as JSON): pydantic's JSON crosses a pipe several times
    faster than a pickled model with its weekly points."""
    outcome = assess_one(*_JOBS[i])
    return isinstance(outcome, CohortPatient), outcome.model_dump_json()


def _outcome(item: tuple[bool, str]) -> Outcome:
    patient, text = item
    return (CohortPatient if patient else RefusedFile).model_validate_json(text)


def _workers(requested: int | None, n: int) -> int:
    if requested is not None:
        return max(1, requested)
    if n < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def assess_files(
    files: Sequence[DiaryFile],
    starts: Mapping[str, dt.date | None],
    *,
    workers: int | None = None,
) -> list[Outcome]:
    """Each file's outcome, in file order; ``workers`` None picks by size and cores."""
    jobs = [(f, starts.get(f.name)) for f in files]
    count = _workers(workers, len(jobs))
    if count == 1:
        return [assess_one(f, s) for f, s in jobs]
    # This process reads the first share itself (no fork, no JSON round trip) while
    # ``count - 1`` forked workers read the rest: on two cores, two busy processes rather
    # than two workers plus a parent decoding their results. Workers get the jobs through
    # fork itself (initargs are not pickled under fork); only indices cross the pipes.
    own = len(jobs) // count
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=count - 1, mp_context=ctx, initializer=_hold, initargs=(jobs,)
    ) as pool_:
        theirs = pool_.map(_assess_index, range(own, len(jobs)), chunksize=16)
        mine = [assess_one(f, s) for f, s in jobs[:own]]
        return mine + [_outcome(r) for r in theirs]


def k2_starts(collected: Collected, manifest: DiaryFile | None = None) -> dict[str, dt.date | None]:
    """File -> K2 start from the manifest (given, or found among the files); empty if none."""
    if manifest is not None and collected.manifest is not None:
        raise InputError(f"two manifests ({collected.manifest.name} and {manifest.name}); keep one")
    source = manifest or collected.manifest
    if source is None:
        return {}
    rows = read_manifest(source.data, source.name)
    return {
        name: start
        for name, start in match_manifest(rows, collected.names(), source.name).items()
        if start is not None
    }


def build_report(
    collected: Collected, manifest: DiaryFile | None = None, *, workers: int | None = None
) -> CohortReport:
    """The panel's report: patients with flags, every refused file, the pooled estimate."""
    starts = k2_starts(collected, manifest)
    outcomes = assess_files(collected.files, starts, workers=workers)
    patients = [o for o in outcomes if isinstance(o, CohortPatient)]
    refused = list(collected.refused) + [o for o in outcomes if isinstance(o, RefusedFile)]
    return CohortReport(patients=patients, refused=refused, pooled=pool(patients))
