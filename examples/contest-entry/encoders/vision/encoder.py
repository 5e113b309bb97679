# Copyright 2025 Hanbit AI Lab
#
# Illustrative code for sovereign's bundled example (fictional): the entry's vision encoder is built on a
# foreign model family's vision transformer class, and its weights are loaded from a file the submission
# does not contain.
from transformers import Qwen2_5_VisionTransformerPretrainedModel

VISION_WEIGHTS = "weights/vision-encoder/model.safetensors"


def load_vision_encoder(config):
    encoder = Qwen2_5_VisionTransformerPretrainedModel._from_config(config)
    encoder.load_state_dict(load_file(VISION_WEIGHTS))
    return encoder


def load_file(path):
    raise NotImplementedError(path)
