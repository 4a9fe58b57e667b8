// Reference token ids for the C# tokenizers (Flux.Inference.Text), produced by an independent
// implementation: Hugging Face transformers.js (@huggingface/transformers, pinned in package.json).
//
//   cd tools/tokenizer-reference && npm ci --ignore-scripts && node generate.mjs [--shared DIR] [--out FILE]
//
// Inputs are local files only (nothing is downloaded): the CLIP vocabulary (vocab.json + merges.txt)
// and the T5-style unigram tokenizer.json from the project's shared tokenizer folder (found as
// `shared/tokenizers` beside the repository or one of its parents, or given with --shared).
// Output: tests/Flux.Inference.Tests/TestData/tokenizer-reference.json (committed).
//
// What the file holds per prompt:
//   content  ids of the trimmed prompt without special tokens (HF `add_special_tokens: false`)
//   ids      the model input: content truncated so that HF's special tokens still fit, wrapped in the
//            special tokens HF's post-processor adds, padded with HF's pad token id. transformers.js
//            truncates *after* adding special tokens (it would cut off `</s>`), so the truncation is
//            done here the way Python transformers does it (`num_special_tokens_to_add`), from HF's
//            own ids; no id is taken from the C# code under test.
import { env, AutoTokenizer } from '@huggingface/transformers';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

const CLIP_LENGTH = 77;
const T5_LENGTHS = [256, 512];

// The CLIP tokenizer of openai/clip-vit-large-patch14 (the one FLUX.1 ships as tokenizer/), as the
// Hugging Face CLIP converter writes it: NFC, whitespace runs -> one space, lower-case; CLIP's split
// regex; byte-level alphabet; BPE with the `</w>` end-of-word suffix; <|startoftext|> ... <|endoftext|>.
const CLIP_SPLIT = "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

function parseArgs(argv) {
  const args = { shared: null, out: path.join(repoRoot, 'tests', 'Flux.Inference.Tests', 'TestData', 'tokenizer-reference.json') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--shared') args.shared = path.resolve(argv[++i]);
    else if (argv[i] === '--out') args.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (allowed: --shared DIR, --out FILE)`);
  }
  return args;
}

function findSharedTokenizers() {
  for (let dir = repoRoot; ; dir = path.dirname(dir)) {
    const candidate = path.join(path.dirname(dir), 'shared', 'tokenizers');
    if (fs.existsSync(path.join(candidate, 'clip', 'vocab.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no shared/tokenizers folder beside ${repoRoot} or its parents; pass --shared DIR`);
  }
}

function addedToken(id, content) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true };
}

