/**
 * The one prompt-size estimate (src/core/tokenEstimate.ts): at or above cl100k's count (the
 * budget's previous, exact count, and the largest of the tokenizers we route to) on every kind
 * of text a prompt carries, and not wildly above it on English and code.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateTextTokens } from '../../../src/core/cost/tokens';
import { estimateTokens } from '../../../src/core/tokenEstimate';
import { mulberry32 as seededRandom } from '../../fixtures/seededRandom';

const root = join(__dirname, '../../..');
const file = (p: string) => readFileSync(join(root, p), 'utf8');

function randomText(length: number, alphabet: string, seed: number): string {
  const rnd = seededRandom(seed);
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}

const SAMPLES: Record<string, () => string> = {
  'English (README)': () => file('README.md'),
  'TypeScript (router.ts)': () => file('src/core/router/router.ts'),
  'JSON (package.json)': () => file('package.json'),
  'minified JS (DOMPurify)': () => file('node_modules/dompurify/dist/purify.min.js').slice(0, 100_000),
  'Chinese (zh-cn bundle, text only)': () => Object.values(JSON.parse(file('l10n/bundle.l10n.zh-cn.json')) as Record<string, string>).join('\n'),
  Japanese: () => 'これは日本語の文章です。トークン数を見積もるためのサンプルです。漢字とひらがなとカタカナ。'.repeat(50),
  Korean: () => '이것은 한국어 문장입니다. 토큰 수를 추정하기 위한 예시입니다. '.repeat(50),
  German: () => 'Die Geschwindigkeitsbegrenzung auf der Autobahn wurde gestern vom Verkehrsministerium überraschend aufgehoben. '.repeat(50),
  French: () => "L'internationalisation des applications nécessite une compréhension approfondie des différences culturelles. ".repeat(50),
  Russian: () => 'Привет, как дела? Это пример русского текста для оценки числа токенов. '.repeat(50),
  Hindi: () => 'यह टोकन की संख्या का अनुमान लगाने के लिए हिंदी पाठ है। '.repeat(50),
  Thai: () => 'นี่คือข้อความภาษาไทยสำหรับการประมาณจำนวนโทเค็น '.repeat(50),
  emoji: () => '😀🎉🚀 hello 👍🏽 '.repeat(200),
  base64: () => randomText(10_000, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 1),
  hex: () => randomText(10_000, '0123456789abcdef', 2),
  'numbers (CSV)': () => randomText(10_000, '0123456789 ,.\n', 3),
  punctuation: () => randomText(10_000, '!@#$%^&*()_+-=[]{};:\'",.<>/?|\\`~', 4),
  indentation: () => ('\n' + ' '.repeat(16) + 'x = 1;').repeat(500),
};

describe('the shared prompt-size estimate', function () {
  // The cl100k reference builds its rank table on first use: ~1.5 s on a loaded 2-core machine.
  this.timeout(30_000);

  for (const [name, sample] of Object.entries(SAMPLES)) {
    it(`never counts below cl100k: ${name}`, () => {
      const text = sample();
      const exact = estimateTextTokens(text);
      const estimate = estimateTokens(text);
      assert.ok(estimate >= exact, `${estimate} estimated < ${exact} cl100k tokens`);
    });
  }

  it('stays within 2× of cl100k on English and code, so a model is not refused for a prompt it holds', () => {
    for (const name of ['English (README)', 'TypeScript (router.ts)', 'JSON (package.json)']) {
      const text = SAMPLES[name]!();
      const ratio = estimateTokens(text) / estimateTextTokens(text);
      assert.ok(ratio < 2, `${name}: ${ratio.toFixed(2)}×`);
    }
  });

  it('counts Chinese by character (about 1.25 each), not by characters ÷ 4', () => {
    const zh = '机器学习是人工智能的一个分支，它使计算机能够在没有明确编程的情况下从数据中学习。';
    assert.equal(estimateTokens(zh), Math.ceil(zh.length * 1.25));
  });
});
