// trl-preference: TRL's conversational preference rows with an explicit prompt, {prompt, chosen, rejected, tools}
// (DPOTrainer; KTOTrainer converts them). The pair is built as for openai-preference.
import { type Formatted, type PreferenceFormat, fail } from '../types.js';
import { chatRules, isObj } from './messages.js';
import { oneAssistantTurn } from './openai-preference.js';
import { TRL_RULES, trlMessages, trlTools } from './trl.js';

export const trlPreference: PreferenceFormat = {
  kind: 'preference',
  name: 'trl-preference',
  version: '1',
  description: 'Hugging Face TRL conversational preference rows: {prompt, chosen, rejected, tools}',
  format(pair): Formatted {
    const prompt = trlMessages(pair.input);
    const chosen = trlMessages([pair.chosenTurn]);
    const rejected = trlMessages([pair.rejectedTurn]);
    if (!prompt.ok) return fail(prompt.reason);
    if (!chosen.ok) return fail(chosen.reason);
    if (!rejected.ok) return fail(rejected.reason);
    return { ok: true, record: { prompt: prompt.messages, chosen: chosen.messages, rejected: rejected.messages, tools: trlTools(pair.tools) } };
  },
  validate(record) {
    if (!isObj(record)) return 'data_type';
    for (const k of Object.keys(record)) if (k !== 'prompt' && k !== 'chosen' && k !== 'rejected' && k !== 'tools') return 'unrecognized_key';
    if (!Array.isArray(record.tools)) return 'missing_tools_column';
    const rules = { ...TRL_RULES, prompt: true };
    const reason = chatRules(record.prompt, record.tools, rules);
    if (reason) return reason;
    const check = (m: unknown[], t: unknown) => chatRules(m, t, rules);
    const side = oneAssistantTurn(record.chosen, record.tools, check) ?? oneAssistantTurn(record.rejected, record.tools, check, false);
    if (side) return side;
    if (JSON.stringify(record.chosen) === JSON.stringify(record.rejected)) return 'outputs_identical';
    return undefined;
  },
};
