import { RegistryClient } from './registry-client';
import type { Target } from './registry-client';

/** A scenario suite registers its describe/it blocks against a target resolved lazily (in beforeAll). */
export type ScenarioSuite = (client: () => RegistryClient, target: () => Target) => void;

const suites: { name: string; suite: ScenarioSuite }[] = [];

export function scenario(name: string, suite: ScenarioSuite): void {
  suites.push({ name, suite });
}

/** Runs every registered scenario suite against one topology (those whose name `only` accepts, when given). */
export function runScenarios(target: () => Target, only?: (name: string) => boolean): void {
  const client = () => new RegistryClient(target());
  for (const { name, suite } of suites) {
    if (only === undefined || only(name)) describe(name, () => suite(client, target));
  }
}
