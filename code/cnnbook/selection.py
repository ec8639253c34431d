"""Choosing on validation, never on the test set: the best recipe, the best single model and
an ensemble (the average of its members' predicted probabilities), then scored once.

Every choice here reads a result's ``val_accuracy`` history (images held out of training)
and refuses a result that has none or that watched the test set, so the test set cannot
leak into a choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def validation_accuracy(result) -> float:
    """The last epoch's accuracy on the held-out images; an error if the run had none or
    watched the test set."""
    if result.recipe.watch_test or "val_accuracy" not in result.history:
        raise ValueError(f"{result.recipe.model}: a choice needs a validation split "
                         "(validation_size > 0), never the test set")
    return float(result.history["val_accuracy"][-1])


def choose(results: Mapping[str, object]) -> str:
    """The key of the result with the best validation accuracy (the first on a tie)."""
    scores = {key: validation_accuracy(result) for key, result in results.items()}
    return max(scores, key=scores.get)


class NoCandidateReached(ValueError):
    """No candidate recipe reached the target on validation: the page cannot say it kept one."""


def reaching(results: Mapping[str, object], target: float) -> list[str]:
    """The keys of the results whose validation accuracy reaches ``target``, in order."""
    return [key for key, result in results.items() if validation_accuracy(result) >= target]


def choose_fastest(results: Mapping[str, object], target: float) -> str:
    """The key of the quickest result (fewest training seconds) whose validation accuracy
    reaches ``target``. If none reaches it, :class:`NoCandidateReached` says so with every
    candidate's score: there is no silent second choice for a page to present as the first."""
    reached = reaching(results, target)
    if not reached:
        scores = ", ".join(f"{key}: {validation_accuracy(result):.4%}"
                           for key, result in results.items())
        raise NoCandidateReached(
            f"no candidate reaches the validation accuracy {target:.4%} ({scores}); "
            "add a candidate that trains longer")
    return min(reached, key=lambda key: results[key].seconds_total)


def average_probabilities(probabilities: Sequence[np.ndarray]) -> np.ndarray:
    """The ensemble's prediction: the mean of its members' class probabilities."""
    stacked = np.stack([np.asarray(p, dtype=np.float64) for p in probabilities])
    if stacked.ndim != 3:
        raise ValueError("each member's probabilities must be (images, classes)")
    return stacked.mean(axis=0)


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The share of images whose most probable class is the label."""
    return float(np.mean(np.argmax(probabilities, axis=1) == labels))


def greedy_ensemble(probabilities: Mapping[str, np.ndarray], labels: np.ndarray) -> list[str]:
    """Members chosen on validation: start from the best model, add the one that raises the
    ensemble's validation accuracy most, stop when none raises it. ``probabilities`` are
    each candidate's predictions on the validation images.

    The search may stop at its first member: then the "ensemble" is that single model, and a
    page must say so (:func:`is_single`), not call it an ensemble."""
    chosen = [max(probabilities, key=lambda k: accuracy(probabilities[k], labels))]
    best = accuracy(probabilities[chosen[0]], labels)
    while True:
        trials = {key: accuracy(average_probabilities(
            [probabilities[k] for k in (*chosen, key)]), labels)
            for key in probabilities if key not in chosen}
        if not trials or max(trials.values()) <= best:
            return chosen
        key = max(trials, key=trials.get)
        chosen.append(key)
        best = trials[key]


def is_single(members: Sequence[str]) -> bool:
    """Whether a greedy "ensemble" kept only one member: a single model, not an ensemble."""
    if not members:
        raise ValueError("an ensemble has at least one member")
    return len(members) == 1


def ensemble_label(members: Sequence[str]) -> str:
    """A table's name for the greedy search's choice: an ensemble of n, or a single model."""
    if is_single(members):
        return f"single model ({members[0]}): no second member helped"
    return f"ensemble of {len(members)}"


def confusion(labels: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    """Counts of (true class, predicted class) pairs: rows true, columns predicted."""
    matrix = np.zeros((classes, classes), dtype=int)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix
