"""Scaling a scenario's neighbourhood: the same sector mix at another size."""

from __future__ import annotations


def scale_counts(counts: dict[str, int], total: int) -> dict[str, int]:
    """Counts scaled to `total`, keeping the sector shares (largest remainder).

    >>> scale_counts({"residents": 40, "public": 10}, 100)
    {'residents': 80, 'public': 20}
    """
    current = sum(counts.values())
    if current == 0:
        return dict(counts)
    exact = {sector: count * total / current for sector, count in counts.items()}
    scaled = {sector: int(value) for sector, value in exact.items()}
    by_remainder = sorted(exact, key=lambda sector: scaled[sector] - exact[sector])
    for sector in by_remainder[: total - sum(scaled.values())]:
        scaled[sector] += 1
    return scaled
