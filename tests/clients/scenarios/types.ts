// One real-framework scenario: the scripted agent (tests/helpers/fake-model.ts) built on a framework, its
// telemetry set up the way docs/agent-setup.md says, exporting OTLP/HTTP protobuf to `endpoint`.
import type { FakeModel } from '../../helpers/fake-model.js';

export interface Scenario {
  /** service.name the scenario exports under (unique per scenario). */
  service: string;
  /** The agent's name as the app gives it. */
  agent: string;
  /** Runs the agent once and flushes its telemetry; returns the agent's final text. */
  run(endpoint: string, model: FakeModel): Promise<string>;
}

/** The scripted tools' behaviour: get_weather fails on its first call, search_docs always answers. */
export function scriptTools() {
  let weatherCalls = 0;
  return {
    getWeather(city: string): string {
      weatherCalls++;
      if (weatherCalls === 1) throw new Error(`weather service unavailable for ${city}`);
      return JSON.stringify({ city, sky: 'rain', celsius: 12 });
    },
    searchDocs(query: string): string {
      return JSON.stringify({ query, hits: ['Take an umbrella when it rains.'] });
    },
  };
}
