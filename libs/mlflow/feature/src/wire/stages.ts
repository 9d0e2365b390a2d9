import { STAGES } from '@mreg/shared/contracts';
import type { Stage } from '@mreg/shared/contracts';
import { ApiError } from '@mreg/platform/runtime';

/** MLflow's four stage names for mreg's stages: None is development. */
const MLFLOW_STAGE: Readonly<Record<Stage, string>> = {
  development: 'None',
  staging: 'Staging',
  production: 'Production',
  archived: 'Archived',
};

export const MLFLOW_STAGES: readonly string[] = STAGES.map((stage) => MLFLOW_STAGE[stage]);

export function mlflowStage(stage: Stage): string {
  return MLFLOW_STAGE[stage];
}

/** A stage as MLflow's clients write it (any case, as MLflow's server accepts it); 400 for anything else. */
export function stageFromMlflow(raw: string): Stage {
  const stage = STAGES.find((s) => MLFLOW_STAGE[s].toLowerCase() === raw.trim().toLowerCase());
  if (stage === undefined) throw new ApiError('INVALID_ARGUMENT', `invalid stage "${raw.slice(0, 64)}"; one of ${MLFLOW_STAGES.join(', ')}`);
  return stage;
}
