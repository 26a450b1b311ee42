"""Writes an Axolotl / LLaMA-Factory style YAML for one lrgate candidate (documentation example).

    python render_yaml.py --config {config} --template my-axolotl.yml --out run.yml

Needs PyYAML. Keys set from {config}: learning_rate, max_steps, micro_batch_size, seed, output_dir,
warmup_steps, resume_from_checkpoint; everything else comes from your template.
"""
import argparse
import json

import yaml

p = argparse.ArgumentParser()
p.add_argument("--config", required=True)
p.add_argument("--template", required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
cfg = json.load(open(a.config))
doc = yaml.safe_load(open(a.template)) or {}
doc.update({
    "learning_rate": cfg["lr"], "max_steps": cfg["steps"], "micro_batch_size": cfg["batch_size"], "seed": cfg["seed"],
    "output_dir": cfg["output_dir"], "warmup_steps": cfg["warmup_steps"], "resume_from_checkpoint": cfg["resume_from"] or None,
})
yaml.safe_dump(doc, open(a.out, "w"), sort_keys=False)
