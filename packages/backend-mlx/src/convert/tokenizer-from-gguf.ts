import { InvalidRequestError } from '@llmux/core';
/** The tokenizer fields of a GGUF's metadata (`tokenizer.ggml.*`). */
export interface GgufVocabulary {
  model: string;
  pre?: string;
  tokens: readonly string[];
  scores?: readonly number[];
  tokenTypes?: readonly number[];
  merges?: readonly string[];
  bosTokenId?: number;
  eosTokenId?: number;
  eotTokenId?: number;
  unknownTokenId?: number;
  addBosToken?: boolean;
}

// llama.cpp token types.
const TOKEN_TYPE_UNKNOWN = 2;
const TOKEN_TYPE_CONTROL = 3;
const TOKEN_TYPE_USER_DEFINED = 4;

// The pre-tokenizer split patterns of the byte-level BPE families (as in their tokenizer.json files).
const LLAMA3_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };

function byteLevelPreTokenizer(pre: string | undefined): Record<string, unknown> {
  const pattern = pre === 'llama-bpe' || pre === 'smollm' ? LLAMA3_PATTERN : pre === 'qwen2' ? QWEN2_PATTERN : undefined;
  if (!pattern) return byteLevel;
  return {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false },
      { ...byteLevel, use_regex: false },
    ],
  };
}

function addedTokens(vocabulary: GgufVocabulary): Array<Record<string, unknown>> {
  const types = vocabulary.tokenTypes ?? [];
  const result: Array<Record<string, unknown>> = [];
  vocabulary.tokens.forEach((content, id) => {
    const type = types[id];
    if (type !== TOKEN_TYPE_CONTROL && type !== TOKEN_TYPE_USER_DEFINED && type !== TOKEN_TYPE_UNKNOWN) return;
    result.push({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: type !== TOKEN_TYPE_USER_DEFINED });
  });
  return result;
}

/**
 * SentencePiece BPE merges from the vocabulary scores, as transformers' SentencePieceExtractor
 * derives them: every split of a piece into two known pieces, the best-scored pieces first.
 */
function sentencePieceMerges(tokens: readonly string[], scores: readonly number[]): string[] {
  const ids = new Map(tokens.map((token, id) => [token, id]));
  const merges: Array<{ left: string; right: string; score: number; order: number }> = [];
  tokens.forEach((piece, pieceId) => {
    const chars = Array.from(piece);
    const local: Array<{ left: string; right: string }> = [];
    for (let index = 1; index < chars.length; index++) {
      const left = chars.slice(0, index).join('');
      const right = chars.slice(index).join('');
      if (ids.has(left) && ids.has(right)) local.push({ left, right });
    }
    local.sort((a, b) => ids.get(a.left)! - ids.get(b.left)! || ids.get(a.right)! - ids.get(b.right)!);
    for (const merge of local) merges.push({ ...merge, score: scores[pieceId] ?? 0, order: merges.length });
  });
  merges.sort((a, b) => b.score - a.score || a.order - b.order);
  return merges.map((merge) => `${merge.left} ${merge.right}`);
}

/** A Hugging Face tokenizer.json equivalent to a GGUF's vocabulary (byte-level BPE or SentencePiece). */
export function tokenizerJsonFromGguf(vocabulary: GgufVocabulary): Record<string, unknown> {
  const vocab = Object.fromEntries(vocabulary.tokens.map((token, id) => [token, id]));
  const added = addedTokens(vocabulary);
  if (vocabulary.model === 'gpt2') {
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: added,
      normalizer: null,
      pre_tokenizer: byteLevelPreTokenizer(vocabulary.pre),
      post_processor: { ...byteLevel, trim_offsets: false },
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: vocabulary.pre === 'llama-bpe',
        vocab,
        merges: [...(vocabulary.merges ?? [])],
      },
    };
  }
  if (vocabulary.model === 'llama') {
    const bos = vocabulary.bosTokenId !== undefined ? vocabulary.tokens[vocabulary.bosTokenId] : undefined;
    const addBos = (vocabulary.addBosToken ?? true) && bos !== undefined;
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: added,
      normalizer: {
        type: 'Sequence',
        normalizers: [
          { type: 'Prepend', prepend: '▁' },
          { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
        ],
      },
      pre_tokenizer: null,
      post_processor: addBos
        ? {
            type: 'TemplateProcessing',
            single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
            pair: [
              { SpecialToken: { id: bos, type_id: 0 } },
              { Sequence: { id: 'A', type_id: 0 } },
              { SpecialToken: { id: bos, type_id: 1 } },
              { Sequence: { id: 'B', type_id: 1 } },
            ],
            special_tokens: { [bos]: { id: bos, ids: [vocabulary.bosTokenId], tokens: [bos] } },
          }
        : null,
      decoder: {
        type: 'Sequence',
        decoders: [
          { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
          { type: 'ByteFallback' },
          { type: 'Fuse' },
          { type: 'Strip', content: ' ', start: 1, stop: 0 },
        ],
      },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: vocabulary.unknownTokenId !== undefined ? vocabulary.tokens[vocabulary.unknownTokenId] : null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: true,
        byte_fallback: true,
        ignore_merges: false,
        vocab,
        merges: sentencePieceMerges(vocabulary.tokens, vocabulary.scores ?? []),
      },
    };
  }
  throw new InvalidRequestError(`GGUF tokenizer model '${vocabulary.model}' is not supported; supported: gpt2 (byte-level BPE), llama (SentencePiece).`);
}
