"""Spike detection on daily counts: an expected count from the history and a negative-binomial
tail probability with a CUSUM on standardised residuals. Pure (numpy and scipy, no Django), so
the synthetic benchmark runs it in memory on two years × thousands of cells.

The expected count of day ``t`` (``baseline``) uses only days before ``t - guard`` (the guard
band keeps a spike that started a few days ago out of its own baseline, as in Farrington's
method), so nothing after the moment of the scan is ever read:

* **day type** — each day belongs to a group: Monday … Sunday on ordinary days, an official
  holiday (放假, a weekday off) or a make-up working day (调休上班, a weekend worked); the
  group's factor is its mean over the last ``factor_days`` relative to the overall mean,
  shrunk towards 1 by ``factor_prior`` pseudo-days;
* **level and trend** — the mean of the last ``level_days`` divided by their factors; the
  change against the ``level_days`` before that gives a slope, extrapolated (damped by
  ``trend_damp``) from the middle of the window to ``t`` and clipped to ½–2× the level;
* **season** — where a year of history exists, last year's ``season_half_width``·2+1 days
  around ``t - 364`` against last year's level at the same lag: the ratio (shrunk by
  ``season_prior`` appeals, clipped to ⅓–3) carries the heating season or the school start
  from last year into this one.

``mu = level × trend × season × factor(group of t)``. The spread is a negative binomial with
``Var = mu + mu²/size``; ``1/size`` is estimated by the method of moments from the residuals of
the one-step baseline over the last ``dispersion_days`` (again before the guard band).

A day alarms when ``P(X ≥ observed | NB(mu, size)) < alpha`` (one day far out) or the CUSUM
``C_t = max(0, C_{t-1} + z_t - k)`` of the standardised residuals ``z = (x - mu)/sd`` passes
``h`` (several days moderately up), and in both cases the count is at least ``min_count`` and
``min_ratio`` × expected (a significant but tiny excess is nobody's business). Within a day
the observed count so far is compared with ``mu × share`` of the day elapsed (thinning a
negative binomial keeps its size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import betainc, ndtri

HOLIDAY, MAKEUP = 7, 8
GROUPS = 9


def day_group(weekday: int, working: bool) -> int:
    """0–6 Monday–Sunday on ordinary days; ``HOLIDAY`` for a weekday off, ``MAKEUP`` for a
    weekend worked (the calendar's holidays and make-up days)."""
    if weekday < 5 and not working:
        return HOLIDAY
    if weekday >= 5 and working:
        return MAKEUP
    return weekday


@dataclass(frozen=True)
class Params:
    guard: int = 7
    level_days: int = 28
    factor_days: int = 364
    factor_prior: float = 4.0
    trend_damp: float = 0.5
    season_half_width: int = 7
    season_prior: float = 10.0
    dispersion_days: int = 56
    alpha: float = 1e-4
    cusum_k: float = 1.0
    cusum_h: float = 6.0
    min_count: int = 5
    min_ratio: float = 1.4
    floor: float = 0.2  # the least expected count (a quiet cell still has some chance)


def _window_sum(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """sum(values[lo:hi]) for each pair, via a cumulative sum (indices clipped to the series)."""
    c = np.concatenate([[0.0], np.cumsum(values, dtype=float)])
    n = len(values)
    return c[np.clip(hi, 0, n)] - c[np.clip(lo, 0, n)]


@dataclass
class Baseline:
    mu: np.ndarray
    size: np.ndarray
    level: np.ndarray
    season: np.ndarray


def _level(x: np.ndarray, groups: np.ndarray, fac: np.ndarray, end: np.ndarray, days: int) -> np.ndarray:
    """Deseasonalised mean over ``[end - days, end)``: counts over the sum of their day factors."""
    lo = end - days
    s = _window_sum(x, lo, end)
    weight = np.zeros(len(end))
    for g in range(GROUPS):
        weight += fac[:, g] * _window_sum((groups == g).astype(float), lo, end)
    return np.where(weight > 0, s / np.maximum(weight, 1e-9), 0.0)


def _factors(x: np.ndarray, groups: np.ndarray, end: np.ndarray, p: Params) -> np.ndarray:
    lo = end - p.factor_days
    total = _window_sum(x, lo, end)
    days = np.maximum(_window_sum(np.ones(len(x)), lo, end), 1)
    mean = total / days
    fac = np.ones((len(end), GROUPS))
    for g in range(GROUPS):
        mask = (groups == g).astype(float)
        sg, ng = _window_sum(x * mask, lo, end), _window_sum(mask, lo, end)
        est = (sg + p.factor_prior * mean) / (ng + p.factor_prior)
        fac[:, g] = np.where(mean > 0, est / np.maximum(mean, 1e-9), 1.0)
    return fac


def _expected(x: np.ndarray, groups: np.ndarray, p: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(x)
    t = np.arange(n)
    end = t - p.guard  # days before t - guard are the history day t is judged against
    fac = _factors(x, groups, end, p)
    level = _level(x, groups, fac, end, p.level_days)
    before = _level(x, groups, fac, end - p.level_days, p.level_days)
    slope = np.where(before > 0, (level - before) / p.level_days, 0.0)
    ahead = p.guard + p.level_days / 2
    trended = np.clip(level + p.trend_damp * slope * ahead, 0.5 * level, 2.0 * level)
    # Season: last year's same weeks against last year's level at the same lag.
    season = np.ones(n)
    year = 364
    known = t - year + p.season_half_width < end  # last year's window lies in the known past
    has_year = (t - year - p.level_days - p.guard - p.factor_days // 4 >= 0) & known
    if has_year.any():
        lo, hi = t - year - p.season_half_width, t - year + p.season_half_width + 1
        observed = _window_sum(x, lo, hi)
        weight = np.zeros(n)
        for g in range(GROUPS):
            weight += fac[:, g] * _window_sum((groups == g).astype(float), lo, hi)
        last_level = level[np.clip(t - year, 0, n - 1)]
        expected_then = last_level * weight
        ratio = (observed + p.season_prior) / (expected_then + p.season_prior)
        season = np.where(has_year, np.clip(ratio, 1 / 3, 3.0), 1.0)
    mu = trended * season * fac[t, groups]
    mu = np.maximum(mu, p.floor)
    return mu, level, season


def baseline(counts, groups, p: Params | None = None) -> Baseline:
    """Expected count and negative-binomial size for every day of ``counts`` (see the module)."""
    p = p or Params()
    x = np.asarray(counts, dtype=float)
    g = np.asarray(groups, dtype=int)
    mu, level, season = _expected(x, g, p)
    n = len(x)
    t = np.arange(n)
    end = t - p.guard
    # Method of moments on the one-step residuals: E[(x-m)² - m] = m²/size.
    a = (x - mu) ** 2 - mu
    b = mu**2
    sa, sb = _window_sum(a, end - p.dispersion_days, end), _window_sum(b, end - p.dispersion_days, end)
    inv = np.where(sb > 0, sa / np.maximum(sb, 1e-9), 0.0)
    inv = np.clip(inv, 1e-3, 2.0)  # from nearly Poisson to very overdispersed
    return Baseline(mu=mu, size=1.0 / inv, level=level, season=season)


def nb_sf(x, mu, size) -> np.ndarray:
    """P(X ≥ x) for X ~ NB with mean ``mu`` and size ``size`` (I_{1-p}(x, size), p = size/(size+mu))."""
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu, dtype=float)
    size = np.asarray(size, dtype=float)
    q = mu / (size + mu)
    out = betainc(np.maximum(x, 1e-12), size, q)
    return np.where(x <= 0, 1.0, out)


def sd_of(mu, size) -> np.ndarray:
    mu = np.asarray(mu, dtype=float)
    return np.sqrt(mu + mu**2 / np.asarray(size, dtype=float))


def residual(x, mu, size) -> np.ndarray:
    """Standardised residual through the distribution itself: the normal quantile of the
    mid-p upper tail, so a count of 5 where 1 is expected weighs what it is worth (a plain
    (x - mu)/sd overstates small counts), clipped to ±6."""
    x = np.asarray(x, dtype=float)
    upper = nb_sf(x, mu, size)
    above = nb_sf(x + 1, mu, size)
    mid = np.clip(0.5 * (upper + above), 1e-300, 1 - 1e-16)
    return np.clip(-ndtri(mid), -6.0, 6.0)


def cusum(z, k: float, h: float | None = None) -> np.ndarray:
    """Page's CUSUM ``C_t = max(0, C_{t-1} + z_t - k)``; with ``h``, held at most at ``h`` after
    it passes (so a long rise does not build up a sum that takes weeks to drain: once the count
    is back to normal it falls under ``h`` on the next day)."""
    c = np.zeros(len(z))
    run = 0.0
    for i, v in enumerate(z):
        run = max(0.0, run + float(v) - k)
        c[i] = run
        if h is not None and run > h:
            run = h
    return c


@dataclass
class Evaluation:
    observed: np.ndarray
    expected: np.ndarray
    size: np.ndarray
    p: np.ndarray
    z: np.ndarray
    cusum: np.ndarray
    alarm: np.ndarray

    def score(self, i: int) -> float:
        """-log10 of the tail probability of day ``i`` (capped at 300)."""
        return score_of(float(self.p[i]))


def evaluate(counts, groups, p: Params | None = None, *, last_share: float = 1.0) -> Evaluation:
    """Every day of ``counts`` judged against its baseline; the last day may be partial (the
    share ``last_share`` of a day's appeals usually in by now)."""
    p = p or Params()
    x = np.asarray(counts, dtype=float)
    base = baseline(x, groups, p)
    mu = base.mu.copy()
    if len(mu) and last_share < 1.0:
        mu[-1] = max(mu[-1] * max(last_share, 1e-3), 1e-3)
    prob = nb_sf(x, mu, base.size)
    z = residual(x, mu, base.size)
    c = cusum(z, p.cusum_k, p.cusum_h)
    big = (x >= p.min_count) & (x >= p.min_ratio * mu)
    alarm = big & ((prob < p.alpha) | (c > p.cusum_h))
    return Evaluation(observed=x, expected=mu, size=base.size, p=prob, z=z, cusum=c, alarm=alarm)


def runs(alarm) -> list[tuple[int, int]]:
    """The alarmed stretches as ``(first, last)`` day indices: one spike each."""
    out, start = [], None
    for i, a in enumerate(alarm):
        if a and start is None:
            start = i
        elif not a and start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(alarm) - 1))
    return out


def hour_shares(hour_counts) -> np.ndarray:
    """Cumulative share of a day's appeals in by the end of each hour (24 values, the last 1),
    from counts by hour of day; a flat day without history."""
    h = np.asarray(hour_counts, dtype=float)
    if h.sum() <= 0:
        h = np.ones(24)
    share = np.cumsum(h) / h.sum()
    share[-1] = 1.0
    return share


def hour_alarm(observed: float, day_expected: float, size: float, hour_share: float,
               p: Params | None = None) -> tuple[bool, float, float]:
    """The city's current hour: ``(alarm, expected, tail probability)`` with the hour's share of
    the day's expected count."""
    p = p or Params()
    mu = max(day_expected * hour_share, 1e-3)
    prob = float(nb_sf(observed, mu, size))
    alarm = observed >= p.min_count and observed >= p.min_ratio * mu and prob < p.alpha
    return bool(alarm), mu, prob


def spike_state(alarm_now: bool, t: int, last_alarm: int | None) -> str | None:
    """What a scan on day ``t`` does with a cell: ``"alarm"`` (raise or update its warning),
    ``"keep"`` (an open spike that alarmed yesterday or earlier today: it may go on), ``"end"``
    (an open spike whose last alarm, day ``last_alarm``, is before yesterday) or ``None``
    (nothing open, nothing now). Ending only on whole days keeps a spike from closing and
    opening again within one day as the day's expected share grows."""
    if alarm_now:
        return "alarm"
    if last_alarm is None:
        return None
    return "keep" if last_alarm >= t - 1 else "end"


def score_of(p: float) -> float:
    """A warning's score: -log10 of its tail probability ``p``, capped at 300."""
    return round(min(300.0, -math.log10(max(p, 1e-300))), 2)
