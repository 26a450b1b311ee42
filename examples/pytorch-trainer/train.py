#!/usr/bin/python3
"""Fine-tune an lrgate model folder with PyTorch: an external trainer for `lrgate sweep --trainer`.

    lrgate sweep --trainer "/usr/bin/python3 examples/pytorch-trainer/train.py --config {config}"

Reads lrgate's per-candidate {config} file (base, train, output_dir, resume_from, batch_size, seed,
lr_schedule, optimizer, clip_norm, val_every, checkpoint_every), fine-tunes with torch.optim.AdamW at
lr_schedule[t] for step t, global-norm clipping and the loss on answer tokens only, prints one JSON
line per step ({"step", "loss", "lr", "grad_norm", "val_loss"}), keeps checkpoint-<n>/ folders for
--resume, and writes the result into output_dir as an lrgate model folder. See README.md here.
"""
import argparse
import json
import os
import shutil
import sys
import time

import torch

from lrgate_torch import (CharTokenizer, Gpt, derive_seed, load_dataset_folder, load_model_folder, save_model_folder,
                          split_training, token_stream, training_batch, validation_batches, weighted_loss)


def log(record):
    print(json.dumps(record), flush=True)


def validation_loss(model, batches):
    """src/train/trainer.ts validationLoss: batch losses weighted by their counted targets."""
    total, weight = 0.0, 0.0
    with torch.no_grad():
        for x, pos, y, w in batches:
            n = float(w.sum())
            if n == 0:
                continue
            total += float(weighted_loss(model(x, pos), y, w)) * n
            weight += n
    return total / weight if weight > 0 else float("nan")


def save_checkpoint(out, step, model, optimizer):
    folder = os.path.join(out, f"checkpoint-{step}")
    tmp = folder + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    torch.save({"step": step, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, os.path.join(tmp, "state.pt"))
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    # Keep only the newest: lrgate resumes from the checkpoint-<n> with the largest n.
    for name in os.listdir(out):
        if name.startswith("checkpoint-") and name != f"checkpoint-{step}":
            shutil.rmtree(os.path.join(out, name), ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="the {config} file lrgate writes for the candidate")
    args = parser.parse_args()
    with open(args.config, encoding="utf-8") as f:
        cfg = json.load(f)
    torch.set_num_threads(int(os.environ.get("LRGATE_THREADS", torch.get_num_threads())))
    torch.manual_seed(cfg["seed"])  # dropout only; batches come from lrgate's own seeded sampler

    config, tok_spec, manifest, weights = load_model_folder(cfg["base"])
    tok = CharTokenizer(tok_spec)
    model = Gpt(config, weights)
    named = model.named_weights()
    opt = cfg["optimizer"]
    if opt["type"] != "adamw":
        sys.exit(f"this example trains with AdamW; the sweep asks for {opt['type']}")
    # Weight decay on matrices only (nanoGPT, and lrgate's optimizer): biases and LayerNorm gains do not decay.
    optimizer = torch.optim.AdamW(
        [{"params": [p for p in named.values() if p.dim() >= 2], "weight_decay": opt["weightDecay"]},
         {"params": [p for p in named.values() if p.dim() < 2], "weight_decay": 0.0}],
        lr=cfg["lr"], betas=(opt["beta1"], opt["beta2"]), eps=opt["eps"])

    start = 0
    if cfg.get("resume_from"):
        state = torch.load(os.path.join(cfg["resume_from"], "state.pt"))
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = state["step"]
        print(f"resuming from {cfg['resume_from']} after step {start}", flush=True)

    train_records, valid_records = split_training(load_dataset_folder(cfg["train"]), cfg["seed"])
    train = token_stream(train_records, tok)
    valid = token_stream(valid_records, tok)
    B, T, steps = cfg["batch_size"], config["contextLength"], cfg["steps"]
    val_batches = validation_batches(valid, B, T, 4) if valid[0] else []
    batch_seed = derive_seed(cfg["seed"], "batches")
    print(f"training {sum(p.numel() for p in named.values())} parameters for steps {start}..{steps - 1}, batch {B}x{T}", flush=True)

    model.train()
    for step in range(start, steps):
        began = time.perf_counter()
        lr = cfg["lr_schedule"][step]
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, pos, y, w = training_batch(train, B, T, batch_seed, step)
        loss = weighted_loss(model(x, pos), y, w)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        params = list(named.values())
        if cfg["clip_norm"] > 0:
            grad_norm = float(torch.nn.utils.clip_grad_norm_(params, cfg["clip_norm"]))
        else:
            grad_norm = float(torch.norm(torch.stack([p.grad.norm() for p in params])))
        optimizer.step()
        record = {"step": step, "loss": float(loss), "lr": lr, "grad_norm": grad_norm}
        if val_batches and ((step + 1) % cfg["val_every"] == 0 or step == steps - 1):
            model.eval()
            record["val_loss"] = validation_loss(model, val_batches)
            model.train()
        record["seconds"] = round(time.perf_counter() - began, 4)
        log(record)
        if (step + 1) % cfg["checkpoint_every"] == 0 and step + 1 < steps:
            save_checkpoint(cfg["output_dir"], step + 1, model, optimizer)

    metadata = dict(manifest.get("userDefinedMetadata") or {})
    manifest.pop("_text", None)
    metadata.update({"base": cfg["base"], "fineTune": {"trainer": "examples/pytorch-trainer/train.py", "dataset": cfg["train"], "lr": cfg["lr"],
                                                       "steps": steps, "schedule": cfg["schedule"], "optimizer": opt, "seed": cfg["seed"],
                                                       "run": cfg.get("run_id"), "candidate": cfg["candidate"], "torch": torch.__version__}})
    save_model_folder(cfg["output_dir"], config, tok_spec, manifest, {k: v.detach() for k, v in named.items()}, metadata)
    for name in os.listdir(cfg["output_dir"]):
        if name.startswith("checkpoint-"):
            shutil.rmtree(os.path.join(cfg["output_dir"], name), ignore_errors=True)
    print(f"saved the fine-tuned model to {cfg['output_dir']}", flush=True)


if __name__ == "__main__":
    main()
