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
