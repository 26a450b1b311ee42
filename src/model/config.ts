import {z} from 'zod'

/** The tiny GPT's shape, as plain values (nanoGPT's GPTConfig). */
export const gptConfigSchema = z
  .object({
    vocabSize: z.number().int().positive(),
    contextLength: z.number().int().positive(), // tokens the model attends over
    dModel: z.number().int().positive(),
    nLayers: z.number().int().positive(),
    nHeads: z.number().int().positive(),
    dropout: z.number().gte(0).lt(1),
    tiedHead: z.boolean(), // output head shares the token embedding matrix
  })
  .strict()
  .refine((c) => c.dModel % c.nHeads === 0, {message: 'dModel must be divisible by nHeads'})

export type GptConfig = z.infer<typeof gptConfigSchema>

/** The reference shape of DESIGN.md: the shipped base model and the benchmarks use it. */
export const REFERENCE_SHAPE: GptConfig = {
  vocabSize: 96,
  contextLength: 128,
  dModel: 128,
  nLayers: 4,
  nHeads: 4,
  dropout: 0,
  tiedHead: true,
}

/** Every parameter's name and shape, in a fixed order (the order weights are saved in). */
export function parameterShapes(c: GptConfig): Array<[string, number[]]> {
  const D = c.dModel
  const shapes: Array<[string, number[]]> = [
    ['wte', [c.vocabSize, D]],
    ['wpe', [c.contextLength, D]],
  ]
  for (let l = 0; l < c.nLayers; l++) {
    shapes.push(
      [`h.${l}.ln1.g`, [D]], [`h.${l}.ln1.b`, [D]],
      [`h.${l}.attn.wqkv`, [D, 3 * D]], [`h.${l}.attn.bqkv`, [3 * D]],
      [`h.${l}.attn.wo`, [D, D]], [`h.${l}.attn.bo`, [D]],
      [`h.${l}.ln2.g`, [D]], [`h.${l}.ln2.b`, [D]],
      [`h.${l}.mlp.w1`, [D, 4 * D]], [`h.${l}.mlp.b1`, [4 * D]],
      [`h.${l}.mlp.w2`, [4 * D, D]], [`h.${l}.mlp.b2`, [D]],
    )
  }
  shapes.push(['lnf.g', [D]], ['lnf.b', [D]])
  if (!c.tiedHead) shapes.push(['head.w', [D, c.vocabSize]])
  return shapes
}
