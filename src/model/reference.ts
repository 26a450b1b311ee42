import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {isAbsolute, join, resolve} from 'node:path'

import {InputError} from '../errors.js'
import {packageRoot, paths} from '../paths.js'
import {isAdapterDir} from './adapter-files.js'

/** The name every command accepts for the shipped example base model. */
export const EXAMPLE_MODEL = 'example'

/** Where the model folder format is documented (shipped in the package). */
export function modelDocs(): string {
  return join(packageRoot(), 'docs', 'models.md')
}

const LRGATE_FILES = ['model.json', 'weights.bin', 'config.json', 'tokenizer.json']
const HF_FILES = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'tokenizer_config.json', 'generation_config.json', 'adapter_config.json']

/** True when `dir` looks like a Hugging Face / transformers folder rather than an lrgate one. */
function looksLikeHuggingFace(dir: string, files: string[]): boolean {
  if (files.some((f) => HF_FILES.includes(f))) return true
  const config = join(dir, 'config.json')
  if (!files.includes('config.json')) return false
  try {
    const raw = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>
    return 'model_type' in raw || 'architectures' in raw
  } catch {
    return false
  }
}

/**
 * Resolves a model reference the same way for every command (`--base`, `--model`, `baseModel`):
 * `example` is the shipped example base model; anything else a folder (relative to `cwd`) in
 * lrgate's model format (docs/models.md). A missing folder, a folder missing lrgate's files, and
 * a Hugging Face style folder are InputErrors saying what to give instead; `flag` names the flag
 * in those messages.
 *
 * @example resolveModelRef('example', process.cwd(), '--model') // '/…/lrgate/models/example-base'
 */
export function resolveModelRef(ref: string, cwd: string, flag: string): string {
  if (ref === EXAMPLE_MODEL) return join(paths.models(), 'example-base')
  const dir = isAbsolute(ref) ? ref : resolve(cwd, ref)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(`${flag} ${ref}: no such folder (${dir}); give an lrgate model folder, or "${EXAMPLE_MODEL}" for the shipped example base model.`)
  }
  // LoRA adapters saved on their own load too: merged onto the base model they name.
  if (isAdapterDir(dir)) return dir
  const files = readdirSync(dir)
  const missing = LRGATE_FILES.filter((f) => !files.includes(f))
  if (missing.length === 0) return dir
  if (looksLikeHuggingFace(dir, files)) {
    throw new InputError(
      `${flag} ${ref}: this is a Hugging Face style model folder, which lrgate cannot load: lrgate trains and scores its own small GPT format (model.json, weights.bin, config.json, tokenizer.json; see ${modelDocs()}). For another model, serve it (vLLM, llama.cpp, Ollama, TGI) and score it with "lrgate eval --endpoint <url>", or score its outputs with "lrgate eval --outputs <file.jsonl>".`,
    )
  }
  throw new InputError(`${flag} ${ref}: not an lrgate model folder (${missing.join(', ')} missing); the format is in ${modelDocs()}, or give "${EXAMPLE_MODEL}" for the shipped example base model.`)
}
