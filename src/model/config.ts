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
