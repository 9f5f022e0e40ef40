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

A day alarms when either

* ``P(X ≥ observed | NB(mu, size)) < alpha`` with the count at least ``min_count`` and
  ``min_ratio`` × expected (one day far out), or
* the negative-binomial CUSUM passes ``cusum_h`` (several days moderately up) with at least
  ``min_run`` appeals in its current run. This is the likelihood-ratio CUSUM of surveillance
  (Watkins et al. 2008): ``C_t = max(0, C_{t-1} + log f(x_t; shift·mu_t)/f(x_t; mu_t))`` with
  ``f`` the NB density of the day's size, tuned to detect a rise to ``cusum_shift`` × expected;
  its increments weigh a count by what it is worth at that expected level, so a sparse cell
  adds up evidence over days instead of needing five appeals on one. ``cusum_kind="z"`` is the
  earlier scheme (Page's CUSUM of the standardised residuals with allowance ``cusum_k``), kept for
  comparison in ``bench/warnings_synthetic.py``.

Within a day the observed count so far is compared with ``mu × share`` of the day elapsed
(thinning a negative binomial keeps its size). The defaults were chosen on synthetic tuning
seeds and reported on others (docs/benchmarks.md, "Early warning").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

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
    cusum_kind: str = "z"  # "z": residuals (allowance cusum_k); "nb": likelihood ratio for cusum_shift × mu
    cusum_shift: float = 2.0
    cusum_k: float = 1.0  # allowance of the "z" scheme
    cusum_h: float = 4.0
    min_run: int = 3  # the least appeals in a CUSUM run that alarms
    min_count: int = 5  # the single-day tail test: at least this many …
    min_ratio: float = 1.4  # … and this many times expected
    floor: float = 0.2  # the least expected count (a quiet cell still has some chance)
    method: str = "glm"  # "glm": the regression baseline (``glm_baseline``); "windows": the first one
    glm_days: int = 728  # the most days of history a fit reads (before the guard band)
    glm_min_days: int = 56  # fewer days: the window baseline
    glm_season_days: int = 300  # the yearly harmonic only with this much history
    glm_refit: int = 7  # refit every this many days (day index multiple); days in between extrapolate
    glm_reweight: float = 2.58  # past days above this residual weigh less (Farrington's outbreak reweighting)

    @classmethod
    def legacy(cls) -> Params:
        """The first detector (standardised-residual CUSUM k = 1, h = 6, both tests gated by
        ``min_count`` and ``min_ratio``), for comparison."""
        return cls(cusum_kind="z", cusum_k=1.0, cusum_h=6.0, min_run=0, method="windows")


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


def baseline(counts, groups, p: Params | None = None, *, from_day: int = 0) -> Baseline:
    """Expected count and negative-binomial size for every day of ``counts`` (see the module);
    with the regression baseline, days before ``from_day`` keep the window baseline (saves fits
    nobody reads). ``counts`` may be a stack of series (rows) for ``method="glm"``."""
    p = p or Params()
    x = np.asarray(counts, dtype=float)
    g = np.asarray(groups, dtype=int)
    if p.method == "glm":
        return glm_baseline(x, g, p, from_day=from_day)
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


def _design(t: np.ndarray, groups: np.ndarray, origin: int, season: bool) -> np.ndarray:
    """Columns: intercept, trend (per year, from ``origin``), the yearly harmonic (sin, cos) when
    ``season``, and the day groups 1–8 against Monday."""
    cols = [np.ones(len(t)), (t - origin) / 365.0]
    if season:
        w = 2 * math.pi * t / 365.25
        cols += [np.sin(w), np.cos(w)]
    cols += [(groups[t] == k).astype(float) for k in range(1, GROUPS)]
    return np.stack(cols, axis=1)


def _irls(y: np.ndarray, X: np.ndarray, w: np.ndarray, beta: np.ndarray, iterations: int) -> np.ndarray:
    """Weighted Poisson regression (log link) of each row of ``y`` on ``X`` by iteratively
    reweighted least squares, from ``beta``; a small ridge keeps empty rows and rare day groups
    finite."""
    k = X.shape[1]
    ridge = 1e-4 * np.eye(k)
    outer = (X[:, :, None] * X[:, None, :]).reshape(len(X), k * k)  # X'WX of every row in one product
    for _ in range(iterations):
        eta = np.clip(beta @ X.T, -12.0, 12.0)
        mu = np.exp(eta)
        ww = w * mu
        a = (ww @ outer).reshape(-1, k, k) + ridge
        b = (ww * eta + w * (y - mu)) @ X  # W z with z = eta + (y - mu) / mu
        beta = np.linalg.solve(a, b[:, :, None])[:, :, 0]
    return beta


def glm_baseline(x: np.ndarray, groups: np.ndarray, p: Params, *, from_day: int = 0) -> Baseline:
    """The regression baseline, in the spirit of Farrington's flexible method (Noufaily et al.
    2013): for day ``t``, a Poisson log-linear regression on the history before ``t - guard``
    (at most ``glm_days``) with a trend, the yearly harmonic (with ``glm_season_days`` of history)
    and the day groups (weekdays, holidays, make-up days); refitted every ``glm_refit`` days (so
    a day's fit ends at least ``guard`` days before it) with a second fit in which past days far
    above the first (Pearson residual over ``glm_reweight``, on a quasi-Poisson scale) weigh
    ``(glm_reweight / r)²`` — an old outbreak does not raise the expected level. The NB size is
    the method of moments on the fit's weighted residuals. Pooling the whole history makes the
    expected count of a sparse cell far steadier than a 28-day mean (docs/benchmarks.md).
    Rows of a stack are fitted together (same days, same design)."""
    one = x.ndim == 1
    xs = np.atleast_2d(x).astype(float)
    c, n = xs.shape
    windows = [baseline(row, groups, replace(p, method="windows")) for row in xs]
    mu = np.stack([b.mu for b in windows])
    inv = np.stack([1.0 / b.size for b in windows])
    t_all = np.arange(n)
    beta = None
    season_on = None
    for s in range((max(from_day, 0) // p.glm_refit) * p.glm_refit, n, p.glm_refit):
        end = s - p.guard
        lo = max(0, end - p.glm_days)
        if end - lo < p.glm_min_days:
            continue
        season = end - lo >= p.glm_season_days
        t = np.arange(lo, end)
        X = _design(t, groups, end, season)
        y = xs[:, lo:end]
        if beta is None or season != season_on:
            beta = np.zeros((c, X.shape[1]))
            beta[:, 0] = np.log(np.maximum(y.mean(axis=1), 0.05))
            beta = _irls(y, X, np.ones_like(y), beta, 8)
        else:
            beta = _irls(y, X, np.ones_like(y), beta, 3)
        season_on = season
        fit = np.exp(np.clip(beta @ X.T, -12.0, 12.0))
        k = X.shape[1]
        phi = np.maximum(1.0, ((y - fit) ** 2 / fit).sum(axis=1) / max(end - lo - k, 1))
        r = (y - fit) / np.sqrt(phi[:, None] * fit)
        w = np.where(r > p.glm_reweight, (p.glm_reweight / np.maximum(r, 1e-9)) ** 2, 1.0)
        rb = _irls(y, X, w, beta, 3)
        fit = np.exp(np.clip(rb @ X.T, -12.0, 12.0))
        days = t_all[s:min(n, s + p.glm_refit)]
        mu[:, days] = np.exp(np.clip(rb @ _design(days, groups, end, season).T, -12.0, 12.0))
        recent = slice(max(0, end - lo - p.dispersion_days * 4), end - lo)  # the last months of the fit
        a = (w * ((y - fit) ** 2 - fit))[:, recent].sum(axis=1)
        b = (w * fit**2)[:, recent].sum(axis=1)
        inv[:, days] = np.clip(np.where(b > 0, a / np.maximum(b, 1e-9), 0.0), 1e-3, 2.0)[:, None]
    mu = np.maximum(mu, p.floor)
    size = 1.0 / inv
    if one:
        return Baseline(mu=mu[0], size=size[0], level=windows[0].level, season=windows[0].season)
    return Baseline(mu=mu, size=size, level=np.stack([b.level for b in windows]),
                    season=np.stack([b.season for b in windows]))


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


def nb_llr(x, mu, size, shift: float) -> np.ndarray:
    """log f(x; shift·mu) − log f(x; mu) for the NB density of size ``size``: the CUSUM's
    increment for a rise to ``shift`` × expected."""
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu, dtype=float)
    size = np.asarray(size, dtype=float)
    return x * math.log(shift) + (x + size) * np.log((size + mu) / (size + shift * mu))


def nb_cusum(x, mu, size, shift: float, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The likelihood-ratio CUSUM over the last axis (one series or a stack of them), held at
    ``h`` after it passes like ``cusum``; also the observed and expected sums of the current run
    (the days since the sum was last zero), which a warning reports."""
    x = np.asarray(x, dtype=float)
    mu = np.asarray(mu, dtype=float)
    inc = nb_llr(x, mu, size, shift)
    c, obs, exp_ = np.zeros(x.shape), np.zeros(x.shape), np.zeros(x.shape)
    run = np.zeros(x.shape[:-1])
    so, se = np.zeros(x.shape[:-1]), np.zeros(x.shape[:-1])
    for i in range(x.shape[-1]):
        run = np.maximum(0.0, run + inc[..., i])
        alive = run > 0
        so = np.where(alive, so + x[..., i], 0.0)
        se = np.where(alive, se + mu[..., i], 0.0)
        c[..., i], obs[..., i], exp_[..., i] = run, so, se
        run = np.minimum(run, h)
    return c, obs, exp_


@dataclass
class Evaluation:
    observed: np.ndarray
    expected: np.ndarray
    size: np.ndarray
    p: np.ndarray
    z: np.ndarray | None
    cusum: np.ndarray
    alarm: np.ndarray
    run_observed: np.ndarray | None = None  # the CUSUM run's appeals and expected count
    run_expected: np.ndarray | None = None
    cusum_alarm: np.ndarray | None = None  # the days the CUSUM (not the one-day tail) alarmed

    def score(self, i: int) -> float:
        """-log10 of the tail probability of day ``i`` (capped at 300)."""
        return score_of(float(self.p[i]))


def evaluate(counts, groups, p: Params | None = None, *, last_share: float = 1.0,
             from_day: int = 0) -> Evaluation:
    """Every day of ``counts`` judged against its baseline; the last day may be partial (the
    share ``last_share`` of a day's appeals usually in by now). ``from_day``: the regression
    baseline is fitted from that day on (the live scan needs the last weeks, where the CUSUM
    runs, not the whole history)."""
    p = p or Params()
    x = np.asarray(counts, dtype=float)
    base = baseline(x, groups, p, from_day=from_day)
    mu = base.mu.copy()
    if len(mu) and last_share < 1.0:
        mu[-1] = max(mu[-1] * max(last_share, 1e-3), 1e-3)
    return judge(x, mu, base.size, p)


def judge(x, mu, size, p: Params, *, prob=None) -> Evaluation:
    """The alarms of days with expected counts ``mu`` and NB sizes ``size`` (see the module);
    ``prob``, the days' tail probabilities, when already known. ``z`` (the standardised
    residuals) only for the ``"z"`` scheme."""
    x = np.asarray(x, dtype=float)
    prob = nb_sf(x, mu, size) if prob is None else prob
    z = None
    big = (x >= p.min_count) & (x >= p.min_ratio * mu)
    if p.cusum_kind == "z":
        z = residual(x, mu, size)
        c = cusum(z, p.cusum_k, p.cusum_h)
        run_obs = run_exp = None
        slow = big & (c > p.cusum_h)
    else:
        c, run_obs, run_exp = nb_cusum(x, mu, size, p.cusum_shift, p.cusum_h)
        slow = (c > p.cusum_h) & (run_obs >= p.min_run) & (x > 0)
    alarm = (big & (prob < p.alpha)) | slow
    return Evaluation(observed=x, expected=np.asarray(mu, dtype=float), size=np.asarray(size, dtype=float), p=prob,
                      z=z, cusum=c, alarm=alarm, run_observed=run_obs, run_expected=run_exp, cusum_alarm=slow)


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
