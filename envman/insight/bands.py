"""The DORA performance bands (docs/metrics.md, "Bands").

Thresholds from the Accelerate State of DevOps Report 2021 (DORA, Google Cloud), made
contiguous: a figure that falls between two of the report's ranges takes the worse band.
"""

from __future__ import annotations

from enum import StrEnum

DAY = 86400.0
HOUR = 3600.0
WEEK = 7 * DAY
MONTH = 30 * DAY
HALF_YEAR = 182 * DAY


class Band(StrEnum):
    ELITE = "elite"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


def frequency_band(per_day: float) -> Band:
    """Elite: on demand (at least daily); high: at least monthly; medium: at least once in
    six months; low: less often."""
    if per_day >= 1.0:
        return Band.ELITE
    if per_day * 30 >= 1.0:
        return Band.HIGH
    if per_day * 182 >= 1.0:
        return Band.MEDIUM
    return Band.LOW


def lead_time_band(seconds: float) -> Band:
    """Elite: under an hour; high: up to a week; medium: up to six months; low: more."""
    if seconds < HOUR:
        return Band.ELITE
    if seconds <= WEEK:
        return Band.HIGH
    if seconds <= HALF_YEAR:
        return Band.MEDIUM
    return Band.LOW


def restore_band(seconds: float) -> Band:
    """Elite: under an hour; high: under a day; medium: up to a week; low: more."""
    if seconds < HOUR:
        return Band.ELITE
    if seconds < DAY:
        return Band.HIGH
    if seconds <= WEEK:
        return Band.MEDIUM
    return Band.LOW


def failure_band(rate: float) -> Band:
    """Elite: up to 15 %; high: up to 30 % (the report's 16-30 % range, which it gives to
    high, medium and low alike); low: more."""
    if rate <= 0.15:
        return Band.ELITE
    if rate <= 0.30:
        return Band.HIGH
    return Band.LOW
