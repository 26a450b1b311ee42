"""Hugging Face Trainer driven by lrgate's {config} file (documentation: not run by lrgate's tests).

    lrgate sweep --trainer "python examples/hf-trainer/hf_train.py --config {config}"   # trainer.log: trainer_state

Needs transformers, datasets and torch. The model is any causal LM folder ({base}); the train data is
an lrgate dataset folder ({train}) of question→answer records; the loss covers the answer only.
"""
import argparse
import json
import os

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

parser = argparse.ArgumentParser()
parser.add_argument("--config", required=True)
cfg = json.load(open(parser.parse_args().config))

tok = AutoTokenizer.from_pretrained(cfg["base"])
tok.pad_token = tok.pad_token or tok.eos_token
model = AutoModelForCausalLM.from_pretrained(cfg["base"])

manifest = json.load(open(os.path.join(cfg["train"], "manifest.json")))
records = [json.loads(line) for name in sorted(manifest["files"]) for line in open(os.path.join(cfg["train"], name)) if line.strip()]
train = [r for r in records if "input" in r and "reference" in r and not r["cohort"].startswith("valid:")]


def encode(r):
    prompt = tok(r["input"])["input_ids"]
    answer = tok(" " + r["reference"] + tok.eos_token)["input_ids"]
    return {"input_ids": prompt + answer, "labels": [-100] * len(prompt) + answer}  # loss on the answer only


def collate(batch):
    n = max(len(b["input_ids"]) for b in batch)
    pad = lambda xs, v: [x + [v] * (n - len(x)) for x in xs]  # noqa: E731
    ids = torch.tensor(pad([b["input_ids"] for b in batch], tok.pad_token_id))
    return {"input_ids": ids, "labels": torch.tensor(pad([b["labels"] for b in batch], -100)), "attention_mask": (ids != tok.pad_token_id).long()}


args = TrainingArguments(
    output_dir=cfg["output_dir"], max_steps=cfg["steps"], per_device_train_batch_size=cfg["batch_size"], seed=cfg["seed"],
    learning_rate=cfg["lr"], weight_decay=cfg["optimizer"]["weightDecay"], max_grad_norm=cfg["clip_norm"] or 1e9,
    logging_steps=1, save_steps=cfg["checkpoint_every"], save_total_limit=1, report_to=[],
)
trainer = Trainer(model=model, args=args, train_dataset=[encode(r) for r in train], data_collator=collate)
# Follow lrgate's lr_schedule step by step instead of Trainer's own scheduler.
schedule = cfg["lr_schedule"]
trainer.create_optimizer()
trainer.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(trainer.optimizer, lambda t: schedule[min(t, len(schedule) - 1)] / cfg["lr"])
trainer.train(resume_from_checkpoint=cfg["resume_from"] or None)
trainer.save_model(cfg["output_dir"])
trainer.save_state()  # {output_dir}/trainer_state.json with the final summary entry
