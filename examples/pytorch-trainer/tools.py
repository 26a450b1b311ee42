#!/usr/bin/python3
"""Checks of the PyTorch port against lrgate (used by lrgate's tests).

    python3 tools.py logits MODEL_DIR BATCH.json   → {"logits": [[...], ...]} for {"tokens": [[...]], "positions": [[...]]}
    python3 tools.py resave MODEL_DIR OUT_DIR      → load into the torch module, save again (0 steps)
    python3 tools.py batch TRAIN_DIR MODEL_DIR SEED STEP B  → the token ids of that training batch
"""
import json
import sys

import torch

from lrgate_torch import (CharTokenizer, Gpt, derive_seed, load_dataset_folder, load_model_folder, save_model_folder,
                          split_training, token_stream, training_batch)


def main():
    what = sys.argv[1]
    if what == "logits":
        config, _, _, weights = load_model_folder(sys.argv[2])
        with open(sys.argv[3]) as f:
            batch = json.load(f)
        model = Gpt(config, weights).eval()
        with torch.no_grad():
            logits = model(torch.tensor(batch["tokens"]), torch.tensor(batch["positions"]))
        print(json.dumps({"logits": logits.tolist()}))
    elif what == "resave":
        config, tok, manifest, weights = load_model_folder(sys.argv[2])
        model = Gpt(config, weights)
        save_model_folder(sys.argv[3], config, tok, manifest, {k: v.detach() for k, v in model.named_weights().items()})
    elif what == "batch":
        config, tok, _, _ = load_model_folder(sys.argv[3])
        train, _ = split_training(load_dataset_folder(sys.argv[2]), int(sys.argv[4]))
        x, _, y, w = training_batch(token_stream(train, CharTokenizer(tok)), int(sys.argv[6]), config["contextLength"],
                                    derive_seed(int(sys.argv[4]), "batches"), int(sys.argv[5]))
        print(json.dumps({"tokens": x.tolist(), "targets": y.tolist(), "weights": w.tolist()}))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
