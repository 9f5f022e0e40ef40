"""The pure detector: expected counts from the history, alarms on spikes, none before them."""

import numpy as np

from jishiban.warnings import detect


def _series(days=500, mean=8.0, seed=3):
    rng = np.random.default_rng(seed)
    groups = np.array([d % 7 for d in range(days)])
    weekly = np.array([1.1, 1, 1, 1, 0.9, 0.5, 0.4])
    mu = mean * weekly[groups]
    return rng.poisson(rng.gamma(20, mu / 20)).astype(float), groups, mu


def test_quiet_series_raises_almost_nothing():
    x, g, _mu = _series()
    ev = detect.evaluate(x, g)
    assert len(detect.runs(ev.alarm[100:])) <= 1


def test_injected_spike_is_found_and_nothing_before_it():
    x, g, mu = _series()
    x[450:455] += np.round(2 * mu[450:455])  # 3× for five days
    ev = detect.evaluate(x, g)
    assert ev.alarm[450:455].any()
    assert not ev.alarm[430:450].any()
    # The baseline of day t reads only days before t - guard: changing the future changes nothing.
    y = x.copy()
    y[451:] = 0
    assert np.allclose(detect.baseline(y, g).mu[:452], detect.baseline(x, g).mu[:452])


def test_weekly_pattern_and_holidays_are_expected():
    x, g, mu = _series(mean=20)
    base = detect.baseline(x, g)
    sundays = [t for t in range(300, 500) if g[t] == 6]
    mondays = [t for t in range(300, 500) if g[t] == 0]
    assert base.mu[sundays].mean() < 0.6 * base.mu[mondays].mean()
    assert detect.day_group(2, False) == detect.HOLIDAY
    assert detect.day_group(6, True) == detect.MAKEUP


def test_partial_day_is_judged_against_its_share():
    x, g, mu = _series(mean=30)
    x[-1] = round(0.25 * mu[-1])  # a quarter of a normal day by 10 o'clock
    assert not detect.evaluate(x, g, last_share=0.25).alarm[-1]
    x[-1] = round(1.5 * mu[-1])  # a day and a half by 10 o'clock
    assert detect.evaluate(x, g, last_share=0.25).alarm[-1]


def test_negative_binomial_tail():
    assert detect.nb_sf(0, 5, 10) == 1.0
    assert 0.4 < float(detect.nb_sf(5, 5, 1e6)) < 0.6  # ≈ Poisson(5): P(X ≥ 5) = 0.56
    assert float(detect.nb_sf(30, 5, 10)) < 1e-6
    assert float(detect.nb_sf(30, 5, 0.5)) > float(detect.nb_sf(30, 5, 10))  # wider spread, fatter tail


def test_nb_cusum_adds_up_a_moderate_rise_over_days_in_a_sparse_series():
    """At 0.5 a day, two or three appeals a day for a week is a doubling-plus no single day shows
    (no day reaches five), which the likelihood-ratio CUSUM finds; the quiet weeks before stay
    silent."""
    rng = np.random.default_rng(5)
    days = 500
    groups = np.array([d % 7 for d in range(days)])
    x = rng.poisson(0.5, days).astype(float)
    x[480:490] = [2, 3, 2, 2, 3, 2, 3, 2, 2, 3]
    p = detect.Params(method="windows", cusum_kind="nb", cusum_shift=2.0, cusum_h=6.0, min_run=3)
    ev = detect.evaluate(x, groups, p)
    assert ev.alarm[480:490].any() and not ev.alarm[460:480].any()
    assert not detect.evaluate(x, groups, detect.Params.legacy()).alarm[480:490].any()  # the first detector misses it
    run = int(np.flatnonzero(ev.alarm[480:490])[0]) + 480
    assert ev.run_observed[run] > 2 * ev.run_expected[run]


def test_regression_baseline_reads_only_the_past_and_learns_the_week():
    x, g, mu = _series(days=500, mean=6.0)
    p = detect.Params(method="glm")
    base = detect.baseline(x, g, p, from_day=420)
    y = x.copy()
    y[460:] = 40  # what comes after day 460 - guard cannot change the expected counts up to 460
    assert np.allclose(detect.baseline(y, g, p, from_day=420).mu[:461], base.mu[:461])
    assert abs(base.mu[430:500].mean() / mu[430:500].mean() - 1) < 0.15
    sundays = [t for t in range(430, 500) if g[t] == 6]
    mondays = [t for t in range(430, 500) if g[t] == 0]
    assert base.mu[sundays].mean() < 0.6 * base.mu[mondays].mean()
