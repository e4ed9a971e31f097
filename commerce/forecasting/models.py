"""Forecasts of daily demand per watch with statsforecast, the model picked per watch by backtest.

Every watch's censored-free series is fitted with the candidates its demand class allows; rolling-
origin cross-validation (several windows, each forecasting the next `horizon` days from data before
it) scores them by mean squared error, and the best one forecasts. The error is reported as MASE:
the backtest MAE over the in-sample MAE of the naive "same as yesterday" forecast, so 1.0 means "no
better than naive" whatever the watch's volume.

The spread of daily demand around the forecast (`daily_sd`) is the root mean squared backtest error
of the chosen model: it is how wrong the forecast has actually been, not an assumed distribution.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import (
    ADIDA,
    IMAPA,
    TSB,
    AutoETS,
    CrostonSBA,
    SimpleExponentialSmoothingOptimized,
)

from commerce.forecasting.demand import DemandClass, DemandProfile, classify

# The model names as they appear on a decision card, keyed by statsforecast's column alias.
MODEL_NAMES = {"SES": "SES", "ETS": "ETS", "CrostonSBA": "Croston-SBA", "TSB": "TSB", "ADIDA": "ADIDA",
               "IMAPA": "IMAPA"}
# Which models may be picked for each demand class. Croston-type models are built for series with
# many zero days; exponential smoothing for steady ones. SES stays a candidate everywhere: on short
# or near-steady series it is often the honest choice.
CANDIDATES: dict[DemandClass, tuple[str, ...]] = {
    DemandClass.smooth: ("SES", "ETS"),
    DemandClass.erratic: ("SES", "ETS", "TSB"),
    DemandClass.intermittent: ("SES", "CrostonSBA", "TSB", "ADIDA", "IMAPA"),
    DemandClass.lumpy: ("SES", "CrostonSBA", "TSB", "ADIDA", "IMAPA"),
}
K = TypeVar("K", bound=Hashable)
WINDOW_MEAN = "window-mean"  # too little history to backtest: the plain mean, said so on the card


@dataclass(frozen=True)
class Backtest:
    horizon: int  # days each window forecasts
    windows: int  # rolling origins

    @property
    def min_observations(self) -> int:
        # Enough for the last window plus a few weeks to fit on before the first one.
        return self.horizon * self.windows + 28


@dataclass(frozen=True)
class Forecast:
    model: str
    daily_mean: float
    daily_sd: float
    mase: float | None  # None when there was too little history to backtest
    profile: DemandProfile
    observations: int


def _models() -> list[object]:
    return [SimpleExponentialSmoothingOptimized(alias="SES"), AutoETS(season_length=1, model="ANN", alias="ETS"),
            CrostonSBA(alias="CrostonSBA"), TSB(alpha_d=0.1, alpha_p=0.1, alias="TSB"), ADIDA(alias="ADIDA"),
            IMAPA(alias="IMAPA")]


def _naive_mae(y: Sequence[float]) -> float:
    steps = [abs(b - a) for a, b in itertools.pairwise(y)]
    return sum(steps) / len(steps) if steps else 0.0


def _plain(units: Sequence[float], profile: DemandProfile) -> Forecast:
    mean = float(np.mean(units)) if len(units) else 0.0
    sd = float(np.std(units, ddof=1)) if len(units) > 1 else 0.0
    return Forecast(model=WINDOW_MEAN, daily_mean=mean, daily_sd=sd, mase=None, profile=profile,
                    observations=len(units))


def forecast_demand(series: Mapping[K, Sequence[float]], *, backtest: Backtest) -> dict[K, Forecast]:
    """A forecast per key (a watch) from its uncensored daily units, oldest first."""
    profiles = {key: classify(units) for key, units in series.items()}
    fit = [(key, list(units)) for key, units in series.items()
           if len(units) >= backtest.min_observations and any(u > 0 for u in units)]
    fitted = {key for key, _ in fit}
    out = {key: _plain(units, profiles[key]) for key, units in series.items() if key not in fitted}
    if not fit:
        return out
    # statsforecast's series ids are the positions in `fit`, so any hashable key works.
    frame = pd.concat([pd.DataFrame({"unique_id": n, "ds": np.arange(len(y)), "y": np.asarray(y, dtype=float)})
                       for n, (_, y) in enumerate(fit)], ignore_index=True)
    engine = StatsForecast(models=_models(), freq=1, n_jobs=1)
    cv = engine.cross_validation(df=frame, h=backtest.horizon, step_size=backtest.horizon,
                                 n_windows=backtest.windows)
    ahead = engine.forecast(df=frame, h=1).set_index("unique_id")
    for n, (key, y) in enumerate(fit):
        out[key] = _best(cv[cv["unique_id"] == n], y, profiles[key], ahead.loc[[n]].iloc[0])
    return out


def _best(errors: pd.DataFrame, y: list[float], profile: DemandProfile, ahead: pd.Series) -> Forecast:
    # Scored by squared error: on a series of mostly zeros, absolute error rewards forecasting zero
    # (the median), which would never reorder; squared error rewards the mean, which is what stock needs.
    scores = {name: float(np.mean((errors[name] - errors["y"]) ** 2)) for name in CANDIDATES[profile.demand_class]
              if np.isfinite(errors[name]).all() and np.isfinite(ahead[name])}
    if not scores:
        return _plain(y, profile)
    best = min(scores, key=lambda name: (scores[name], name))
    mae = float(np.mean(np.abs(errors[best] - errors["y"])))
    scale = _naive_mae(y)
    return Forecast(model=MODEL_NAMES[best], daily_mean=max(float(ahead[best]), 0.0),
                    daily_sd=math.sqrt(scores[best]), mase=round(mae / scale, 3) if scale > 0 else None,
                    profile=profile, observations=len(y))
