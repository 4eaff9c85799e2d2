"""Drawing the sample of cases for an audit: simple random, stratified random or a manual pick.

Every draw is reproducible. The frame is treated as a set of cases (sorted by
reference before drawing, so the order of its rows does not matter), and all
randomness comes from ``random.Random(seed)``: the same frame, plan and seed always
give the same sample, which is what lets a partnership say how its sample was drawn.

Stratified allocation
    *proportional*: each group's share of ``size`` in proportion to its population,
    rounded by the largest-remainder (Hamilton) method so the sizes sum exactly to
    ``size`` (ties: larger population first, then stratum key order).
    *equal*: ``size`` split as evenly as possible; the remainder goes to the groups
    with the largest populations (ties: stratum key order). A group smaller than its
    even share gives all its cases and the rest is shared among the others.
    Then every group is raised to ``minimum_per_stratum`` (or its whole population,
    if smaller), one case at a time from the group furthest above its own minimum
    (ties: stratum key order), so the total stays exactly ``size``. No group is ever
    given more cases than it has.

Messages of :class:`SamplingError` are shown to a coordinator as they are.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from audit_tools.errors import WorkbenchError

RANDOM = "random"
STRATIFIED = "stratified"
MANUAL = "manual"
METHODS = (RANDOM, STRATIFIED, MANUAL)
PROPORTIONAL = "proportional"
EQUAL = "equal"
ALLOCATIONS = (PROPORTIONAL, EQUAL)
MAX_LISTED_STRATA = 8  # the method statement lists the groups only up to this many
MAX_LISTED_REFERENCES = 20  # error messages list at most this many references
NOT_RECORDED = "not recorded"


class SamplingError(WorkbenchError):
    """A sample cannot be drawn as asked; the message says why in plain English."""


@dataclass(frozen=True)
class FrameCase:
    """One candidate case in the sample frame: a pseudonymous reference and its attributes."""

    reference: str
    attributes: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        pairs = self.attributes.items() if isinstance(self.attributes, Mapping) else self.attributes
        normalised = tuple(sorted((str(name), str(value)) for name, value in pairs))
        names = [name for name, _ in normalised]
        if len(set(names)) != len(names):
            raise SamplingError(f"Case {self.reference} has an attribute named more than once.")
        object.__setattr__(self, "attributes", normalised)

    def attribute(self, name: str) -> str:
        """The value of the named attribute, or "" when the case does not have it."""
        for key, value in self.attributes:
            if key == name:
                return value
        return ""


@dataclass(frozen=True)
class SamplingPlan:
    method: str  # "random" | "stratified" | "manual"
    size: int = 0  # total cases wanted (random/stratified)
    strata: tuple[str, ...] = ()  # attribute names to stratify by (stratified)
    allocation: str = PROPORTIONAL  # "proportional" | "equal"
    minimum_per_stratum: int = 0
    manual_references: tuple[str, ...] = ()  # manual pick, in this order

    def __post_init__(self) -> None:
        # Lists (e.g. straight from a form) become tuples so a plan stays hashable.
        for name in ("strata", "manual_references"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class StratumResult:
    key: tuple[str, ...]  # the stratum's attribute values, in plan.strata order
    population: int
    drawn: int


@dataclass(frozen=True)
class Sample:
    plan: SamplingPlan
    seed: int
    frame_size: int
    chosen: tuple[FrameCase, ...]  # in drawing order
    strata: tuple[StratumResult, ...] = ()  # every stratum, in key order (stratified only)


# --------------------------------------------------------------------------- allocation


def stratum_of(case: FrameCase, strata: tuple[str, ...]) -> tuple[str, ...]:
    """The case's values of the stratifying attributes, in the order given ("" when missing)."""
    return tuple(case.attribute(name) for name in strata)


