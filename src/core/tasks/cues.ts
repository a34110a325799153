/**
 * The cues the task classifier looks for, as data: each is one precompiled pattern, the task it
 * votes for, how strongly, and the cue code whose words a user reads in the explanation ("math: contains an
 * equation"). English and Chinese cues sit side by side.
 *
 * Weights (why these numbers): an explicit request ("translate…", "写一首诗") is INTENT and
 * weighs 4; content that can only be one thing (a code fence, a stack trace, LaTeX) is EVIDENCE
 * and weighs 3; a domain word ("integral", "代码") weighs 2; a hint that is often innocent
 * ("why", a camelCase word) weighs 1. Votes for a task add up, so "write a Python function that
 * integrates x^2" is code (intent 4 + language 2) rather than math (word 2 + formula 3 is 5 < 6).
 *
 * Every pattern is linear-time: no nested quantifiers, every gap bounded ({0,40}), so a hostile
 * 100 KB prompt cannot make classification slow (bench/classify.ts measures it).
 */
import type { CueCode } from '../reasons/types';
import type { Task } from '../types';

export interface Cue {
  task: Task;
  weight: number;
  /** Completes "<task>: …": its words are the template of this code (src/core/reasons/templates.ts), e.g. "contains an equation". */
  cue: CueCode;
  pattern: RegExp;
}

const INTENT = 4;
const EVIDENCE = 3;
const DOMAIN_WORD = 2;
const HINT = 1;

/** Programming languages and tools named in prose ("in Python", "用 Rust"). */
const LANGUAGE_NAMES =
  'python|javascript|typescript|java|kotlin|swift|golang|rust|c\\+\\+|c#|php|ruby|scala|haskell|lua|perl|bash|powershell|sql|html|css|react|vue|angular|node\\.?js|django|flask|spring|numpy|pandas|pytorch|tensorflow|docker|kubernetes|git|regex|json|yaml';

