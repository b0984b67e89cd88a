"""Suggestions that learn: train, evaluate and use the project's own model.

``annotator train`` (:func:`train_job`), ``annotator evaluate`` (:func:`evaluate`), the relation
model (:mod:`annotator.training.relations`), the trained model as a suggester
(:mod:`annotator.training.predict`) and "most useful next" (:func:`most_useful_next`).
"""

from annotator.training.data import TrainingError, select_training
from annotator.training.models import (
    MODELS_SETTING,
    PROJECT,
    ModelRecord,
    latest_model,
    models_dir,
    recorded_models,
    resolve_model_name,
)
from annotator.training.spacy_train import BLANK, TrainReport, curve_job, train, train_job, training_config
from annotator.training.useful import most_useful_next, uncertainty_job
from annotator.training.loop import retrain_due, suggest_untouched_job, untouched_documents

__all__ = [
    "TrainingError",
    "select_training",
    "MODELS_SETTING",
    "PROJECT",
    "ModelRecord",
    "latest_model",
    "models_dir",
    "recorded_models",
    "resolve_model_name",
    "BLANK",
    "TrainReport",
    "train",
    "train_job",
    "training_config",
    "curve_job",
    "most_useful_next",
    "uncertainty_job",
    "retrain_due",
    "suggest_untouched_job",
    "untouched_documents",
]