def allocate(
    populations: dict[tuple[str, ...], int], size: int, allocation: str, minimum: int
) -> dict[tuple[str, ...], int]:
    """How many cases to draw from each stratum; the sizes sum exactly to ``size``.

    See the module docstring for the rules. Raises :class:`SamplingError` when it
    cannot be done (unknown allocation, size out of range, minimums that need more
    than ``size`` cases).
    """
    if allocation not in ALLOCATIONS:
        raise SamplingError(f"Unknown allocation '{allocation}': choose proportional or equal.")
    if not populations:
        raise SamplingError("There are no groups to share the sample between.")
    for key, population in populations.items():
        if not _is_whole(population) or population < 0:
            raise SamplingError(f"The group {_key_label(key)} has an impossible number of cases ({population}).")
    total = sum(populations.values())
    _check_size(size, total, "groups together")
    if not _is_whole(minimum) or minimum < 0:
        raise SamplingError(f"The minimum per group must be a whole number of 0 or more; it was {minimum}.")
    keys = sorted(populations)
    floors = {key: min(minimum, populations[key]) for key in keys}
    needed = sum(floors.values())
    if needed > size:
        smaller = " (or all the cases of a smaller group)" if any(populations[k] < minimum for k in keys) else ""
        raise SamplingError(
            f"At least {_cases(minimum)} from each of the {len(keys)} groups{smaller} needs {_cases(needed)}, "
            f"but the sample size is {size}. Lower the minimum per group or draw a larger sample."
        )
    if allocation == PROPORTIONAL:
        sizes = _proportional(populations, keys, size, total)
    else:
        sizes = _equal(populations, keys, size)
    _raise_to_minimum(sizes, floors)
    return sizes


def _proportional(
    populations: Mapping[tuple[str, ...], int], keys: list[tuple[str, ...]], size: int, total: int
) -> dict[tuple[str, ...], int]:
    """Largest remainder (Hamilton), in exact integer arithmetic."""
    shares = {key: divmod(size * populations[key], total) for key in keys}
    sizes = {key: shares[key][0] for key in keys}
    left = size - sum(sizes.values())
    # ``left`` is below the number of non-zero remainders, so no group passes its population.
    for key in sorted(keys, key=lambda k: (-shares[k][1], -populations[k], k))[:left]:
        sizes[key] += 1
    return sizes


def _equal(
    populations: Mapping[tuple[str, ...], int], keys: list[tuple[str, ...]], size: int
) -> dict[tuple[str, ...], int]:
    """As even as possible; groups smaller than the even share give all their cases."""
    sizes: dict[tuple[str, ...], int] = {}
    remaining, open_keys = size, list(keys)
    while open_keys:
        share = remaining // len(open_keys)
        full = [key for key in open_keys if populations[key] <= share]
        if not full:
            for key in open_keys:
                sizes[key] = share
            extra = remaining - share * len(open_keys)
            for key in sorted(open_keys, key=lambda k: (-populations[k], k))[:extra]:
                sizes[key] += 1
            break
        for key in full:
            sizes[key] = populations[key]
            remaining -= populations[key]
        open_keys = [key for key in open_keys if key not in sizes]
    return sizes


def _raise_to_minimum(sizes: dict[tuple[str, ...], int], floors: dict[tuple[str, ...], int]) -> None:
    short = 0
    for key, floor in floors.items():
        if sizes[key] < floor:
            short += floor - sizes[key]
            sizes[key] = floor
    above = [(floors[key] - sizes[key], key) for key in sizes if sizes[key] > floors[key]]
    heapq.heapify(above)  # most above its minimum first, then key order
    while short:
        negative_surplus, key = heapq.heappop(above)
        sizes[key] -= 1
        short -= 1
        if negative_surplus + 1 < 0:
            heapq.heappush(above, (negative_surplus + 1, key))


# --------------------------------------------------------------------------- drawing


def draw_sample(frame: Sequence[FrameCase], plan: SamplingPlan, seed: int) -> Sample:
    """Draw the sample the plan asks for; the same frame, plan and seed give the same sample."""
    _check_seed(seed)
    cases = _sorted_frame(frame)
    if plan.method == RANDOM:
        _check_size(plan.size, len(cases), "sample frame")
        chosen = random.Random(seed).sample(cases, plan.size)
        return Sample(plan, seed, len(cases), tuple(chosen))
    if plan.method == STRATIFIED:
        groups = _groups(cases, plan.strata)
        _check_size(plan.size, len(cases), "sample frame")
        sizes = allocate(
            {key: len(group) for key, group in groups.items()}, plan.size, plan.allocation, plan.minimum_per_stratum
        )
        rng = random.Random(seed)
        chosen, results = [], []
        for key in sorted(groups):
            chosen.extend(rng.sample(groups[key], sizes[key]))
            results.append(StratumResult(key, len(groups[key]), sizes[key]))
        return Sample(plan, seed, len(cases), tuple(chosen), tuple(results))
    if plan.method == MANUAL:
        return Sample(plan, seed, len(cases), _manual(cases, plan.manual_references))
    raise SamplingError(f"Unknown sampling method '{plan.method}': choose random, stratified or manual.")


def draw_replacement(
    frame: Sequence[FrameCase], sample: Sample, excluded: Collection[str], seed: int, *, replacing: str | None = None
) -> FrameCase | None:
    """A case to take the place of an excluded one, or None when there is none left to take.

    ``excluded``: the references of every case excluded so far (sampled or not).
    Pass ``sample`` with earlier replacements appended to ``chosen`` so that they are
    counted and never drawn again. The replacement is not in ``sample.chosen`` and not
    excluded; for a stratified sample it comes from the same stratum as the case it
    replaces: ``replacing`` when given, otherwise the stratum now furthest short of
    its drawn number (ties: key order). For random and manual samples it comes from
    the whole frame. The choice depends only on the frame, the sample, ``seed`` and
    the excluded references.
    """
    _check_seed(seed)
    cases = _sorted_frame(frame)
    excluded = set(excluded)
    if replacing is not None:
        excluded.add(replacing)
    taken = {case.reference for case in sample.chosen} | excluded
    candidates = [case for case in cases if case.reference not in taken]
    if sample.plan.method == STRATIFIED:
        names = sample.plan.strata
        by_reference = {case.reference: case for case in cases}
        if replacing is not None:
            if replacing not in by_reference:
                raise SamplingError(f"The case {replacing} is not in the sample frame.")
            target = stratum_of(by_reference[replacing], names)
        else:
            target = _shortest_stratum(cases, sample, excluded)
        candidates = [case for case in candidates if stratum_of(case, names) == target]
    if not candidates:
        return None
    rng = random.Random(f"{seed}:{','.join(sorted(excluded))}")
    return rng.choice(candidates)


def _shortest_stratum(cases: list[FrameCase], sample: Sample, excluded: Collection[str]) -> tuple[str, ...]:
    names = sample.plan.strata
    if sample.strata:
        wanted = {result.key: result.drawn for result in sample.strata}
    else:  # a sample rebuilt without its strata: allocate again from the frame
        populations: dict[tuple[str, ...], int] = {}
        for case in cases:
            key = stratum_of(case, names)
            populations[key] = populations.get(key, 0) + 1
        wanted = allocate(populations, sample.plan.size, sample.plan.allocation, sample.plan.minimum_per_stratum)
    kept = dict.fromkeys(wanted, 0)
    for case in sample.chosen:
        if case.reference not in excluded:
            key = stratum_of(case, names)
            kept[key] = kept.get(key, 0) + 1
    short = sorted((kept[key] - wanted[key], key) for key in wanted if kept[key] < wanted[key])
    if not short:
        raise SamplingError("No group of this sample is short of cases, so there is nothing to replace.")
    return short[0][1]


def _sorted_frame(frame: Iterable[FrameCase]) -> list[FrameCase]:
    cases = sorted(frame, key=lambda case: case.reference)
    if not cases:
        raise SamplingError("The sample frame has no cases to draw from.")
    repeated = sorted({a.reference for a, b in pairwise(cases) if a.reference == b.reference})
    if repeated:
        raise SamplingError(
            f"The sample frame has more than one case with the reference {_references(repeated)}; "
            "each case must appear once."
        )
    return cases


