// The plain `openai` client with OpenLLMetry's openai instrumentation and nothing else: each model call is
// a trace of its own, and no span records a tool call (see openai-openllmetry.ts for the recommended set-up).
import { runOpenAiLoop } from './openai-openllmetry.js';
import type { Scenario } from './types.js';

export const scenario: Scenario = {
  service: 'openai-openllmetry-bare-app',
  agent: '',
  run(endpoint, model) {
    return runOpenAiLoop(this.service, this.agent, endpoint, model, true);
  },
};