function writeClipTokenizer(clipDir, targetDir) {
  const vocab = JSON.parse(fs.readFileSync(path.join(clipDir, 'vocab.json'), 'utf8'));
  const merges = fs.readFileSync(path.join(clipDir, 'merges.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#version'));
  const bos = vocab['<|startoftext|>'];
  const eos = vocab['<|endoftext|>'];
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [addedToken(bos, '<|startoftext|>'), addedToken(eos, '<|endoftext|>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_SPLIT }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['<|endoftext|>', eos],
      cls: ['<|startoftext|>', bos],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
  const config = {
    tokenizer_class: 'CLIPTokenizer',
    model_max_length: CLIP_LENGTH,
    do_lower_case: true,
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
  };
  fs.mkdirSync(targetDir, { recursive: true });
  fs.writeFileSync(path.join(targetDir, 'tokenizer.json'), JSON.stringify(tokenizer));
  fs.writeFileSync(path.join(targetDir, 'tokenizer_config.json'), JSON.stringify(config));
}

function copyT5Tokenizer(t5Dir, targetDir) {
  fs.mkdirSync(targetDir, { recursive: true });
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
    fs.copyFileSync(path.join(t5Dir, file), path.join(targetDir, file));
  }
}

/** The special tokens HF's post-processor puts before and after the content, read from a probe text. */
function specialWrapping(tokenizer) {
  const content = tokenizer.encode('a', { add_special_tokens: false });
  const full = tokenizer.encode('a', { add_special_tokens: true });
  for (let at = 0; at + content.length <= full.length; at++) {
    if (content.every((id, i) => full[at + i] === id)) {
      return { prefix: full.slice(0, at), suffix: full.slice(at + content.length) };
    }
  }
  throw new Error('the probe content is not a contiguous part of its ids with special tokens');
}

function encode(tokenizer, prompt, lengths) {
  const text = prompt.trim(); // the project trims prompts before encoding (DESIGN section 3)
  const content = tokenizer.encode(text, { add_special_tokens: false });
  const { prefix, suffix } = specialWrapping(tokenizer);
  const full = tokenizer.encode(text, { add_special_tokens: true });
  const expected = [...prefix, ...content, ...suffix];
  if (full.length !== expected.length || full.some((id, i) => id !== expected[i])) {
    throw new Error(`HF wraps ${JSON.stringify(prompt)} differently from the probe: ${full}`);
  }
  const result = { content };
  for (const length of lengths) {
    // Python transformers' truncation: drop content from the end so that the special tokens fit.
    const kept = content.slice(0, length - prefix.length - suffix.length);
    const ids = [...prefix, ...kept, ...suffix];
    while (ids.length < length) ids.push(tokenizer.pad_token_id);
    result[`ids${length}`] = ids;
  }
  return result;
}

const { prompts } = await import('./prompts.mjs');

const args = parseArgs(process.argv.slice(2));
const shared = args.shared ?? findSharedTokenizers();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-tokenizer-reference-'));
try {
  writeClipTokenizer(path.join(shared, 'clip'), path.join(workDir, 'clip'));
  copyT5Tokenizer(path.join(shared, 't5-unigram'), path.join(workDir, 't5-unigram'));
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = workDir;
  const clip = await AutoTokenizer.from_pretrained('clip', { local_files_only: true });
  const t5 = await AutoTokenizer.from_pretrained('t5-unigram', { local_files_only: true });

  const entries = prompts.map(({ name, prompt }) => ({
    name,
    prompt,
    clip: encode(clip, prompt, [CLIP_LENGTH]),
    t5: encode(t5, prompt, T5_LENGTHS),
  }));
  const document = {
    generator: 'tools/tokenizer-reference/generate.mjs',
    implementation: '@huggingface/transformers 4.3.1 (tokenizers.js), from local files only',
    clip: {
      source: 'shared/tokenizers/clip (vocab.json, merges.txt) with the openai/clip-vit-large-patch14 tokenizer configuration',
      bosId: clip.bos_token_id,
      eosId: clip.eos_token_id,
      padId: clip.pad_token_id,
    },
    t5: {
      source: 'shared/tokenizers/t5-unigram/tokenizer.json',
      eosId: t5.eos_token_id,
      padId: t5.pad_token_id,
      unkId: t5._tokenizer.model?.unk_token_id ?? null,
      note: 'tokenizer.json names <pad>=0, <unk>=1, </s>=2 and its Unigram model emits unk_id 0 for unknown pieces; '
        + 'spiece.model leaves its trainer ids at the SentencePiece defaults (unk 0, bos 1, eos 2, pad -1) over the same pieces. '
        + 'So eos (2), unknown (0) and padding (0, the <pad> piece) are the same ids on both sides; bos is never emitted.',
    },
    prompts: entries,
  };
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, formatDocument(document));
  console.log(`wrote ${entries.length} prompts to ${path.relative(process.cwd(), args.out)}`);
} finally {
  fs.rmSync(workDir, { recursive: true, force: true });
}

/** Pretty JSON with every id array on one line, so a diff shows which prompt changed. */
function formatDocument(document) {
  return JSON.stringify(document, null, 2).replace(/\[\s+([-\d,\s]*?)\s+\]/g, (_, body) => `[${body.split(/,\s*/).join(', ')}]`) + '\n';
}
