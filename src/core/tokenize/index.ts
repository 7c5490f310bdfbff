/**
 * Tokenizer engine: any model's Hugging Face tokenizer.json (byte-level BPE: GPT-2, StarCoder2, Qwen,
 * Llama 3, DeepSeek-Coder; SentencePiece-style BPE: Llama 2/CodeLlama), structure markers, example
 * formats with budgets, token offsets. Ids equal the HF Rust reference (checked in test/unit/tokenize).
 *
 *   const tok = loadTokenizer();                 // bundled Qwen3; or a tokenizer.json / model folder path
 *   tok.encode(code, { offsets: true });         // { ids, offsets: [start, end) in code units }
 *   tok.decode(ids);                             // decode(encode(x)) === x for NFC text
 *   const m = tok.withMarkers();                 // the 30 MARKERS as special ids (idempotent)
 *   serializeExample(tok, { commit, chunks }, 'seed', { newCode: 1024 });
 *   fs.writeFileSync('tokenizer.json', tok.toJSON()); // base + markers, loadable by HF tokenizers
 *
 * Special added tokens are never recognised inside text (code that spells `<|endoftext|>` or a marker
 * stays ordinary tokens); non-special added tokens are, as HF does (e.g. Qwen's `<|file_sep|>`).
 */
export { loadTokenizer, tokenizerFile, tokenizerFromJSON, tokenizerSha256, HfTokenizer } from './tokenizer';
export type { Tokenizer, Encoding, AddedToken } from './tokenizer';
export { findLocalHfTokenizers, hfHubCacheDir } from './hfcache';
export { MARKERS } from './markers';
export type { Marker } from './markers';
export { UnsupportedTokenizerError } from './normalizer';
export { serializeExample, DEFAULT_BUDGETS, FORMAT_NAMES, FormatUnavailableError } from './format';
export type { FormatName, Budgets, ExampleInput, SerializedExample, SectionInfo } from './format';
