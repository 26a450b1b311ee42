/**
 * Fused kernels of the tiny GPT that only the `native` backend registers. src/model/ops uses them
 * when present and falls back to compositions of standard tfjs ops on any other backend.
 */
export const FUSED = {
  linear: 'LrgLinear',
  linearGrad: 'LrgLinearGrad',
  layerNorm: 'LrgLayerNorm',
  layerNormGrad: 'LrgLayerNormGrad',
  attention: 'LrgAttention',
  attentionGrad: 'LrgAttentionGrad',
  gelu: 'LrgGelu',
  geluGrad: 'LrgGeluGrad',
  crossEntropy: 'LrgCrossEntropy',
  crossEntropyGrad: 'LrgCrossEntropyGrad',
  tokenNll: 'LrgTokenNll',
  embedding: 'LrgEmbedding',
  embeddingGrad: 'LrgEmbeddingGrad',
} as const
