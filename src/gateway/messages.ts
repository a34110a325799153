/**
 * Every sentence the gateway says (error messages in responses, the lines `switchyard serve`
 * prints), in English and Simplified Chinese: one table, so a translation is never missing for a
 * message that exists (the unit test checks both columns have the same ids and placeholders).
 * Placeholders are {0}, {1}, … like vscode.l10n.t's. No sentence may ever hold a key or token.
 */

export type GatewayLocale = 'en' | 'zh-cn';

const TABLE = {
  unauthorized: {
    en: 'Missing or invalid API token. Send it as "Authorization: Bearer <token>" or "X-API-Key: <token>"; the token is in {0}.',
    'zh-cn': 'API 令牌缺失或无效。请以 "Authorization: Bearer <token>" 或 "X-API-Key: <token>" 发送；令牌保存在 {0}。',
  },
  hostNotAllowed: {
    en: 'Host "{0}" is not allowed: the gateway answers only requests addressed to localhost or a loopback address on port {1} (protection against DNS rebinding).',
    'zh-cn': '不允许的 Host "{0}"：网关只响应发往 localhost 或回环地址端口 {1} 的请求（防御 DNS 重绑定）。',
  },
  originNotAllowed: {
    en: 'Requests from the web page at "{0}" are refused: add it to gateway.allowedOrigins in the settings file to allow it.',
    'zh-cn': '拒绝来自网页 "{0}" 的请求：如需允许，请将其加入设置文件的 gateway.allowedOrigins。',
  },
  bodyTooLarge: {
    en: 'The request body is larger than the limit of {0} bytes.',
    'zh-cn': '请求体超过 {0} 字节的上限。',
  },
  malformedJson: {
    en: 'The request body is not valid JSON: {0}',
    'zh-cn': '请求体不是有效的 JSON：{0}',
  },
  emptyBody: {
    en: 'The request body is empty: send a JSON object.',
    'zh-cn': '请求体为空：请发送一个 JSON 对象。',
  },
  unsupportedMediaType: {
    en: 'Send the body as JSON (Content-Type: application/json).',
    'zh-cn': '请以 JSON 格式发送请求体（Content-Type: application/json）。',
  },
  invalidField: {
    en: 'Invalid request: {0}',
    'zh-cn': '无效的请求：{0}',
  },
  modelNotFound: {
    en: 'The model "{0}" does not exist. Valid names: {1}.',
    'zh-cn': '模型 "{0}" 不存在。可用的名称：{1}。',
  },
  modelDisabled: {
    en: 'The model "{0}" is disabled in the gateway settings (PUT /config/models/{0} with enabled: true turns it back on).',
    'zh-cn': '模型 "{0}" 已在网关设置中停用（用 PUT /config/models/{0} 并设 enabled: true 可重新启用）。',
  },
  modelRateLimited: {
    en: 'The gateway limit for "{0}" ({1}) is reached: retry in {2} s.',
    'zh-cn': '"{0}" 的网关限额（{1}）已用尽：请在 {2} 秒后重试。',
  },
  notFound: {
    en: 'No route {0} {1}.',
    'zh-cn': '没有路由 {0} {1}。',
  },
  internal: {
    en: 'The gateway failed: {0}',
    'zh-cn': '网关出错：{0}',
  },
  shuttingDown: {
    en: 'The gateway is stopping; the request was not started.',
    'zh-cn': '网关正在停止；请求未开始处理。',
  },
  configReadOnly: {
    en: '"{0}" cannot be changed through the API: endpoints and keys are changed only in the settings file.',
    'zh-cn': '"{0}" 不能通过 API 修改：端点和密钥只能在设置文件中修改。',
  },
  serveListening: {
    en: 'Switchyard gateway listening on {0}\n  OpenAI-compatible base URL: {0}/v1\n  Design-note API:            {0}/api/llm (also {0}/api/v1/llm)\n  Token file (mode 0600):     {1}\n  Press Ctrl-C to stop.\n',
    'zh-cn': 'Switchyard 网关正在监听 {0}\n  OpenAI 兼容的 Base URL：{0}/v1\n  设计文档 API：           {0}/api/llm（也可用 {0}/api/v1/llm）\n  令牌文件（权限 0600）：   {1}\n  按 Ctrl-C 停止。\n',
  },
  serveNotLoopback: {
    en: 'Warning: {0} is not a loopback address: other machines can reach the gateway, and anyone with the token can spend your budget.\n',
    'zh-cn': '警告：{0} 不是回环地址：其他机器可以访问网关，任何持有令牌的人都能花费你的预算。\n',
  },
  tokenRotated: {
    en: 'The gateway token in {0} was replaced; a running gateway takes the new one at once and refuses the old one.\n',
    'zh-cn': '{0} 中的网关令牌已更换；正在运行的网关会立即改用新令牌并拒绝旧令牌。\n',
  },
  serveStopping: {
    en: 'Switchyard gateway stopping: {0} request(s) in flight are being finished or aborted.\n',
    'zh-cn': 'Switchyard 网关正在停止：正在完成或中止 {0} 个进行中的请求。\n',
  },
  serveStopped: {
    en: 'Switchyard gateway stopped.\n',
    'zh-cn': 'Switchyard 网关已停止。\n',
  },
} as const satisfies Record<string, Record<GatewayLocale, string>>;

export type GatewayMessageId = keyof typeof TABLE;

/** For the table's own test. */
export const GATEWAY_MESSAGES: Readonly<Record<GatewayMessageId, Readonly<Record<GatewayLocale, string>>>> = TABLE;

export function gatewayText(locale: GatewayLocale, id: GatewayMessageId, ...args: (string | number)[]): string {
  return TABLE[id][locale].replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : whole));
}

/** The locale from the environment the way the CLI runs (LC_ALL, LC_MESSAGES, LANG): zh_* → zh-cn, else English. */
export function localeFromEnv(env: NodeJS.ProcessEnv): GatewayLocale {
  const lang = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(lang) ? 'zh-cn' : 'en';
}
