/** Every vendor's double by name: the registry of startOpenAICompatibleServer({vendor}). A new vendor is a file here and a line below. */
import type { VendorDouble, VendorName } from '../compatible/vendor';
import { custom } from './custom';
import { dashscope } from './dashscope';
import { gemini } from './gemini';
import { groq } from './groq';
import { llama } from './llama';
import { ollamaOpenai } from './ollamaOpenai';
import { openai } from './openai';
import { zhipu } from './zhipu';

export const VENDORS: Record<VendorName, VendorDouble> = {
  openai,
  llama,
  groq,
  dashscope,
  zhipu,
  gemini,
  'ollama-openai': ollamaOpenai,
  custom,
};
