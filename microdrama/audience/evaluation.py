"""Off-policy evaluation: what another policy would have earned, from logged decisions.

Inverse propensity scoring reweights each logged reward by how much likelier the target
policy was to take the logged action; it is unbiased where the logged propensities are
right, and noisy. The doubly robust estimate adds a reward model's prediction for every
action and corrects it with the same reweighted residual: unbiased if either the
propensities or the reward model are right, and much less noisy than IPS when the model is
good (Dudik, Langford and Li, 2011).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ips(rewards: np.ndarray, logged: np.ndarray, target: np.ndarray) -> float:
    """Mean reward under the target policy. `logged`, `target`: each policy's probability of
    the logged action."""
    return float(np.mean(target / logged * rewards))


def doubly_robust(
    rewards: np.ndarray,
    logged: np.ndarray,
    target: np.ndarray,
    predicted: np.ndarray,
    target_predicted: np.ndarray,
) -> float:
    """`predicted`: the reward model at the logged action; `target_predicted`: the reward
    model's expectation under the target policy (sum over actions of probability x prediction)."""
    return float(np.mean(target_predicted + target / logged * (rewards - predicted)))


def compare(pilots: pd.DataFrame) -> pd.DataFrame:
    """Estimated completion rate of the logged policy, uniform choice and the greedy posterior
    mean, from pilot decisions with a `reward` (their episode's completion rate)."""
    rewards = pilots["reward"].to_numpy(float)
    logged = pilots["propensity"].to_numpy(float)
    predicted, uniform_mean, greedy, greedy_mean = [], [], [], []
    for row in pilots.itertuples():
        expected = np.array([c["expected"] for c in row.candidates])
        index = [c["chosen"] for c in row.candidates].index(True)
        predicted.append(expected[index])
        uniform_mean.append(expected.mean())
        greedy.append(1.0 if index == int(expected.argmax()) else 0.0)
        greedy_mean.append(expected.max())
    sizes = np.array([len(c) for c in pilots["candidates"]], dtype=float)
    predicted_arr = np.array(predicted)
    rows = [
        ("logged (thompson)", float(rewards.mean()), float(rewards.mean())),
        (
            "uniform",
            ips(rewards, logged, 1 / sizes),
            doubly_robust(rewards, logged, 1 / sizes, predicted_arr, np.array(uniform_mean)),
        ),
        (
            "greedy posterior mean",
            ips(rewards, logged, np.array(greedy)),
            doubly_robust(rewards, logged, np.array(greedy), predicted_arr, np.array(greedy_mean)),
        ),
    ]
    return pd.DataFrame(rows, columns=["policy", "ips", "doubly_robust"]).assign(n=len(pilots))
