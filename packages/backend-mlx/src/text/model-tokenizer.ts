import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { InvalidRequestError, messageText, type ChatMessage } from '@llmux/core';

type Json = Record<string, unknown>;

/** The text of a special-token entry of tokenizer_config.json (a string or an AddedToken object). */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json)['content'] === 'string') return (value as Json)['content'] as string;
  return undefined;
}

/**
 * A model folder's tokenizer (tokenizer.json) and chat template (tokenizer_config.json's
 * `chat_template`, rendered with Jinja). Without a template, messages are joined plainly,
 * as the GGUF backend does for base models.
 */
export class ModelTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly template: Template | undefined,
    private readonly specials: { bos: string | undefined; eos: string | undefined },
    /** Token ids that end a generation. */
    readonly stopTokens: number[],
    /** Whether `encode` adds BOS itself (the tokenizer's post-processor), or the template writes it. */
    private readonly bosId: number | undefined,
  ) {}

  static async load(folder: string, configEos: number[], configBos: number | undefined): Promise<ModelTokenizer> {
    const tokenizerJson = JSON.parse(await readFile(join(folder, 'tokenizer.json'), 'utf8')) as Json;
    const configPath = join(folder, 'tokenizer_config.json');
    const tokenizerConfig = existsSync(configPath) ? (JSON.parse(await readFile(configPath, 'utf8')) as Json) : {};
    const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    let rawTemplate = tokenizerConfig['chat_template'];
    if (Array.isArray(rawTemplate)) {
      rawTemplate = (rawTemplate as Json[]).find((entry) => entry['name'] === 'default')?.['template'];
    }
    const chatTemplatePath = join(folder, 'chat_template.jinja');
    if (typeof rawTemplate !== 'string' && existsSync(chatTemplatePath)) rawTemplate = await readFile(chatTemplatePath, 'utf8');
    const template = typeof rawTemplate === 'string' && rawTemplate.trim() !== '' ? new Template(rawTemplate) : undefined;
    const bos = tokenText(tokenizerConfig['bos_token']);
    const eos = tokenText(tokenizerConfig['eos_token']);
    const stop = new Set(configEos);
    // generation_config.json often lists more end tokens (Llama 3 instruct: <|eot_id|>, <|eom_id|>).
    const generationPath = join(folder, 'generation_config.json');
    if (existsSync(generationPath)) {
      const generation = JSON.parse(await readFile(generationPath, 'utf8')) as Json;
      const ids = generation['eos_token_id'];
      for (const id of Array.isArray(ids) ? ids : [ids]) if (typeof id === 'number') stop.add(id);
    }
    const eosId = eos !== undefined ? tokenizer.token_to_id(eos) : undefined;
    if (eosId !== undefined) stop.add(eosId);
    const bosId = configBos ?? (bos !== undefined ? tokenizer.token_to_id(bos) : undefined);
    return new ModelTokenizer(tokenizer, template, { bos, eos }, [...stop], bosId);
  }

  get hasChatTemplate(): boolean {
    return this.template !== undefined;
  }

  /** Plain text to ids, with the special tokens the tokenizer adds (e.g. BOS). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: true }).ids;
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }

  /** The prompt ids of a chat, ready for generation of the assistant's reply. */
  chatPrompt(messages: ChatMessage[]): number[] {
    if (!this.template) return this.plainPrompt(messages);
    let text: string;
    try {
      text = this.template.render({
        messages: messages.map(toTemplateMessage),
        add_generation_prompt: true,
        bos_token: this.specials.bos ?? '',
        eos_token: this.specials.eos ?? '',
      });
    } catch (error) {
      // Templates reject conversations they cannot format (e.g. roles that do not alternate).
      throw new InvalidRequestError(`The model's chat template rejected the messages: ${error instanceof Error ? error.message : String(error)}`, {
        param: 'messages',
      });
    }
    // The template writes every special token itself (BOS included).
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Messages' texts joined by blank lines after BOS; the model continues the last. */
  private plainPrompt(messages: ChatMessage[]): number[] {
    const texts = messages.map((message) => messageText(message.content)).filter((text) => text.length > 0);
    const ids = this.tokenizer.encode(texts.join('\n\n'), { add_special_tokens: false }).ids;
    return this.bosId !== undefined ? [this.bosId, ...ids] : ids;
  }
}

function toTemplateMessage(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case 'tool':
      return { role: 'tool', content: message.content, tool_call_id: message.toolCallId };
    case 'assistant':
      return { role: 'assistant', content: message.content };
    default:
      return { role: message.role, content: messageText(message.content) };
  }
}
