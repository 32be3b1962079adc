"""Stage ``tsdae``: domain-adaptive pre-training of the encoder as a denoising auto-encoder.

Each step takes a batch of sentences, deletes ``deletion_ratio`` of the words of each (the noise of a
batch is seeded by (seed, epoch, batch index), so a resumed run damages the same words), encodes the
damaged sentences to one vector each and trains the tied decoder to reconstruct the originals. The
output is the encoder with its pooling as a sentence-transformers folder; the decoder is dropped.
"""

from __future__ import annotations

import logging

import numpy as np
from torch import Tensor

from genq_trainer.data.sentences import read_texts
from genq_trainer.data.shuffled_batches import shuffled_batches
from genq_trainer.data.word_deletion import delete_words
from genq_trainer.errors import DataError
from genq_trainer.modeling.encoder import load_encoder
from genq_trainer.modeling.tokenize import tokenize
from genq_trainer.modeling.tsdae_model import TsdaeModel
from genq_trainer.protocol import Reporter
from genq_trainer.settings.loader import log_settings
from genq_trainer.settings.tsdae import TSDAE_SCHEDULE_KEYS, TsdaeSettings
from genq_trainer.stages.model_output import write_model_output
from genq_trainer.stages.result import StageResult
from genq_trainer.stages.training_run import data_record, output_record, result_metrics, train
from genq_trainer.training.checkpoint import TrainState
from genq_trainer.training.precision import Precision
from genq_trainer.training.preemption import PreemptionFlag
from genq_trainer.training.rng import seed_everything

logger = logging.getLogger(__name__)

STAGE = "tsdae"


def build_tsdae_model(settings: TsdaeSettings, precision: Precision) -> TsdaeModel:
    """The encoder of ``base_model`` with ``pooling``, and its tied decoder, on the device."""
    encoder = load_encoder(settings.base_model, settings.pooling, settings.max_seq_length, str(precision.device))
    return TsdaeModel(encoder, settings.base_model).to(precision.device)


def run_tsdae(settings: TsdaeSettings, reporter: Reporter, preemption: PreemptionFlag) -> StageResult:
    log_settings(STAGE, settings)
    corpus = read_texts(settings.train_file, text_field=settings.text_field)
    texts = corpus.texts
    if not texts:
        raise DataError(f"{settings.train_file} holds no non-blank text")
    data = data_record(settings.train_file, len(texts), skipped_blank=corpus.skipped_blank)

    precision = Precision.create(settings.device, settings.precision, settings.cpu_threads)
    seed_everything(settings.seed)
    model = build_tsdae_model(settings, precision)
    tokenizer = model.encoder.tokenizer

    def batches_for_epoch(epoch: int) -> list[list[int]]:
        return shuffled_batches(len(texts), settings.batch_size, settings.seed, epoch)

    def run_step(batch: list[int], state: TrainState) -> tuple[Tensor, int]:
        noise = np.random.default_rng([settings.seed, state.epoch, state.batch_in_epoch])
        originals = [texts[index] for index in batch]
        damaged = [delete_words(text, settings.deletion_ratio, noise) for text in originals]
        damaged_features = tokenize(tokenizer, damaged, settings.max_seq_length, precision.device)
        original_features = tokenize(tokenizer, originals, settings.max_seq_length, precision.device)
        with precision.autocast():
            loss = model.loss(damaged_features, original_features)
        precision.backward(loss)
        return loss.detach(), len(batch)

    result = train(
        stage=STAGE,
        settings=settings,
        schedule_keys=TSDAE_SCHEDULE_KEYS,
        model=model,
        precision=precision,
        batches_for_epoch=batches_for_epoch,
        run_step=run_step,
        data=data,
        reporter=reporter,
        preemption=preemption,
    )
    output = write_model_output(
        model.encoder,
        settings.output_dir,
        overwrite=settings.overwrite or settings.resume_from is not None,
        record=output_record(STAGE, settings, data, result, precision),
    )
    return StageResult(output=output, metrics=result_metrics(result))