export const CUES: readonly Cue[] = [
  // ---- translate ------------------------------------------------------------------------
  { task: 'translate', weight: INTENT, cue: 'cue_translation', pattern: /\btranslat(?:e|ion|ing)\b|\b(?:in|into) (?:english|chinese|japanese|korean|french|german|spanish|russian)\b[^\n]{0,3}$/im },
  { task: 'translate', weight: INTENT, cue: 'cue_translation', pattern: /翻译|译成|译为|翻成|英译中|中译英|汉译英|英译汉|用(?:英语|英文|中文|日语|汉语)(?:怎么|如何)?说/ },

  // ---- summarize ------------------------------------------------------------------------
  { task: 'summarize', weight: INTENT, cue: 'cue_summary', pattern: /\bsummar(?:y|ize|ise|izing|ising)\b|\btl;?dr\b|\bsum (?:it |this )?up\b|\bkey (?:points|takeaways)\b|\bgist of\b/i },
  { task: 'summarize', weight: INTENT, cue: 'cue_summary', pattern: /总结|摘要|概括|归纳|概述|要点|提炼/ },

  // ---- creative -------------------------------------------------------------------------
  { task: 'creative', weight: INTENT, cue: 'cue_creative', pattern: /\b(?:write|compose|create|make up|tell)\b[^\n.?!]{0,30}\b(?:poem|poetry|haiku|sonnet|story|short story|tale|song|lyrics|limerick|slogan|joke|novel|fable|script for a)\b/i },
  { task: 'creative', weight: INTENT, cue: 'cue_creative', pattern: /写(?:一|首|篇|个|段)?[^\n。？！]{0,12}(?:诗|词|故事|小说|歌词|童话|剧本|文案|散文|对联)|编(?:一个|个)?[^\n。？！]{0,12}故事|创作/ },
  { task: 'creative', weight: DOMAIN_WORD, cue: 'cue_poetry', pattern: /\b(?:poem|haiku|sonnet|rhyme|fairy tale|bedtime story)\b|诗歌|绝句|七言|五言|睡前故事|童话/i },

  // ---- code -----------------------------------------------------------------------------
  { task: 'code', weight: EVIDENCE, cue: 'cue_code_block', pattern: /```|~~~/ },
  { task: 'code', weight: EVIDENCE, cue: 'cue_stack_trace', pattern: /Traceback \(most recent call last\)|^\s+at [\w$.<>]+ \(?[^\s()]+:\d+:\d+\)?$|^\s+File "[^"\n]+", line \d+|Exception in thread "|panicked at /m },
  { task: 'code', weight: EVIDENCE, cue: 'cue_code', pattern: /^\s*(?:def |class |function |fn |func |import |from \S+ import |#include\s*<|package \w|public (?:static )?(?:class|void|int)|const \w+ = |let \w+ = |var \w+ = |SELECT .{1,80} FROM )/im },
  { task: 'code', weight: EVIDENCE, cue: 'cue_code', pattern: /=>\s*\{|\)\s*\{\s*$|;\s*$[\r\n]+[^\n]{0,120};\s*$|\w+\.\w+\([^()\n]{0,40}\)\s*;|<\/?(?:div|span|template|script)\b/m },
  { task: 'code', weight: DOMAIN_WORD, cue: 'cue_programming_error', pattern: /\b(?:TypeError|ValueError|KeyError|SyntaxError|ReferenceError|NullPointerException|IndexError|AttributeError|segfault|segmentation fault|undefined is not|cannot find module|null pointer)\b/i },
  { task: 'code', weight: INTENT, cue: 'cue_write_code', pattern: /\b(?:write|implement|create|build|generate|fix|debug|refactor|optimi[sz]e|review|port|convert)\b[^\n.?!]{0,40}\b(?:function|method|class|script|program|code|regex|query|endpoint|api|component|unit tests?|module|bug|algorithm|cli|sql)\b/i },
  { task: 'code', weight: INTENT, cue: 'cue_write_code', pattern: /(?:写|实现|编写|生成|修复|修改|优化|重构|调试)[^\n。？！]{0,15}(?:代码|函数|程序|脚本|类|接口|正则|算法|组件|单元测试|SQL|bug|Bug)/ },
  // "Translate this function to Rust" is porting code, not a translation: outvotes the translate cue.
  { task: 'code', weight: INTENT, cue: 'cue_port_code', pattern: new RegExp(`(?:translate|convert|port|rewrite)\\b[^\\n.?!]{0,40}\\b(?:to|into|in)\\s+(?:${LANGUAGE_NAMES})(?![\\w+#])|(?:翻译|转换|改写|转)成?\\s?(?:${LANGUAGE_NAMES})`, 'i') },
  { task: 'code', weight: EVIDENCE, cue: 'cue_in_language', pattern: new RegExp(`\\b(?:in|using|with)\\s+(?:${LANGUAGE_NAMES})(?![\\w+#])|用\\s?(?:${LANGUAGE_NAMES})(?![\\w+#])`, 'i') },
  { task: 'code', weight: DOMAIN_WORD, cue: 'cue_language_name', pattern: new RegExp(`(?:^|[^\\w])(?:${LANGUAGE_NAMES})(?![\\w+#])`, 'i') },
  { task: 'code', weight: DOMAIN_WORD, cue: 'cue_talks_code', pattern: /\b(?:compiler?|compile error|runtime error|stack trace|variable|recursion|recursive|array|linked list|hash ?map|binary search|quicksort|merge ?sort|time complexity|big-?o|closure|pointer|api|endpoint|repository|pull request|unit test|npm|pip install|refactor|debug|exception|null|boolean|async|await|callback)\b/i },
  { task: 'code', weight: DOMAIN_WORD, cue: 'cue_talks_code', pattern: /代码|编程|程序|函数|变量|报错|编译|调试|接口|数组|链表|递归|闭包|指针|线程|并发|内存泄漏|时间复杂度|排序算法|快速排序|二分查找|正则表达式|单元测试|异常|脚本|前端|后端|数据库/ },
  { task: 'code', weight: HINT, cue: 'cue_identifiers', pattern: /\b[a-z]{2,}[A-Z]\w*\b|\b[a-z]+_[a-z_]+\b|\b\w+\(\)/ },

  // ---- math -----------------------------------------------------------------------------
  { task: 'math', weight: EVIDENCE, cue: 'cue_latex', pattern: /\\(?:frac|int|sum|sqrt|lim|prod|cdot|times|infty|partial|alpha|beta|theta|pi|begin\{(?:equation|align|matrix|pmatrix|bmatrix)\})|\$\$|\$[^$\n]{1,80}[=^_][^$\n]{0,80}\$/ },
  // A term like 2x, x^2, x² or "x + 3" on one side of an "=" within the same line.
  { task: 'math', weight: EVIDENCE, cue: 'cue_equation', pattern: /(?:\d[a-z]\b|\b[a-z](?:\^\d+|[²³])|\b[a-z]\s*[-+*/]\s*\d)[^\n=]{0,40}=(?!=)|[^=!<>]=[^\n=]{0,40}(?:\d[a-z]\b|\b[a-z](?:\^\d+|[²³]))/i },
  { task: 'math', weight: EVIDENCE, cue: 'cue_math_symbols', pattern: /[∫∑∏√∞≤≥≠≈±∂∆∇π²³]|\b(?:sin|cos|tan|log|ln|exp)\s*\(/ },
  { task: 'math', weight: DOMAIN_WORD, cue: 'cue_arithmetic', pattern: /\d+(?:\.\d+)?\s*[-+*/×÷^]\s*\(?\d+(?:\.\d+)?|\d+(?:\.\d+)?\s*%\s*of\s*\d|\d+(?:\.\d+)?\s*的\s*\d+(?:\.\d+)?\s*%|\d+\s*!(?!=)/ },
  { task: 'math', weight: INTENT, cue: 'cue_solve', pattern: /\b(?:solve|calculate|compute|evaluate|simplify|differentiate|integrate|factori[sz]e|prove that|find the (?:value|derivative|integral|limit|area|probability|sum|roots?))\b/i },
  { task: 'math', weight: INTENT, cue: 'cue_solve', pattern: /求解|解方程|解不等式|计算(?=\s*[:：]?\s*[\d(（√∫]|一下|出|下列|以下|下面)|求导|求积分|化简|证明|求[^\n。？！]{0,8}(?:值|面积|体积|概率|极限|导数|积分|和|根)/ },
  { task: 'math', weight: DOMAIN_WORD, cue: 'cue_talks_math', pattern: /\b(?:equations?|integral|derivative|matrix|matrices|eigenvalues?|probability|polynomial|theorem|geometry|algebra|calculus|logarithm|quadratic|fraction|prime numbers?|triangle|hypotenuse|percent(?:age)?|average|median)\b/i },
  { task: 'math', weight: DOMAIN_WORD, cue: 'cue_talks_math', pattern: /方程|积分|导数|微分|极限|矩阵|概率|几何|代数|多项式|三角形|函数的|数列|不等式|平均数|百分之|分数|质数|面积|体积/ },

  // ---- reasoning ------------------------------------------------------------------------
  { task: 'reasoning', weight: INTENT, cue: 'cue_step_by_step', pattern: /\bstep[- ]by[- ]step\b|\bthink (?:carefully|through|hard)\b|\bpros and cons\b|\btrade-?offs?\b|\bcompare\b|\banaly[sz]e\b|\banalysis\b|\bevaluate the\b|\blogic(?:al)? puzzle\b|\breason(?:ing)? about\b/i },
  { task: 'reasoning', weight: INTENT, cue: 'cue_step_by_step', pattern: /分析|推理|一步一步|逐步|利弊|优缺点|权衡|比较一下|对比|论证|逻辑题|深入思考|为什么会/ },
  { task: 'reasoning', weight: HINT, cue: 'cue_why', pattern: /\bwhy\b|\bhow come\b|为什么|为何/i },
];

/** A word problem: a question about quantities with at least this many numbers in it. */
export const WORD_PROBLEM_MIN_NUMBERS = 2;
export const WORD_PROBLEM_QUESTION = /\bhow (?:many|much|far|fast|long|old)\b|\bwhat is the (?:total|sum|difference|product|average|probability|speed|area)\b|多少|几(?:个|只|天|小时|人|岁|元|次|辆|分钟|米|公里)|哪一年|共有|一共|平均/i;
export const NUMBER = /\d+(?:\.\d+)?|[一二三四五六七八九十百千万两]+(?=[个只天人岁元次辆米])/g;

/** Editor language ids that are not code, so a file open in them says nothing about the task. */
export const PROSE_LANGUAGE_IDS: ReadonlySet<string> = new Set(['plaintext', 'markdown', 'scminput', 'log', 'text', '']);
/** Editor language ids that mean mathematics. */
export const MATH_LANGUAGE_IDS: ReadonlySet<string> = new Set(['latex', 'tex', 'bibtex']);
