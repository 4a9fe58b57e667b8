// The prompts both tokenizers are checked on: ordinary FLUX prompts plus the cases tokenizers get
// wrong (punctuation, digits, casing, accents, scripts, emoji, whitespace, lengths past every limit).

const scene = 'a lighthouse on a rocky cliff at dusk, waves crashing below, seagulls circling, '
  + 'warm light from the lantern room, dramatic clouds, cinematic composition, 35mm film grain';

// About 80 CLIP tokens and 160 T5 tokens: past CLIP's 75 content tokens, under T5's 255.
const longScene = [
  scene,
  'in the foreground a weathered wooden fence with moss and wildflowers',
  'in the background a small fishing village with whitewashed houses and red roofs',
  'soft golden hour lighting, volumetric fog, highly detailed, sharp focus, octane render',
].join('; ');

// Between T5's two limits: truncated at 256, whole at 512.
const twoScenes = `${longScene}. Seen again from the sea: ${longScene}.`;

// Well past 511 T5 tokens, so both T5 lengths (256 and 512) truncate.
const veryLongScene = Array.from({ length: 9 }, (_, i) => `Chapter ${i + 1}: ${longScene}.`).join(' ');

export const prompts = [
  { name: 'cat', prompt: 'a photo of a cat' },
  { name: 'casing', prompt: 'A Photo Of A CAT, ALL CAPS and MiXeD cAsE' },
  { name: 'reference-colours', prompt: 'a red circle on a blue background' },
  { name: 'punctuation', prompt: "Hello, world! How's it going? I'm fine; you'll see: it's 100% true... (really) [yes] {ok}" },
  { name: 'contractions', prompt: "don't can't won't shouldn't y'all O'Neil's rock'n'roll" },
  { name: 'digits', prompt: '3.14159 x 2 = 6.28318, 1,000,000 apples cost $42.50 in 2024-05-17 at 10:30am' },
  { name: 'accents', prompt: 'Café crème, naïve façade, jalapeño, Ångström, Zürich, São Paulo, Dvořák' },
  { name: 'decomposed-accents', prompt: 'Cafe\u0301 cre\u0300me, nai\u0308ve A\u030Angstro\u0308m' },
  { name: 'accents-upper', prompt: 'CRÈME BRÛLÉE À LA MODE, ÉTÉ, ÑANDÚ' },
  { name: 'scripts', prompt: 'Москва ночью, неоновые огни; Ελληνικά γράμματα; 東京の夜景' },
  { name: 'emoji', prompt: '🐱 a cat wearing sunglasses 😎 on the beach 🏖️ with a 🍉' },
  { name: 'outer-whitespace', prompt: '   \t a quiet forest at dawn \n  ' },
  { name: 'inner-whitespace', prompt: 'multiple    internal\tspaces\nand\n\nnew lines   between words' },
  { name: 'empty', prompt: '' },
  { name: 'whitespace-only', prompt: ' \t\n ' },
  { name: 'weights-syntax', prompt: 'photo-realistic, 8k, ultra-detailed, (masterpiece:1.2), [best quality], <lora:style>' },
  { name: 'web', prompt: 'email me at someone@example.com or see https://example.org/path?q=1&x=2#top' },
  { name: 'symbols', prompt: '#hashtag @mention snake_case camelCase kebab-case ~tilde~ a|b a/b a\\b 50°C ±5 €10 £3 ¥7' },
  { name: 'compatibility-forms', prompt: 'ﬁne ligatures, full-width ＡＢＣ１２３, superscript x² and ½ cup' },
  { name: 'special-token-text', prompt: 'a cat <|endoftext|> and a dog <|startoftext|>' },
  { name: 'single-letter', prompt: 'x' },
  { name: 'repeated-letters', prompt: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa zzzzzzzz' },
  { name: 'scene', prompt: scene },
  { name: 'long', prompt: longScene },
  { name: 'between-t5-limits', prompt: twoScenes },
  { name: 'very-long', prompt: veryLongScene },
];
