import { RegistryClient } from './registry-client';
import type { Target } from './registry-client';

/** A scenario suite registers its describe/it blocks against a target resolved lazily (in beforeAll). */
export type ScenarioSuite = (client: () => RegistryClient, target: () => Target) => void;

const suites: { name: string; suite: ScenarioSuite }[] = [];

export function scenario(name: string, suite: ScenarioSuite): void {
  suites.push({ name, suite });
}

/** Runs every registered scenario suite against one topology. */
export function runScenarios(target: () => Target): void {
  const client = () => new RegistryClient(target());
  for (const { name, suite } of suites) {
    describe(name, () => suite(client, target));
  }
}
