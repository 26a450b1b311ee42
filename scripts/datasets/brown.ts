import {readFileSync} from 'node:fs'
import {join} from 'node:path'

/** One Brown corpus text (file), as plain sentences. */
export interface BrownText {
  /** file name, e.g. `ca01` (category letters + number within the category) */
  file: string
  /** NLTK category, e.g. `news`, `learned`, `science_fiction` */
  genre: string
  /** number within the category (ca10 → 10), used by the hold-out rule */
  number: number
  /** paragraphs, each a list of detokenized sentences */
  paragraphs: string[][]
}

/** Reads every text listed in `cats.txt`, sorted by file name. */
export function readBrownTexts(corpusDir: string): BrownText[] {
  const cats = readFileSync(join(corpusDir, 'cats.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/) as [string, string])
  cats.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return cats.map(([file, genre]) => ({
    file,
    genre,
    number: Number(file.slice(2)),
    paragraphs: parseBrownFile(readFileSync(join(corpusDir, file), 'utf8')),
  }))
}

/** Paragraphs are separated by blank lines; each line within one is a sentence of word/TAG tokens. */
export function parseBrownFile(content: string): string[][] {
  const paragraphs: string[][] = []
  let current: string[] = []
  for (const line of content.split('\n')) {
    if (line.trim() === '') {
      if (current.length > 0) paragraphs.push(current)
      current = []
      continue
    }
    const sentence = detokenize(line.trim().split(/\s+/))
    if (sentence !== '') current.push(sentence)
  }
  if (current.length > 0) paragraphs.push(current)
  return paragraphs
}

const CLOSING = /^[,.;:?!)\]}]$/
const OPENING = /^[([{]$/

/**
 * Tagged tokens → plain text: drop the `/TAG` (after the last slash), turn `` and '' into ",
 * and put no space before closing punctuation or after opening brackets and quotes.
 * A lone ' token (tagged ') alternates between opening and closing a single quote.
 *
 * @example detokenize(['``/``', 'Only/rb', 'a/at', 'handful/nn', "''/''", './.']) // '"Only a handful".'
 */
export function detokenize(tokens: readonly string[]): string {
  let out = ''
  let glueNext = true
  let singleOpen = false
  let afterInchMark = false
  for (const token of tokens) {
    const slash = token.lastIndexOf('/')
    const word = slash > 0 ? token.slice(0, slash) : token
    // Inch marks are tagged as `1/8''/nn ''/''`: one " belongs to the number, the lone '' is an artifact.
    if (afterInchMark && word === "''") {
      afterInchMark = false
      continue
    }
    afterInchMark = word !== "''" && word.endsWith("''")
    let piece = word.replace(/''/g, '"')
    let glueBefore = false
    let glueAfter = false
    if (word === '``') {
      piece = '"'
      glueAfter = true
    } else if (word === "''") {
      piece = '"'
      glueBefore = true
    } else if (word === "'") {
      if (singleOpen) glueBefore = true
      else glueAfter = true
      singleOpen = !singleOpen
    } else if (CLOSING.test(word)) {
      glueBefore = true
    } else if (OPENING.test(word)) {
      glueAfter = true
    }
    // "Jr./np ./." — an abbreviation's period already ends the sentence.
    if (piece === '.' && out.endsWith('.')) continue
    out += (glueNext || glueBefore ? '' : ' ') + piece
    glueNext = glueAfter
  }
  return out.trim()
}

/**
 * Splits a text into chunks of whole sentences: sentences (joined by single spaces, paragraphs
 * too) are added until a chunk has at least `minChars`; a sentence that would push it past
 * `maxChars` starts the next chunk instead. Chunks longer than `maxChars` (one very long
 * sentence) and a last chunk shorter than `minChars` are dropped.
 */
export function chunkSentences(paragraphs: readonly string[][], minChars: number, maxChars: number): string[] {
  const chunks: string[] = []
  let current = ''
  const flush = (): void => {
    if (current.length >= minChars && current.length <= maxChars) chunks.push(current)
    current = ''
  }
  for (const sentence of paragraphs.flat()) {
    if (current !== '' && current.length + 1 + sentence.length > maxChars) flush()
    current = current === '' ? sentence : `${current} ${sentence}`
    if (current.length >= minChars) flush()
  }
  flush()
  return chunks
}