def _groups(cases: list[FrameCase], names: tuple[str, ...]) -> dict[tuple[str, ...], list[FrameCase]]:
    if not names:
        raise SamplingError(
            "A stratified sample needs at least one attribute to stratify by, such as locality or age band."
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise SamplingError(f"The attribute {', '.join(twice)} is named more than once to stratify by.")
    known = {name for case in cases for name, _ in case.attributes}
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise SamplingError(
            f"No case in the sample frame has the attribute {', '.join(unknown)} to stratify by. "
            f"The frame's attributes are: {listed}."
        )
    groups: dict[tuple[str, ...], list[FrameCase]] = {}
    for case in cases:
        groups.setdefault(stratum_of(case, names), []).append(case)
    return groups


def _manual(cases: list[FrameCase], references: tuple[str, ...]) -> tuple[FrameCase, ...]:
    if not references:
        raise SamplingError("No references were given for a manual pick.")
    twice = sorted({reference for reference in references if references.count(reference) > 1})
    if twice:
        raise SamplingError(f"These references are named more than once: {_references(twice)}.")
    by_reference = {case.reference: case for case in cases}
    missing = [reference for reference in references if reference not in by_reference]
    if missing:
        raise SamplingError(f"These references are not in the sample frame: {_references(missing)}.")
    return tuple(by_reference[reference] for reference in references)


def _check_seed(seed: int) -> None:
    if not _is_whole(seed):
        raise SamplingError(f"The seed must be a whole number; it was {seed!r}.")


def _check_size(size: int, available: int, holder: str) -> None:
    if not _is_whole(size):
        raise SamplingError(f"The sample size must be a whole number of cases; it was {size!r}.")
    if size < 1:
        raise SamplingError(f"The sample size must be at least 1 case; it was {size}.")
    if size > available:
        raise SamplingError(
            f"The sample size ({size}) is larger than the {holder} ({_cases(available)}): "
            f"at most {available} can be drawn."
        )


def _is_whole(number: object) -> bool:
    return isinstance(number, int) and not isinstance(number, bool)


# --------------------------------------------------------------------------- wording


def method_statement(
    sample: Sample, *, population: str = "children", strata_labels: dict[str, str] | None = None
) -> str:
    """How the sample was drawn, in one sentence for the briefing's summary."""
    count = len(sample.chosen)
    drawn = f"{_cases(count)} {'was' if count == 1 else 'were'}"
    frame = f"{sample.frame_size:,} {population}"
    plan = sample.plan
    if plan.method == MANUAL:
        return f"{drawn} chosen by the PAQA sub-group from {frame}."
    if plan.method != STRATIFIED:
        return f"{drawn} drawn at random from {frame} (seed {sample.seed})."
    labels = strata_labels or {}
    by = _and([labels.get(name, name.replace("_", " ")) for name in plan.strata])
    text = f"{drawn} drawn at random from {frame}, stratified by {by} with {plan.allocation} allocation"
    if plan.minimum_per_stratum:
        text += f" (at least {plan.minimum_per_stratum} per group)"
    if len(sample.strata) > MAX_LISTED_STRATA:
        return f"{text} across {len(sample.strata)} groups (seed {sample.seed})."
    if not sample.strata:
        return f"{text} (seed {sample.seed})."
    groups = ", ".join(f"{_key_label(r.key)} {r.drawn} of {r.population:,}" for r in sample.strata)
    return f"{text} (seed {sample.seed}): {groups}."


def _key_label(key: tuple[str, ...]) -> str:
    return " / ".join(value or NOT_RECORDED for value in key)


def _and(words: list[str]) -> str:
    if not words:
        return "nothing"
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _cases(count: int) -> str:
    return f"{count:,} case" if count == 1 else f"{count:,} cases"


def _references(references: list[str]) -> str:
    shown = ", ".join(references[:MAX_LISTED_REFERENCES])
    more = len(references) - MAX_LISTED_REFERENCES
    return f"{shown} and {more} more" if more > 0 else shown
