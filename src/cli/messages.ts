/**
 * The CLI's words for the core's reasons (src/core/reasons), one table per language: English is
 * the core's own table, so the English output is exactly what the core logs; Simplified Chinese
 * is chosen from the locale variables as POSIX orders them (LC_ALL, then LC_MESSAGES, then LANG).
 * Same codes, same {n} placeholders (test/unit/cli/messages.test.ts checks both).
 */
import { type ReasonTable, reasonTemplates } from '../core/reasons';

export const zhCnReasons: ReasonTable = {
  why_settings_rank: '设置中{1}任务的第 {0} 选择',
  why_defaults_rank: '默认配置中{1}任务的第 {0} 选择',
  why_pinned: '已固定为 {0}',
  why_pinned_listed: '已固定为 {0}；在{1}任务列表中',
  why_installed_as: '已安装为 {0}',
  why_installed_fallback: '已安装在 {0} 上；{1}任务列表中的模型都未安装',
  why_local_unlisted: '{0} 是本地提供方，不在{1}任务列表中',
  why_cloud_unlisted: '{0} 已配置，但不在{1}任务列表中',

  excl_bad_ref: '{0}',
  excl_not_configured: '{0}：没有配置此 id 的提供方',
  excl_unavailable: '{0}：{1}',
  excl_disabled: '{0}：已在设置中禁用',
  excl_cloud_in_local_mode: '{0}：云端提供方，而当前模式为仅本地',
  excl_cloud_refused: '{0}：云端提供方；设置 {1} 修正之前拒绝一切云端调用',
  excl_local_in_cloud_mode: '{0}：本地提供方，而当前模式为仅云端',
  excl_local_escalating: '{0}：已跳过本地提供方，此请求要求更强的（云端）模型',
  excl_not_loopback: '{0}：{1} 不是回环地址，也不在 network.trustedLocalHosts 中，因此算作云端，且没有 API 密钥',
  excl_no_key: '{0}：没有 {1} 的 API 密钥',
  excl_no_models_configured: '{0}：没有配置模型',
  excl_local_down: '{0}：不可用（{1}）',
  excl_no_models_installed: '{0}：没有安装模型',
  excl_not_installed: '未安装在 {0} 上',
  excl_not_pulled_ollama: '未安装在 {0} 上（ollama pull {1}）',
  excl_context_too_small: '上下文窗口 {0} 个 token（{1}）太小：需要 {2} 个（提示约 {3} + 回答 {4}）',

  cue_translation: '要求翻译',
  cue_summary: '要求总结',
  cue_creative: '要求创意写作',
  cue_poetry: '提到诗歌或小说',
  cue_code_block: '包含代码块',
  cue_stack_trace: '包含堆栈跟踪',
  cue_code: '包含代码',
  cue_programming_error: '提到编程错误',
  cue_write_code: '要求编写或修复代码',
  cue_port_code: '要求把代码移植到另一种语言',
  cue_in_language: '要求用某种编程语言实现',
  cue_language_name: '提到编程语言',
  cue_talks_code: '谈论代码',
  cue_identifiers: '提到了标识符',
  cue_latex: '包含 LaTeX',
  cue_equation: '包含方程',
  cue_math_symbols: '包含数学符号',
  cue_arithmetic: '包含算式',
  cue_solve: '要求求解或计算',
  cue_talks_math: '谈论数学',
  cue_step_by_step: '要求逐步分析',
  cue_why: '询问原因',
  cue_word_problem: '是带数字的应用题',
  cue_file_is: '文件类型为 {0}',
  cue_open_file_is: '打开的文件类型为 {0}',
  cue_selected_in_file: '询问 {0} 文件中选中的代码',

  task_long_context: '约 {0} 个 token，超过小型本地模型可容纳的 {1} 个',
  task_no_cues: '没有代码、数学、翻译或其他任务的线索',
  task_given: '由请求指定',
  task_fim: '中间填充（FIM）请求',
  task_cues: '{0}',
  list_separator: '，',

  sig_truncated: "回答在 token 上限处被截断（结束原因 \"length\"）",
  sig_finished: "正常结束（结束原因 \"{0}\"）",
  sig_not_judged_task_math: "未判断：任务 \"{0}\" 不检查最终答案",
  sig_not_judged_empty: "未判断：回答为空",
  sig_final_stated: "回答给出了最终结果",
  sig_math_no_final: "数学回答始终没有给出最终结果（结尾没有 \\boxed{}、\"the answer is\"、\"= 值\"、答案/所以/因此…）",
  sig_no_logprobs: "未判断：本地模型没有返回 token 对数概率",
  sig_few_tokens: "未判断：{0} 个 token 少于所需的 {1} 个",
  sig_logprobs: "{0} 的 token 低于 p={1}（上限 {2}；{5} 个 token 的 {3} = {4}）",
  sig_user: "你要求使用更强的模型",
  sig_user_why: "你要求使用更强的模型：{0}",
  sig_marker: "本地模型表示不确定（回答了 {0}）",
  sig_marker_line: "本地模型表示不确定（在第 {1} 行回答了 {0}）",
  sig_no_marker: "回答中没有 {0} 标记",
  sig_empty: "本地模型返回了空回答",
  sig_characters: "回答共 {0} 个字符",
  sig_content_filter: "提供方的内容过滤器中止了本地回答",
  sig_refused: "本地模型拒绝了（\"{0}\"）",
  sig_no_refusal: "回答开头没有拒绝",
  sig_not_judged_task_code: "未判断：任务 \"{0}\" 不检查代码",
  sig_no_code_blocks: "未判断：没有代码块",
  sig_no_parsable_block: "未判断：没有我们能解析的语言的代码块",
  sig_code_parse: "{0} 代码块（第 {1} 个，共 {2} 个）无法解析：其第 {3} 行有语法错误（`{4}`）",
  sig_code_parses: "{0} 个代码块可以解析（{1}）",
  sig_not_judged_ended: "未判断：本次尝试以 \"{0}\" 结束",

  notice_escalation_failed: '无法升级：{0} 保留来自 {1} 的回答。',
  notice_unreliable_local_only: '这个回答可能不可靠（{0}）。仅本地模式：不升级到云端模型。',
  notice_unreliable_no_target: '这个回答可能不可靠（{0}），且没有更强的模型可以升级。',
  notice_unreliable_refused: '这个回答可能不可靠（{0}）。无法升级：{1}',
  signal_separator: '；',
  notice_max_tokens_lowered: 'max_tokens 已从 {0} 降到 {1}，以便 {2} 不超出预算',

  budget_refused: '{0} 这次请求最多可能花费 {1}（{2} 个输入 + {3} 个输出 token），但{6} {5} 中{7}已用掉 {4}{8}。没有发出任何调用。请调高 {9}，或等到下一{10}。',
  budget_limit_workspace_day: '工作区每日上限',
  budget_limit_workspace_month: '工作区每月上限',
  budget_limit_global_day: '全局每日上限（所有工作区）',
  budget_limit_global_month: '全局每月上限（所有工作区）',
  budget_when_day: '今天',
  budget_when_month: '本月',
  budget_held: '，另有 {0} 被进行中的请求占用',
  budget_setting_capped: '{0}（不超过 {1}）',
  budget_next_day: '天',
  budget_next_month: '个月',
};

/** The CLI's tables by language tag (lower case, as in the locale variables). */
export const CLI_REASON_TABLES: Readonly<Record<'en' | 'zh-cn', ReasonTable>> = { en: reasonTemplates, 'zh-cn': zhCnReasons };

/** The first locale variable that is set decides, as in POSIX: "zh_CN.UTF-8", "zh-CN", "zh" pick Chinese; anything else English. */
export function cliLanguage(env: NodeJS.ProcessEnv): 'en' | 'zh-cn' {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh(?:[_-](?:cn|hans|sg))?(?:[.@]|$)/i.test(locale) ? 'zh-cn' : 'en';
}

export function cliReasonTable(env: NodeJS.ProcessEnv): ReasonTable {
  return CLI_REASON_TABLES[cliLanguage(env)];
}
