import {z} from 'zod'

/**
 * Character-level tokenizer over newline + printable ASCII (96 symbols). Text is NFKD-normalised
 * and stripped of combining marks first (café → cafe); anything else becomes `unknown`.
 *
 * @example const tok = CharTokenizer.ascii(); tok.decode(tok.encode('Q: hi')) === 'Q: hi'
 */
export class CharTokenizer {
  readonly vocab: string[]
  readonly unknown: string
  private readonly index: Map<string, number>
  private readonly unknownId: number

  constructor(vocab: string[], unknown = '?') {
    this.vocab = vocab
    this.unknown = unknown
    this.index = new Map(vocab.map((c, i) => [c, i]))
    const unk = this.index.get(unknown)
    if (unk === undefined) throw new Error(`tokenizer: the unknown symbol ${JSON.stringify(unknown)} is not in the vocabulary`)
    this.unknownId = unk
  }

  static ascii(): CharTokenizer {
    const vocab = ['\n']
    for (let c = 0x20; c <= 0x7e; c++) vocab.push(String.fromCharCode(c))
    return new CharTokenizer(vocab)
  }

  get size(): number {
    return this.vocab.length
  }

  /** Text as the model sees it: tabs as spaces, no carriage returns, accents stripped. */
  normalize(text: string): string {
    return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/\r/g, '').replace(/\t/g, ' ')
  }

  encode(text: string): Int32Array {
    const norm = this.normalize(text)
    const out = new Int32Array(norm.length)
    for (let i = 0; i < norm.length; i++) out[i] = this.index.get(norm[i]) ?? this.unknownId
    return out
  }

  decode(ids: ArrayLike<number>): string {
    let s = ''
    for (let i = 0; i < ids.length; i++) s += this.vocab[ids[i]] ?? this.unknown
    return s
  }

  toJSON(): {type: 'char'; vocab: string[]; unknown: string} {
    return {type: 'char', vocab: this.vocab, unknown: this.unknown}
  }

  static fromJSON(value: unknown): CharTokenizer {
    const parsed = tokenizerSchema.parse(value)
    return new CharTokenizer(parsed.vocab, parsed.unknown)
  }
}

export const tokenizerSchema = z
  .object({type: z.literal('char'), vocab: z.array(z.string().length(1)).min(2), unknown: z.string().length(1)})
  .strict()
